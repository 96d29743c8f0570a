//! Small helpers at the JS boundary: reading option fields (with errors that name the field),
//! stringifying params, timers. Hand-written rather than serde-derived: serde's error paths
//! format floats, which doubled the wasm (see BENCHMARKS.md).

use js_sys::{Array, Object, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::error::Failure;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    pub fn set_timeout(f: &js_sys::Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    pub fn clear_timeout(id: &JsValue);
    /// `JSON.parse` of a JS string, without copying it through wasm memory.
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    pub fn json_parse(text: &JsValue) -> Result<JsValue, JsValue>;
}

/// `obj[key]`, or `undefined` when `obj` is not an object.
pub fn get(obj: &JsValue, key: &str) -> JsValue {
    if obj.is_object() || obj.is_function() {
        Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

/// Is `v` a plain object (not null, not an array, not a function)?
pub fn is_plain_object(v: &JsValue) -> bool {
    v.is_object() && !Array::is_array(v)
}

/// `obj[key]`, with `null` and `undefined` as absent.
fn present(obj: &JsValue, key: &str) -> Option<JsValue> {
    let v = get(obj, key);
    (!v.is_undefined() && !v.is_null()).then_some(v)
}

/// An optional string field.
pub fn opt_string(obj: &JsValue, key: &str, ctx: &str) -> Result<Option<String>, Failure> {
    present(obj, key)
        .map(|v| {
            v.as_string()
                .ok_or_else(|| Failure::invalid(format!("{ctx}.{key}: must be a string")))
        })
        .transpose()
}

/// An optional finite number field.
pub fn opt_number(obj: &JsValue, key: &str, ctx: &str) -> Result<Option<f64>, Failure> {
    present(obj, key)
        .map(|v| {
            v.as_f64()
                .filter(|n| n.is_finite())
                .ok_or_else(|| Failure::invalid(format!("{ctx}.{key}: must be a finite number")))
        })
        .transpose()
}

/// An optional boolean field.
pub fn opt_bool(obj: &JsValue, key: &str, ctx: &str) -> Result<Option<bool>, Failure> {
    present(obj, key)
        .map(|v| {
            v.as_bool()
                .ok_or_else(|| Failure::invalid(format!("{ctx}.{key}: must be true or false")))
        })
        .transpose()
}

/// An optional array-of-strings field.
pub fn opt_strings(obj: &JsValue, key: &str, ctx: &str) -> Result<Option<Vec<String>>, Failure> {
    let Some(v) = present(obj, key) else {
        return Ok(None);
    };
    let bad = || Failure::invalid(format!("{ctx}.{key}: must be an array of strings"));
    let arr = v.dyn_into::<Array>().map_err(|_| bad())?;
    arr.iter()
        .map(|x| x.as_string().ok_or_else(bad))
        .collect::<Result<_, _>>()
        .map(Some)
}

/// Refuses keys of `obj` other than `allowed` (catches typos such as `timeoutMS`).
pub fn check_keys(obj: &JsValue, allowed: &[&str], ctx: &str) -> Result<(), Failure> {
    if !is_plain_object(obj) {
        return Ok(());
    }
    for k in Object::keys(obj.unchecked_ref::<Object>()).iter() {
        let k = k.as_string().unwrap_or_default();
        if !allowed.contains(&k.as_str()) {
            return Err(Failure::invalid(format!(
                "{ctx}.{k}: unknown option (known: {})",
                allowed.join(", ")
            )));
        }
    }
    Ok(())
}

/// A required, non-empty string field.
pub fn required_str(obj: &JsValue, key: &str, ctx: &str) -> Result<String, Failure> {
    match opt_string(obj, key, ctx)? {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(Failure::invalid(format!(
            "{ctx}.{key} is required (a non-empty string)"
        ))),
    }
}

/// An optional string field; the empty string counts as absent.
pub fn optional_str(obj: &JsValue, key: &str, ctx: &str) -> Result<Option<String>, Failure> {
    Ok(opt_string(obj, key, ctx)?.filter(|s| !s.is_empty()))
}

/// A parameter value as the wire carries it: strings as they are, numbers and booleans as JS
/// stringifies them. Objects, arrays and the rest are refused.
pub fn param_value(v: &JsValue, path: &str) -> Result<Option<String>, Failure> {
    if let Some(s) = v.as_string() {
        Ok(Some(s))
    } else if v.is_undefined() || v.is_null() {
        Ok(None)
    } else if let Some(b) = v.as_bool() {
        Ok(Some(if b { "true" } else { "false" }.into()))
    } else if v.as_f64().is_some() {
        Ok(v.unchecked_ref::<js_sys::Number>()
            .to_string_with_radix(10)
            .ok()
            .map(String::from))
    } else {
        Err(Failure::invalid(format!(
            "{path}: must be a string, number or boolean (got {}); serialize objects with JSON.stringify",
            type_name(v)
        )))
    }
}

fn type_name(v: &JsValue) -> &'static str {
    if Array::is_array(v) {
        "an array"
    } else if v.is_function() {
        "a function"
    } else if v.is_object() {
        "an object"
    } else if v.is_bigint() {
        "a bigint"
    } else if v.is_symbol() {
        "a symbol"
    } else {
        "another type"
    }
}

/// The `(name, value)` pairs of a plain params object; `null`/`undefined` values are left out.
pub fn params_from_object(obj: &JsValue, ctx: &str) -> Result<Vec<(String, String)>, Failure> {
    if obj.is_undefined() || obj.is_null() {
        return Ok(Vec::new());
    }
    if !is_plain_object(obj) {
        return Err(Failure::invalid(format!(
            "{ctx}: must be a plain object of strings"
        )));
    }
    if let Some(pairs) = super::sign::flat_params(obj) {
        return Ok(pairs);
    }
    let entries = Object::entries(obj.unchecked_ref());
    let mut out = Vec::with_capacity(entries.length() as usize);
    for e in entries.iter() {
        let e: Array = e.unchecked_into();
        let k = e.get(0).as_string().unwrap_or_default();
        if let Some(v) = param_value(&e.get(1), &format!("{ctx}.{k}"))? {
            out.push((k, v));
        }
    }
    Ok(out)
}

/// A JSON-object parameter (`Args`, `Items`): an object (serialized with `JSON.stringify`) or a
/// string holding a JSON object; `{}` when absent.
pub fn json_object_param(v: &JsValue, path: &str) -> Result<String, Failure> {
    if v.is_undefined() || v.is_null() {
        return Ok("{}".into());
    }
    if let Some(s) = v.as_string() {
        return match JSON::parse(&s) {
            Ok(p) if is_plain_object(&p) => Ok(s),
            _ => Err(Failure::invalid(format!(
                "{path}: the string is not a JSON object"
            ))),
        };
    }
    if !is_plain_object(v) {
        return Err(Failure::invalid(format!(
            "{path}: must be an object or a JSON object string"
        )));
    }
    JSON::stringify(v)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| {
            Failure::invalid(format!(
                "{path}: JSON.stringify failed (a cycle or a BigInt?)"
            ))
        })
}

/// Sets `obj[key] = value`.
pub fn set(obj: &Object, key: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), &value.into());
}
