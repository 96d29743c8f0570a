//! Checks Args and Items against the thing model, as the platform does.

use serde_json::{Map, Value};

use crate::config::{DataKind, DataType};

/// Checks one value against its data type. Returns a message for `iot.common.InvalidFormattedParameter`.
pub fn check_value(identifier: &str, dt: &DataType, v: &Value) -> Result<(), String> {
    let range = |x: f64| -> Result<(), String> {
        if dt.min.is_some_and(|m| x < m) || dt.max.is_some_and(|m| x > m) {
            Err(format!(
                "{identifier}: {x} is out of range [{}, {}]",
                dt.min.map_or("-inf".into(), |m| m.to_string()),
                dt.max.map_or("inf".into(), |m| m.to_string())
            ))
        } else {
            Ok(())
        }
    };
    use DataKind::*;
    let kind = dt.kind.name();
    match (dt.kind, v) {
        (Bool, Value::Number(n)) if n.as_i64() == Some(0) || n.as_i64() == Some(1) => Ok(()),
        (Bool, _) => Err(format!("{identifier}: a bool is 0 or 1")),
        (Int, Value::Number(n)) if n.is_i64() || n.is_u64() => range(n.as_f64().unwrap_or(0.0)),
        (Int, _) => Err(format!("{identifier}: expected an int")),
        // A float must carry a decimal point (`10.0`): an integer token is refused.
        (Float | Double, Value::Number(n)) if n.is_f64() => range(n.as_f64().unwrap_or(0.0)),
        (Float | Double, Value::Number(_)) => Err(format!(
            "{identifier}: expected a {kind} with a decimal point (e.g. 10.0), got an int"
        )),
        (Float | Double, _) => Err(format!("{identifier}: expected a {kind}")),
        (Text, Value::String(s)) => match dt.length {
            Some(max) if s.chars().count() > max => {
                Err(format!("{identifier}: text longer than {max} characters"))
            }
            _ => Ok(()),
        },
        (Text, _) => Err(format!("{identifier}: expected text")),
        (Enum, Value::Number(n)) if n.is_i64() || n.is_u64() => {
            let key = n.to_string();
            match &dt.values {
                Some(vals) if !vals.contains_key(&key) => Err(format!(
                    "{identifier}: {key} is not one of the enum's values"
                )),
                _ => Ok(()),
            }
        }
        (Enum, _) => Err(format!("{identifier}: expected an enum value (int)")),
        (Date, Value::String(s)) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            Ok(())
        }
        (Date, _) => Err(format!(
            "{identifier}: expected a UTC time in ms, as a string"
        )),
    }
}

/// Parses a JSON-object parameter (`Args`, `Items`). `None` for a missing or malformed one.
pub fn parse_object(text: &str) -> Option<Map<String, Value>> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(m)) => Some(m),
        _ => None,
    }
}

/// Checks every member of `obj` against `lookup(identifier)`; unknown identifiers are refused.
pub fn check_object<'a>(
    obj: &Map<String, Value>,
    lookup: impl Fn(&str) -> Option<&'a DataType>,
) -> Result<(), String> {
    for (k, v) in obj {
        let dt = lookup(k).ok_or_else(|| format!("{k}: no such identifier in the thing model"))?;
        check_value(k, dt, v)?;
    }
    Ok(())
}

/// The name of a value's data type as `QueryDevicePropertyStatus` reports it.
pub fn data_type_name(dt: &DataType) -> &'static str {
    dt.kind.name()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn dt(kind: &str, min: Option<f64>, max: Option<f64>) -> DataType {
        DataType {
            kind: serde_json::from_value(json!(kind)).unwrap(),
            min,
            max,
            unit: None,
            length: Some(3),
            values: None,
        }
    }

    #[test]
    fn checks_types_and_ranges() {
        let int = dt("int", Some(0.0), Some(100.0));
        assert!(check_value("b", &int, &json!(50)).is_ok());
        assert!(check_value("b", &int, &json!(101))
            .unwrap_err()
            .contains("out of range"));
        assert!(check_value("b", &int, &json!("5")).is_err());
        let float = dt("float", None, None);
        assert!(check_value("t", &float, &json!(10.0)).is_ok());
        let v: Value = serde_json::from_str("10").unwrap();
        assert!(check_value("t", &float, &v)
            .unwrap_err()
            .contains("decimal point"));
        assert!(check_value("s", &dt("bool", None, None), &json!(2)).is_err());
        assert!(check_value("s", &dt("text", None, None), &json!("abcd")).is_err());
        assert!(check_value("s", &dt("text", None, None), &json!("灯灯灯")).is_ok());
    }
}
