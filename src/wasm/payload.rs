//! `Args` and `Items` from JavaScript: an object, checked to be written by `JSON.stringify`
//! exactly as the caller meant it, or a JSON object string (checked by the client).

use alloc::string::String;

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::js::{invalid, is_plain_object, js_str, present, well_formed, SURROGATE, SURROGATE_KEY};
use crate::client::{Error, Payload};
use crate::core::attempts::{concat, push_u64};

/// A JSON-object parameter (`Args`, `Items`): an object (sent with `JSON.stringify`) or a JSON
/// object string (checked by the client); `{}` when absent.
pub(crate) fn json_object(v: &JsValue, path: &str) -> Result<(String, Payload), Error> {
    if !present(v) {
        return Ok(("{}".into(), Payload::Serialized));
    }
    if let Some(s) = js_str(v) {
        let s = s.map_err(|()| invalid(concat(&[path, SURROGATE])))?;
        // Checked by the client, which refuses a string that is not a JSON object (and takes
        // an empty one as `{}`, which a JavaScript caller would not mean).
        if s.is_empty() {
            return Err(invalid(concat(&[
                path,
                ": the string is not a JSON object",
            ])));
        }
        return Ok((s, Payload::AsWritten));
    }
    if !is_plain_object(v) {
        return Err(invalid(concat(&[
            path,
            ": must be an object or a JSON object string",
        ])));
    }
    exact_json(v, path, 0)?;
    js_sys::JSON::stringify(v)
        .ok()
        .and_then(|s| s.as_string())
        .map(|s| (s, Payload::Serialized))
        .ok_or_else(|| {
            invalid(concat(&[
                path,
                ": JSON.stringify failed (a cycle or a BigInt?)",
            ]))
        })
}

/// Refuses what `JSON.stringify` would write as something other than the caller wrote: NaN and
/// ±Infinity (written `null`), `undefined`, functions and symbols (dropped, or `null` in an
/// array), symbol keys (dropped), a BigInt (it throws), lone surrogates (U+FFFD), objects that
/// are neither plain objects nor arrays (a `Date`'s `toJSON`, a `Map`'s `{}`), and nesting
/// deeper than 64 levels (a cycle ends there too). `-0` is written `0`, the same JSON number.
fn exact_json(v: &JsValue, path: &str, depth: u32) -> Result<(), Error> {
    let bad = |why: &str| Err(invalid(concat(&[path, why])));
    if v.is_null() || v.as_bool().is_some() {
        return Ok(());
    }
    if let Some(n) = v.as_f64() {
        return if n.is_finite() {
            Ok(())
        } else {
            bad(": NaN or Infinity (JSON.stringify would send null)")
        };
    }
    if v.is_string() {
        return if well_formed(v) {
            Ok(())
        } else {
            bad(SURROGATE)
        };
    }
    if v.is_undefined() || v.is_function() || v.is_symbol() {
        return bad(
            ": undefined, a function or a symbol (JSON.stringify would leave it out, or send null)",
        );
    }
    if v.is_bigint() {
        return bad(": a BigInt (JSON.stringify cannot write it: pass a number or a string)");
    }
    if depth >= 64 {
        return bad(": nested more than 64 levels deep (or a cycle)");
    }
    if Array::is_array(v) {
        for (i, x) in v.unchecked_ref::<Array>().iter().enumerate() {
            let mut p = String::from(path);
            p.push('[');
            push_u64(&mut p, i as u64);
            p.push(']');
            exact_json(&x, &p, depth + 1)?;
        }
        return Ok(());
    }
    // A plain object's prototype is `Object.prototype` (whose own prototype is null) or null.
    let proto = Object::get_prototype_of(v);
    if !(proto.is_null() || Object::get_prototype_of(&proto).is_null()) {
        return bad(": not a plain object or array (a Date, Map or class instance: JSON.stringify would write its toJSON or {})");
    }
    let o = v.unchecked_ref::<Object>();
    if Object::get_own_property_symbols(o).length() > 0 {
        return bad(": has symbol keys (JSON.stringify would leave them out)");
    }
    for key in Object::keys(o).iter() {
        let Some(Ok(k)) = js_str(&key) else {
            return bad(concat(&[": a key", SURROGATE_KEY]).as_str());
        };
        let x = Reflect::get(v, &key).unwrap_or(JsValue::UNDEFINED);
        exact_json(&x, &concat(&[path, ".", &k]), depth + 1)?;
    }
    Ok(())
}
