//! RPC parameters from JavaScript (`call`, `presign`, `signRpc`): a params object's own keys
//! and scalar values, in order. The names most requests carry are looked up in a `Map` made
//! once instead of copied out of the engine.

use alloc::string::String;
use alloc::vec::Vec;

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::js::{field, invalid, is_plain_object, js_str, present, SURROGATE, SURROGATE_KEY};
use crate::client::{Error, Params};
use crate::core::attempts::concat;
use crate::core::request::RESERVED_PARAMS;

#[wasm_bindgen(typescript_custom_section)]
const TS_PARAMS: &'static str = r#"
/** A parameter value: numbers and booleans are stringified as JavaScript does; `null`/`undefined` are left out. */
export type ParamValue = string | number | boolean | null | undefined;
/** RPC parameters by name. */
export type Params = Record<string, ParamValue>;
"#;

/// Parameter names most requests carry besides the common ones ([`RESERVED_PARAMS`]): the
/// device calls'.
const DEVICE_PARAMS: [&str; 9] = [
    "RegionId",
    "IotInstanceId",
    "ProductKey",
    "DeviceName",
    "IotId",
    "Identifier",
    "Args",
    "Items",
    "Qos",
];

/// The `i`-th known parameter name: the common ones, then the device calls'.
fn known_param(i: usize) -> Option<&'static str> {
    match i.checked_sub(RESERVED_PARAMS.len()) {
        None => RESERVED_PARAMS.get(i).copied(),
        Some(j) => DEVICE_PARAMS.get(j).copied(),
    }
}

#[wasm_bindgen]
extern "C" {
    /// A `Map` from the known parameter names to their index ([`known_param`]).
    #[wasm_bindgen(extends = js_sys::Map)]
    type NameIndex;
    #[wasm_bindgen(method, js_name = get)]
    fn index_of(this: &NameIndex, name: &JsValue) -> Option<u32>;
}

std::thread_local! {
    static KNOWN: NameIndex = {
        let map = js_sys::Map::new();
        for (i, name) in RESERVED_PARAMS.iter().chain(&DEVICE_PARAMS).enumerate() {
            map.set(&JsValue::from_str(name), &JsValue::from(i as u32));
        }
        map.unchecked_into()
    };
}

/// A parameter name as [`js_str`] reads it; a known name is looked up in the engine instead of
/// copied out of it (one lookup, no memory written: most of a request's names are known).
fn param_name(key: &JsValue) -> Option<Result<ParamName, ()>> {
    let known = KNOWN.with(|m| m.index_of(key));
    match known.and_then(|i| known_param(i as usize)) {
        Some(name) => Some(Ok(ParamName::Borrowed(name))),
        None => js_str(key).map(|r| r.map(ParamName::Owned)),
    }
}

/// The value of a parameter as sent, or `None` to leave it out.
fn param_value(v: &JsValue, ctx: &str, key: &str) -> Result<Option<String>, Error> {
    if let Some(s) = js_str(v) {
        return s.map(Some).map_err(|()| field(ctx, key, SURROGATE));
    }
    if let Some(b) = v.as_bool() {
        return Ok(Some(String::from(if b { "true" } else { "false" })));
    }
    if let Some(n) = v.as_f64() {
        if !n.is_finite() {
            return Err(field(
                ctx,
                key,
                ": NaN or Infinity is not a parameter value",
            ));
        }
        return Ok(crate::client::number_text(v));
    }
    if !present(v) {
        return Ok(None);
    }
    let got = if Array::is_array(v) {
        String::from("an array")
    } else {
        concat(&["a ", &v.js_typeof().as_string().unwrap_or_default()])
    };
    Err(invalid(concat(&[
        ctx,
        ".",
        key,
        ": must be a string, number or boolean (got ",
        &got,
        "); serialize objects with JSON.stringify",
    ])))
}

/// A parameter name: the crate's own string when it is a known one (no copy, no allocation).
pub type ParamName = alloc::borrow::Cow<'static, str>;

/// A params object as `(name, value)` pairs (own enumerable keys, in order).
pub fn params(o: &JsValue, ctx: &str) -> Result<Params, Error> {
    let pairs = param_pairs(o, ctx)?;
    let mut out = Vec::with_capacity(pairs.len());
    for (k, v) in pairs {
        out.push((k.into_owned(), v));
    }
    Ok(out)
}

/// [`params`], each known name borrowed from the crate (what `signRpc` signs from).
pub fn param_pairs(o: &JsValue, ctx: &str) -> Result<Vec<(ParamName, String)>, Error> {
    if !is_plain_object(o) {
        return Err(invalid(concat(&[
            ctx,
            ": must be a plain object of strings",
        ])));
    }
    let keys = Object::keys(o.unchecked_ref::<Object>());
    let mut out = Vec::with_capacity(keys.length() as usize);
    for key in keys.iter() {
        let value = Reflect::get(o, &key).unwrap_or(JsValue::UNDEFINED);
        let Some(Ok(k)) = param_name(&key) else {
            return Err(invalid(concat(&[ctx, ": a parameter name", SURROGATE_KEY])));
        };
        if let Some(v) = param_value(&value, ctx, &k)? {
            out.push((k, v));
        }
    }
    Ok(out)
}
