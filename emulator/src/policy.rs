//! The session policy of an STS credential: the `Policy` an `AssumeRole` caller passes, in RAM's
//! policy language (`Version` "1", `Statement`s of `Effect`, `Action`, `Resource`), parsed when the
//! role is assumed and evaluated on every request signed with the credential it issued.
//!
//! Evaluation as RAM does it: a `Deny` that matches wins, else an `Allow` that matches grants, else
//! the request is denied. Actions (`iot:InvokeThingService`) match case-insensitively, resources
//! case-sensitively; `*` in either matches any run of characters, `?` any one.

use serde::Deserialize;
use serde_json::Value;

use crate::error::ApiError;

/// The most characters STS takes in `Policy`.
pub const MAX_POLICY_LEN: usize = 2048;

/// A parsed session policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    statements: Vec<Statement>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Statement {
    allow: bool,
    actions: Vec<String>,
    resources: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct PolicyDoc {
    version: String,
    statement: Vec<StatementDoc>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct StatementDoc {
    effect: String,
    action: OneOrMany,
    resource: OneOrMany,
    /// Parsed so that a policy with conditions is refused by name rather than half-evaluated.
    condition: Option<Value>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

fn grammar(why: &str) -> ApiError {
    ApiError::gateway(
        400,
        "InvalidParameter.PolicyGrammar",
        &format!("The parameter Policy has not passed grammar check: {why}"),
    )
}

impl Policy {
    /// Parses `Policy` as `AssumeRole` receives it.
    pub fn parse(text: &str) -> Result<Self, ApiError> {
        if text.is_empty() || text.chars().count() > MAX_POLICY_LEN {
            return Err(ApiError::gateway(
                400,
                "InvalidParameter.PolicySize",
                &format!("The parameter Policy must be 1 to {MAX_POLICY_LEN} characters long."),
            ));
        }
        let doc: PolicyDoc = serde_json::from_str(text).map_err(|e| grammar(&e.to_string()))?;
        if doc.version != "1" {
            return Err(grammar("Version must be \"1\"."));
        }
        if doc.statement.is_empty() {
            return Err(grammar("Statement is empty."));
        }
        let mut statements = Vec::with_capacity(doc.statement.len());
        for s in doc.statement {
            let allow = match s.effect.as_str() {
                "Allow" => true,
                "Deny" => false,
                other => {
                    return Err(grammar(&format!(
                        "Effect {other:?} is neither Allow nor Deny."
                    )))
                }
            };
            if s.condition.is_some() {
                return Err(grammar("Condition is not evaluated by this emulator."));
            }
            let actions = s.action.into_vec();
            let resources = s.resource.into_vec();
            if actions.is_empty()
                || resources.is_empty()
                || actions.iter().chain(&resources).any(String::is_empty)
            {
                return Err(grammar(
                    "Action and Resource need at least one non-empty entry each.",
                ));
            }
            statements.push(Statement {
                allow,
                actions,
                resources,
            });
        }
        Ok(Self { statements })
    }

    /// Whether `action` (e.g. `iot:InvokeThingService`) on `resource` is allowed.
    pub fn allows(&self, action: &str, resource: &str) -> bool {
        let action = action.to_ascii_lowercase();
        let mut allowed = false;
        for s in &self.statements {
            let hit = s
                .actions
                .iter()
                .any(|p| wildcard(&p.to_ascii_lowercase(), &action))
                && s.resources.iter().any(|p| wildcard(p, resource));
            if hit && !s.allow {
                return false;
            }
            allowed |= hit;
        }
        allowed
    }
}

/// `*` matches any run of characters (also none), `?` exactly one; everything else itself.
pub fn wildcard(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    // The classic greedy match with one back-tracking point: linear in practice, never exponential.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || (p[pi] != '*' && p[pi] == t[ti])) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// The resource a request acts on, in the emulator's account and region (both `local`):
/// `acs:iot:local:local:product/{ProductKey}`, or `acs:iot:local:local:*` for an action on no
/// one product (`QueryProductList`, or a device that cannot be found).
pub fn resource(product_key: Option<&str>) -> String {
    match product_key {
        Some(pk) => format!("acs:iot:local:local:product/{pk}"),
        None => "acs:iot:local:local:*".into(),
    }
}

/// `iot.common.RamActionPermissionDeny` for `action`: a business error (HTTP 200,
/// `Success: false`), as every `iot.common.*` code of the platform's error-code page.
pub fn denied(action: &str) -> ApiError {
    ApiError::business(
        "iot.common.RamActionPermissionDeny",
        format!("The RAM user or role does not have the permission iot:{action} on this resource."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const DASHBOARD: &str = r#"{"Version":"1","Statement":[
        {"Effect":"Allow","Action":["iot:Query*","iot:InvokeThingService","iot:SetDeviceProperty"],
         "Resource":["acs:iot:*:*:product/a1LampDemo0"]},
        {"Effect":"Allow","Action":"iot:QueryProductList","Resource":"*"},
        {"Effect":"Deny","Action":"iot:QueryThingModel","Resource":"acs:iot:*:*:product/a1LampDemo0"}]}"#;

    #[test]
    fn wildcards() {
        assert!(wildcard("*", ""));
        assert!(wildcard("iot:query*", "iot:querydevice"));
        assert!(wildcard("iot:*device*", "iot:querydevicedetail"));
        assert!(wildcard("a?c", "abc"));
        assert!(!wildcard("a?c", "ac"));
        assert!(!wildcard("iot:query*", "iot:invokethingservice"));
        assert!(wildcard(
            "acs:iot:*:*:product/*",
            "acs:iot:local:local:product/x"
        ));
        assert!(!wildcard(
            "acs:iot:*:*:product/a",
            "acs:iot:local:local:product/ab"
        ));
        assert!(wildcard("*a*a*a*a*", "aaaaaaaaaaaaaaaaaaaaaaaa"));
        assert!(!wildcard(
            "*a*a*a*a*b",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        ));
    }

    #[test]
    fn allow_deny_and_the_implicit_deny() {
        let p = Policy::parse(DASHBOARD).unwrap();
        let lamp = resource(Some("a1LampDemo0"));
        assert!(p.allows("iot:InvokeThingService", &lamp));
        assert!(
            p.allows("iot:invokethingservice", &lamp),
            "actions ignore case"
        );
        assert!(p.allows("iot:QueryDevicePropertyStatus", &lamp));
        assert!(!p.allows("iot:InvokeThingService", &resource(Some("a1Other"))));
        assert!(
            !p.allows("iot:InvokeThingService", &resource(Some("a1lampdemo0"))),
            "resources keep case"
        );
        assert!(!p.allows("iot:InvokeThingsService", &lamp), "not listed");
        assert!(
            !p.allows("iot:QueryThingModel", &lamp),
            "Deny wins over the Allow of iot:Query*"
        );
        assert!(p.allows("iot:QueryProductList", &resource(None)));
        assert!(
            !p.allows("iot:QueryDevice", &resource(None)),
            "a product resource is not *"
        );
    }

    #[test]
    fn grammar_and_size() {
        let code = |t: &str| Policy::parse(t).unwrap_err().code;
        assert_eq!(code(""), "InvalidParameter.PolicySize");
        assert_eq!(code(&"x".repeat(2049)), "InvalidParameter.PolicySize");
        assert_eq!(code("{"), "InvalidParameter.PolicyGrammar");
        assert_eq!(
            code(r#"{"Version":"2","Statement":[]}"#),
            "InvalidParameter.PolicyGrammar"
        );
        assert_eq!(
            code(r#"{"Version":"1","Statement":[]}"#),
            "InvalidParameter.PolicyGrammar"
        );
        let one = |s: &str| code(&format!(r#"{{"Version":"1","Statement":[{s}]}}"#));
        assert_eq!(
            one(r#"{"Effect":"Maybe","Action":"*","Resource":"*"}"#),
            "InvalidParameter.PolicyGrammar"
        );
        assert_eq!(
            one(r#"{"Effect":"Allow","Action":[],"Resource":"*"}"#),
            "InvalidParameter.PolicyGrammar"
        );
        assert_eq!(
            one(r#"{"Effect":"Allow","Action":"*"}"#),
            "InvalidParameter.PolicyGrammar"
        );
        assert_eq!(
            one(
                r#"{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"acs:SourceIp":"1.2.3.4"}}}"#
            ),
            "InvalidParameter.PolicyGrammar"
        );
        assert_eq!(
            one(r#"{"Effect":"Allow","Action":"*","Resource":"*","Extra":1}"#),
            "InvalidParameter.PolicyGrammar"
        );
        assert!(Policy::parse(
            r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#
        )
        .is_ok());
    }
}
