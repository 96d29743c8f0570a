//! A product's thing model (its TSL, as `QueryThingModel` returns it) and the check of a call's
//! `Args` or `Items` against it: identifiers, types, ranges, enum values, text lengths, required
//! inputs and read-only properties, before anything is sent. What passes is written as the
//! caller wrote it, except that a `float` or `double` written as an integer (`10`, which
//! `JSON.stringify` cannot write otherwise) gets its decimal point (`10.0`), which the platform
//! requires.
//!
//! Numbers are read by a parser the caller passes (the engine's `parseFloat` in the browser,
//! `str::parse` natively), so that no float parsing or formatting is in the wasm; limits are
//! quoted in messages as the model writes them.

use alloc::string::String;
use alloc::vec::Vec;

use super::attempts::concat;
use super::json::{char_count, parse, Json};

/// Reads a number's text (`"100"`, `"-1.5e3"`) as a value.
pub type NumberParser<'a> = &'a dyn Fn(&str) -> Option<f64>;

/// A value's type in the thing model.
#[derive(Clone, Debug, PartialEq)]
pub enum DataKind {
    /// A 32-bit integer.
    Int,
    /// A float: sent with a decimal point.
    Float,
    /// A double: sent with a decimal point.
    Double,
    /// Text, at most `length` characters.
    Text,
    /// UTC ms, as a string of digits.
    Date,
    /// 0 or 1.
    Bool,
    /// One of `values`, as an integer.
    Enum,
    /// An object of these fields.
    Struct(Vec<Param>),
    /// A list of `item`, at most `size` long.
    Array {
        /// Most items.
        size: Option<usize>,
        /// Each item's type.
        item: alloc::boxed::Box<DataType>,
    },
}

impl DataKind {
    /// The TSL's name of the type.
    pub fn name(&self) -> &'static str {
        match self {
            DataKind::Int => "int",
            DataKind::Float => "float",
            DataKind::Double => "double",
            DataKind::Text => "text",
            DataKind::Date => "date",
            DataKind::Bool => "bool",
            DataKind::Enum => "enum",
            DataKind::Struct(_) => "struct",
            DataKind::Array { .. } => "array",
        }
    }
}

/// A limit of a number, as the model writes it and as a value.
#[derive(Clone, Debug, PartialEq)]
pub struct Limit {
    /// As written in the model (quoted in messages).
    pub text: String,
    /// Its value.
    pub value: f64,
}

/// A type with its specs.
#[derive(Clone, Debug, PartialEq)]
pub struct DataType {
    /// The type.
    pub kind: DataKind,
    /// Smallest value (numbers).
    pub min: Option<Limit>,
    /// Largest value (numbers).
    pub max: Option<Limit>,
    /// Longest text, in characters.
    pub length: Option<usize>,
    /// The keys of a `bool` or `enum` (`"0"`, `"1"`, ...), with their names.
    pub values: Vec<(String, String)>,
    /// Unit shown with values (numbers).
    pub unit: Option<String>,
}

/// A service input or a struct field.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// `identifier`.
    pub identifier: String,
    /// Display name.
    pub name: String,
    /// Type.
    pub data_type: DataType,
    /// Whether a call must give it (`"required": true`).
    pub required: bool,
}

/// A property.
#[derive(Clone, Debug, PartialEq)]
pub struct Property {
    /// `identifier`.
    pub identifier: String,
    /// Display name.
    pub name: String,
    /// `accessMode` `"r"`: it cannot be set.
    pub read_only: bool,
    /// Type.
    pub data_type: DataType,
}

/// A service.
#[derive(Clone, Debug, PartialEq)]
pub struct Service {
    /// `identifier`.
    pub identifier: String,
    /// Display name.
    pub name: String,
    /// `callType` `"sync"` (RRPC: the device answers in `Data.Result`).
    pub sync: bool,
    /// `inputData`.
    pub input: Vec<Param>,
}

/// A product's thing model.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ThingModel {
    /// `profile.productKey`.
    pub product_key: String,
    /// `properties`.
    pub properties: Vec<Property>,
    /// `services`.
    pub services: Vec<Service>,
}

/// What a call breaks of the model: the parameter (a path such as `Brightness` or
/// `position.x`), the rule (`identifier`, `type`, `range`, `enum`, `length`, `required`,
/// `read-only`, `json`) and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The parameter, as a path from the `Args` or `Items` object.
    pub parameter: String,
    /// The rule broken.
    pub rule: &'static str,
    /// What is wrong, for the message.
    pub detail: String,
}

fn violation(parameter: &str, rule: &'static str, detail: String) -> Violation {
    Violation {
        parameter: parameter.into(),
        rule,
        detail,
    }
}

fn member<'a>(o: &'a Json, key: &str) -> Option<&'a Json> {
    match o {
        Json::Object(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
        _ => None,
    }
}

fn text_of(o: &Json, key: &str) -> Option<String> {
    match member(o, key)? {
        Json::String(s) => Some(s.clone()),
        Json::Number { text, .. } => Some(text.clone()),
        _ => None,
    }
}

fn list<'a>(o: &'a Json, key: &str) -> &'a [Json] {
    match member(o, key) {
        Some(Json::Array(a)) => a,
        _ => &[],
    }
}

impl ThingModel {
    /// Reads a TSL (`ThingModelJson`, parsed). Unknown members are ignored; a type that is not
    /// the TSL's is an error.
    pub fn from_tsl(tsl: &Json, number: NumberParser<'_>) -> Result<Self, String> {
        let product_key = member(tsl, "profile")
            .and_then(|p| text_of(p, "productKey"))
            .unwrap_or_default();
        // (Plain loops rather than collecting `Result`s: each such collect is its own iterator
        // adapter in the wasm.)
        let mut properties = Vec::new();
        for p in list(tsl, "properties") {
            properties.push(Property {
                identifier: text_of(p, "identifier").unwrap_or_default(),
                name: text_of(p, "name").unwrap_or_default(),
                read_only: text_of(p, "accessMode").as_deref() == Some("r"),
                data_type: data_type(member(p, "dataType"), number)?,
            });
        }
        let mut services = Vec::new();
        for s in list(tsl, "services") {
            services.push(Service {
                identifier: text_of(s, "identifier").unwrap_or_default(),
                name: text_of(s, "name").unwrap_or_default(),
                sync: text_of(s, "callType").as_deref() == Some("sync"),
                input: params(list(s, "inputData"), number)?,
            });
        }
        Ok(Self {
            product_key,
            properties,
            services,
        })
    }

    /// Reads a TSL from its text.
    pub fn from_tsl_text(text: &str, number: NumberParser<'_>) -> Result<Self, String> {
        let json = parse(text).map_err(|_| String::from("the thing model is not JSON"))?;
        Self::from_tsl(&json, number)
    }

    /// The service `identifier`.
    pub fn service(&self, identifier: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.identifier == identifier)
    }

    /// The property `identifier`.
    pub fn property(&self, identifier: &str) -> Option<&Property> {
        self.properties.iter().find(|p| p.identifier == identifier)
    }

    /// Checks `args` (JSON object text) for the service `identifier`; the text to send.
    pub fn check_args(
        &self,
        identifier: &str,
        args: &str,
        number: NumberParser<'_>,
    ) -> Result<String, Violation> {
        let Some(service) = self.service(identifier) else {
            return Err(violation(
                identifier,
                "identifier",
                concat(&["no such service in the thing model of ", &self.product_key]),
            ));
        };
        let value = read_object(args)?;
        let mut w = Writer::new(number);
        w.fields(&service.input, &value, "", "input of service ")?;
        Ok(w.write(args))
    }

    /// Checks `items` (JSON object text) as properties to set; the text to send.
    pub fn check_items(&self, items: &str, number: NumberParser<'_>) -> Result<String, Violation> {
        let value = read_object(items)?;
        let Json::Object(members) = &value else {
            return Err(violation("", "json", "not a JSON object".into()));
        };
        let mut w = Writer::new(number);
        for (i, (k, v)) in members.iter().enumerate() {
            if members[..i].iter().any(|(j, _)| j == k) {
                return Err(violation(k, "identifier", "given twice".into()));
            }
            let Some(p) = self.property(k) else {
                return Err(violation(
                    k,
                    "identifier",
                    concat(&["no such property in the thing model of ", &self.product_key]),
                ));
            };
            if p.read_only {
                return Err(violation(
                    k,
                    "read-only",
                    "the property is read-only (accessMode r): only the device reports it".into(),
                ));
            }
            w.value(&p.data_type, v, k)?;
        }
        Ok(w.write(items))
    }
}

fn read_object(text: &str) -> Result<Json, Violation> {
    match parse(text) {
        Ok(v @ Json::Object(_)) => Ok(v),
        _ => Err(violation("", "json", "not a JSON object".into())),
    }
}

fn params(items: &[Json], number: NumberParser<'_>) -> Result<Vec<Param>, String> {
    let mut out = Vec::with_capacity(items.len());
    for x in items {
        out.push(Param {
            identifier: text_of(x, "identifier").unwrap_or_default(),
            name: text_of(x, "name").unwrap_or_default(),
            data_type: data_type(member(x, "dataType"), number)?,
            required: matches!(member(x, "required"), Some(Json::Bool(true))),
        });
    }
    Ok(out)
}

fn data_type(d: Option<&Json>, number: NumberParser<'_>) -> Result<DataType, String> {
    let d = d.ok_or_else(|| String::from("a dataType is missing"))?;
    let kind_name = text_of(d, "type").unwrap_or_default();
    let specs = member(d, "specs");
    let limit = |key: &str| -> Result<Option<Limit>, String> {
        match specs
            .and_then(|s| text_of(s, key))
            .filter(|t| !t.is_empty())
        {
            None => Ok(None),
            Some(text) => match number(&text) {
                Some(value) => Ok(Some(Limit { text, value })),
                None => Err(concat(&["specs.", key, " is not a number: ", &text])),
            },
        }
    };
    let count = |key: &str| -> Option<usize> {
        specs
            .and_then(|s| text_of(s, key))
            .and_then(|t| number(&t))
            .filter(|n| *n >= 0.0)
            .map(|n| n as usize)
    };
    let kind = match kind_name.as_str() {
        "int" => DataKind::Int,
        "float" => DataKind::Float,
        "double" => DataKind::Double,
        "text" => DataKind::Text,
        "date" => DataKind::Date,
        "bool" => DataKind::Bool,
        "enum" => DataKind::Enum,
        "struct" => DataKind::Struct(params(
            specs.map_or(&[][..], |s| match s {
                Json::Array(a) => a,
                _ => &[],
            }),
            number,
        )?),
        "array" => DataKind::Array {
            size: count("size"),
            item: alloc::boxed::Box::new(data_type(specs.and_then(|s| member(s, "item")), number)?),
        },
        other => return Err(concat(&["unknown data type ", other])),
    };
    let values = match (&kind, specs) {
        (DataKind::Bool | DataKind::Enum, Some(Json::Object(m))) => {
            let mut values = Vec::with_capacity(m.len());
            for (k, v) in m {
                let name = match v {
                    Json::String(s) => s.clone(),
                    _ => String::new(),
                };
                values.push((k.clone(), name));
            }
            values
        }
        _ => Vec::new(),
    };
    Ok(DataType {
        min: limit("min")?,
        max: limit("max")?,
        length: count("length"),
        unit: specs.and_then(|s| text_of(s, "unit")),
        values,
        kind,
    })
}

/// Checks values and remembers where a decimal point must be added.
struct Writer<'a> {
    number: NumberParser<'a>,
    inserts: Vec<usize>,
}

/// Appends `items` to `out`, separated by ", ".
fn listed<T>(out: &mut String, items: &[T], name: fn(&T) -> &str) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(name(item));
    }
}

fn path(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.into()
    } else {
        concat(&[parent, ".", key])
    }
}

/// The largest and smallest 32-bit integers: the platform's `int`.
const INT_MIN: f64 = -2_147_483_648.0;
const INT_MAX: f64 = 2_147_483_647.0;

impl Writer<'_> {
    fn new(number: NumberParser<'_>) -> Writer<'_> {
        Writer {
            number,
            inserts: Vec::new(),
        }
    }

    /// `text` with the decimal points added (the checks run in source order, so the places
    /// are in order too).
    fn write(self, text: &str) -> String {
        if self.inserts.is_empty() {
            return text.into();
        }
        let mut out = String::with_capacity(text.len() + 2 * self.inserts.len());
        let mut from = 0;
        for &at in &self.inserts {
            out.push_str(text.get(from..at).unwrap_or_default());
            out.push_str(".0");
            from = at;
        }
        out.push_str(text.get(from..).unwrap_or_default());
        out
    }

    /// The members of an object against `fields` (service inputs or struct fields).
    fn fields(
        &mut self,
        fields: &[Param],
        value: &Json,
        at: &str,
        what: &str,
    ) -> Result<(), Violation> {
        let Json::Object(members) = value else {
            return Err(violation(at, "type", "expected an object".into()));
        };
        for (i, (k, v)) in members.iter().enumerate() {
            let p = path(at, k);
            if members[..i].iter().any(|(j, _)| j == k) {
                return Err(violation(&p, "identifier", "given twice".into()));
            }
            let Some(f) = fields.iter().find(|f| &f.identifier == k) else {
                let mut known = concat(&["not an ", what, "(known: "]);
                listed(&mut known, fields, |f| &f.identifier);
                known.push(')');
                return Err(violation(&p, "identifier", known));
            };
            self.value(&f.data_type, v, &p)?;
        }
        for f in fields.iter().filter(|f| f.required) {
            if !members.iter().any(|(k, _)| k == &f.identifier) {
                return Err(violation(
                    &path(at, &f.identifier),
                    "required",
                    "a required input is missing".into(),
                ));
            }
        }
        Ok(())
    }

    fn range(&self, t: &DataType, text: &str, value: f64, at: &str) -> Result<(), Violation> {
        if let Some(min) = t.min.as_ref().filter(|m| value < m.value) {
            return Err(violation(
                at,
                "range",
                concat(&[text, " is below the minimum ", &min.text]),
            ));
        }
        if let Some(max) = t.max.as_ref().filter(|m| value > m.value) {
            return Err(violation(
                at,
                "range",
                concat(&[text, " is above the maximum ", &max.text]),
            ));
        }
        Ok(())
    }

    fn value(&mut self, t: &DataType, v: &Json, at: &str) -> Result<(), Violation> {
        let expected = |what: &str| {
            Err(violation(
                at,
                "type",
                concat(&["expected ", what, " (", t.kind.name(), ")"]),
            ))
        };
        match (&t.kind, v) {
            (DataKind::Int | DataKind::Bool | DataKind::Enum, Json::Number { text, .. })
                if Json::is_integer_token(text) && !text.starts_with("-0") =>
            {
                let n = (self.number)(text).unwrap_or(f64::NAN);
                match t.kind {
                    DataKind::Int => {
                        if !(INT_MIN..=INT_MAX).contains(&n) {
                            return Err(violation(
                                at,
                                "range",
                                concat(&[text, " is outside the platform's 32-bit int"]),
                            ));
                        }
                        self.range(t, text, n, at)
                    }
                    DataKind::Bool if text == "0" || text == "1" => Ok(()),
                    DataKind::Bool => expected("0 or 1"),
                    _ if t.values.is_empty() || t.values.iter().any(|(k, _)| k == text) => Ok(()),
                    _ => {
                        let mut m = concat(&[text, " is not one of the enum's values ("]);
                        listed(&mut m, &t.values, |(k, _)| k);
                        m.push(')');
                        Err(violation(at, "enum", m))
                    }
                }
            }
            (DataKind::Int, _) => expected("an integer"),
            (DataKind::Bool, _) => expected("0 or 1"),
            (DataKind::Enum, _) => expected("one of the enum's values, an integer"),
            (DataKind::Float | DataKind::Double, Json::Number { text, end }) => {
                let n = (self.number)(text).filter(|n| n.is_finite());
                let Some(n) = n else {
                    return expected("a finite number");
                };
                self.range(t, text, n, at)?;
                if Json::is_integer_token(text) {
                    self.inserts.push(*end);
                }
                Ok(())
            }
            (DataKind::Float | DataKind::Double, _) => expected("a number"),
            (DataKind::Text, Json::String(s)) => match t.length {
                Some(max) if char_count(s) > max => {
                    let mut d = String::from("longer than ");
                    crate::core::attempts::push_u64(&mut d, max as u64);
                    d.push_str(" characters");
                    Err(violation(at, "length", d))
                }
                _ => Ok(()),
            },
            (DataKind::Text, _) => expected("a string"),
            (DataKind::Date, Json::String(s))
                if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) =>
            {
                Ok(())
            }
            (DataKind::Date, _) => expected("UTC ms as a string of digits"),
            (DataKind::Struct(fields), Json::Object(_)) => {
                self.fields(fields, v, at, "field of the struct ")
            }
            (DataKind::Struct(_), _) => expected("an object"),
            (DataKind::Array { size, item }, Json::Array(items)) => {
                if let Some(max) = size.filter(|m| items.len() > *m) {
                    let mut d = String::from("more than ");
                    crate::core::attempts::push_u64(&mut d, max as u64);
                    d.push_str(" items");
                    return Err(violation(at, "length", d));
                }
                for (i, x) in items.iter().enumerate() {
                    let mut p = String::from(at);
                    p.push('[');
                    crate::core::attempts::push_u64(&mut p, i as u64);
                    p.push(']');
                    self.value(item, x, &p)?;
                }
                Ok(())
            }
            (DataKind::Array { .. }, _) => expected("an array"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Option<f64> {
        s.parse().ok()
    }

    const TSL: &str = r#"{
      "profile": { "productKey": "pk1" },
      "properties": [
        { "identifier": "LightSwitch", "name": "Switch", "accessMode": "rw", "dataType": { "type": "bool", "specs": { "0": "off", "1": "on" } } },
        { "identifier": "Brightness", "name": "B", "accessMode": "rw", "dataType": { "type": "int", "specs": { "min": "0", "max": "100", "unit": "%" } } },
        { "identifier": "Temperature", "name": "T", "accessMode": "r", "dataType": { "type": "float", "specs": { "min": "-40", "max": "85.5" } } },
        { "identifier": "Target", "name": "Target", "accessMode": "rw", "dataType": { "type": "double", "specs": {} } },
        { "identifier": "Mode", "name": "M", "accessMode": "rw", "dataType": { "type": "enum", "specs": { "0": "eco", "2": "boost" } } }
      ],
      "services": [
        { "identifier": "Echo", "name": "E", "callType": "sync", "inputData": [
          { "identifier": "text", "name": "t", "dataType": { "type": "text", "specs": { "length": "3" } } },
          { "identifier": "x", "name": "x", "dataType": { "type": "double", "specs": { "min": "-1e3", "max": "1e3" } } },
          { "identifier": "when", "name": "w", "dataType": { "type": "date", "specs": {} } },
          { "identifier": "pos", "name": "p", "dataType": { "type": "struct", "specs": [
            { "identifier": "lat", "name": "lat", "dataType": { "type": "float", "specs": {} } }
          ] } },
          { "identifier": "list", "name": "l", "dataType": { "type": "array", "specs": { "size": "2", "item": { "type": "int", "specs": {} } } } }
        ] },
        { "identifier": "Blink", "name": "B", "callType": "async", "inputData": [
          { "identifier": "times", "name": "t", "required": true, "dataType": { "type": "int", "specs": { "min": "1", "max": "100" } } }
        ] }
      ]
    }"#;

    fn model() -> ThingModel {
        ThingModel::from_tsl_text(TSL, &n).unwrap()
    }

    fn rule(r: Result<String, Violation>) -> (String, &'static str) {
        let v = r.unwrap_err();
        (v.parameter, v.rule)
    }

    #[test]
    fn reads_the_tsl() {
        let m = model();
        assert_eq!(m.product_key, "pk1");
        assert_eq!(m.properties.len(), 5);
        assert!(m.property("Temperature").unwrap().read_only);
        let b = &m.property("Brightness").unwrap().data_type;
        assert_eq!(b.max.as_ref().unwrap().text, "100");
        assert_eq!(b.unit.as_deref(), Some("%"));
        assert!(m.service("Echo").unwrap().sync);
        assert!(!m.service("Blink").unwrap().sync);
        assert!(m.service("Blink").unwrap().input[0].required);
        assert!(ThingModel::from_tsl_text(
            r#"{"properties":[{"identifier":"a","dataType":{"type":"matrix"}}]}"#,
            &n
        )
        .is_err());
    }

    #[test]
    fn writes_floats_with_a_decimal_point_and_nothing_else_changed() {
        let m = model();
        let args = r#"{ "x" : 10, "text":"a\"b", "pos": {"lat": -3}, "list": [1, 2] }"#;
        assert_eq!(
            m.check_args("Echo", args, &n).unwrap(),
            r#"{ "x" : 10.0, "text":"a\"b", "pos": {"lat": -3.0}, "list": [1, 2] }"#
        );
        assert_eq!(
            m.check_args("Echo", r#"{"x":1e2}"#, &n).unwrap(),
            r#"{"x":1e2}"#
        );
        assert_eq!(
            m.check_args("Echo", r#"{"x":2.50}"#, &n).unwrap(),
            r#"{"x":2.50}"#
        );
        assert_eq!(
            m.check_items(r#"{"Target":7,"Brightness":7}"#, &n).unwrap(),
            r#"{"Target":7.0,"Brightness":7}"#
        );
    }

    #[test]
    fn names_the_parameter_and_the_rule() {
        let m = model();
        let args = |a: &str| rule(m.check_args("Echo", a, &n));
        assert_eq!(args(r#"{"nope":1}"#), ("nope".into(), "identifier"));
        assert_eq!(args(r#"{"x":"1"}"#), ("x".into(), "type"));
        assert_eq!(args(r#"{"x":1001}"#), ("x".into(), "range"));
        assert_eq!(args(r#"{"x":-1000.5}"#), ("x".into(), "range"));
        assert_eq!(args(r#"{"text":"abcd"}"#), ("text".into(), "length"));
        assert!(
            m.check_args("Echo", r#"{"text":"灯灯😀"}"#, &n).is_ok(),
            "characters, not bytes"
        );
        assert_eq!(args(r#"{"when":"12a"}"#), ("when".into(), "type"));
        assert_eq!(
            args(r#"{"pos":{"lng":1}}"#),
            ("pos.lng".into(), "identifier")
        );
        assert_eq!(args(r#"{"pos":[]}"#), ("pos".into(), "type"));
        assert_eq!(args(r#"{"list":[1,2,3]}"#), ("list".into(), "length"));
        assert_eq!(args(r#"{"list":[1,2.5]}"#), ("list[1]".into(), "type"));
        assert_eq!(args(r#"{"x":1,"x":2}"#), ("x".into(), "identifier"));
        assert_eq!(args("[1]"), ("".into(), "json"));
        assert_eq!(args("{"), ("".into(), "json"));
        assert_eq!(
            rule(m.check_args("Nope", "{}", &n)),
            ("Nope".into(), "identifier")
        );
        assert_eq!(
            rule(m.check_args("Blink", "{}", &n)),
            ("times".into(), "required")
        );
        assert_eq!(
            rule(m.check_args("Blink", r#"{"times":0}"#, &n)),
            ("times".into(), "range")
        );
        assert_eq!(
            rule(m.check_args("Blink", r#"{"times":1.0}"#, &n)),
            ("times".into(), "type")
        );
        assert_eq!(
            rule(m.check_args("Blink", r#"{"times":3000000000}"#, &n)),
            ("times".into(), "range")
        );
        let items = |a: &str| rule(m.check_items(a, &n));
        assert_eq!(
            items(r#"{"Temperature":20.5}"#),
            ("Temperature".into(), "read-only")
        );
        assert_eq!(
            items(r#"{"LightSwitch":2}"#),
            ("LightSwitch".into(), "type")
        );
        assert_eq!(
            items(r#"{"LightSwitch":true}"#),
            ("LightSwitch".into(), "type")
        );
        assert_eq!(items(r#"{"Mode":1}"#), ("Mode".into(), "enum"));
        assert!(m.check_items(r#"{"Mode":2,"LightSwitch":1}"#, &n).is_ok());
        assert_eq!(
            items(r#"{"Brightness":-1}"#),
            ("Brightness".into(), "range")
        );
        assert_eq!(
            items(r#"{"Brightness":null}"#),
            ("Brightness".into(), "type")
        );
        assert_eq!(items(r#"{"Color":1}"#), ("Color".into(), "identifier"));
        let v = m.check_items(r#"{"Brightness":101}"#, &n).unwrap_err();
        assert_eq!(v.detail, "101 is above the maximum 100");
    }
}
