//! Reading JavaScript values: property names made once, strings checked for lone surrogates,
//! and the generic readers (strings, numbers, booleans, objects) that every other reader uses.
//! Every failure is an `InvalidArgument` naming its field, never its value (so no secret can end
//! up in a message).

use alloc::string::String;

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::client::Error;
use crate::core::attempts::concat;
use crate::core::text::{self, find};
use crate::core::HttpMethod;

#[cold]
#[inline(never)]
pub fn invalid(message: impl Into<String>) -> Error {
    Error::invalid(message)
}

/// `o[key]`, or `undefined` when `o` is not an object.
pub fn get(o: &JsValue, key: &'static str) -> JsValue {
    if !o.is_object() && !o.is_function() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(o, &name(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `key` as a JavaScript string, made once: reading an option or a request's field, or writing
/// a result's, would otherwise decode a new string on every call.
pub(crate) use crate::client::js_name as name;

/// `v` as a Rust string when it is a JavaScript string; `Some(Err(()))` when it holds a lone
/// UTF-16 surrogate, which `as_string` would turn into U+FFFD (so something else would be sent).
pub(crate) fn js_str(v: &JsValue) -> Option<Result<String, ()>> {
    let s = v.as_string()?;
    // A lone surrogate comes out as U+FFFD: only then ask the engine whether the string had one
    // or a real U+FFFD (js-sys's `is_valid_utf16` makes one call per code unit).
    // (`core::text`'s plain scans: core's bring searchers of their own.)
    // (A byte test first: U+FFFD is EF BF BD in UTF-8, and most strings hold no 0xEF at all.)
    Some(
        if text::position(s.as_bytes(), 0xEF).is_some()
            && find(&s, "\u{FFFD}").is_some()
            && !well_formed(v)
        {
            Err(())
        } else {
            Ok(s)
        },
    )
}

#[wasm_bindgen]
extern "C" {
    /// A JavaScript string, for its ES2024 methods.
    type Text;
    /// `String.prototype.isWellFormed`: no lone surrogate.
    #[wasm_bindgen(method, js_name = isWellFormed)]
    fn is_well_formed(this: &Text) -> bool;
}

pub(crate) fn well_formed(v: &JsValue) -> bool {
    v.unchecked_ref::<Text>().is_well_formed()
}

pub(crate) const SURROGATE: &str = ": holds a lone UTF-16 surrogate (it would be sent as U+FFFD)";
pub(crate) const SURROGATE_KEY: &str =
    " holds a lone UTF-16 surrogate (it would be sent as U+FFFD)";

/// `v`'s items as strings; `None` when `v` is not an array or one of them is not a string.
pub(crate) fn string_items(v: &JsValue) -> Option<Vec<String>> {
    if !js_sys::Array::is_array(v) {
        return None;
    }
    let mut out = Vec::new();
    for item in js_sys::Array::from(v).iter() {
        out.push(item.as_string()?);
    }
    Some(out)
}

pub(crate) fn present(v: &JsValue) -> bool {
    !v.is_undefined() && !v.is_null()
}

pub(crate) fn is_plain_object(v: &JsValue) -> bool {
    v.is_object() && !Array::is_array(v)
}

#[cold]
#[inline(never)]
pub(crate) fn field(ctx: &str, key: &str, what: &str) -> Error {
    invalid(concat(&[ctx, ".", key, what]))
}

/// `ctx.key: unknown option (known: a, b)`. (A loop: `[&str]::join` brings a generic copier of
/// its own, 1 KB of wasm.)
#[cold]
#[inline(never)]
fn unknown_option(ctx: &str, key: &str, allowed: &[&str]) -> Error {
    let mut known = String::new();
    for (i, name) in allowed.iter().enumerate() {
        if i > 0 {
            known.push_str(", ");
        }
        known.push_str(name);
    }
    field(
        ctx,
        key,
        &concat(&[": unknown option (known: ", &known, ")"]),
    )
}

/// Refuses keys of `o` other than `allowed`.
#[inline(never)]
pub(crate) fn check_keys(o: &JsValue, allowed: &[&str], ctx: &str) -> Result<(), Error> {
    if !is_plain_object(o) {
        return Ok(());
    }
    for k in Object::keys(o.unchecked_ref::<Object>()).iter() {
        let k = k.as_string().unwrap_or_default();
        if !allowed.contains(&k.as_str()) {
            return Err(unknown_option(ctx, &k, allowed));
        }
    }
    Ok(())
}

/// An optional string; the empty string counts as absent.
pub(crate) fn opt_string(
    o: &JsValue,
    key: &'static str,
    ctx: &str,
) -> Result<Option<String>, Error> {
    let v = get(o, key);
    if !present(&v) {
        return Ok(None);
    }
    let s = match js_str(&v) {
        Some(Ok(s)) => s,
        Some(Err(())) => return Err(field(ctx, key, SURROGATE)),
        None => return Err(field(ctx, key, ": must be a string")),
    };
    Ok(Some(s).filter(|s| !s.is_empty()))
}

pub(crate) fn required_string(o: &JsValue, key: &'static str, ctx: &str) -> Result<String, Error> {
    opt_string(o, key, ctx)?.ok_or_else(|| field(ctx, key, " is required (a non-empty string)"))
}

pub(crate) fn opt_number(o: &JsValue, key: &'static str, ctx: &str) -> Result<Option<f64>, Error> {
    let v = get(o, key);
    if !present(&v) {
        return Ok(None);
    }
    match v.as_f64() {
        Some(n) if n.is_finite() => Ok(Some(n)),
        _ => Err(field(ctx, key, ": must be a finite number")),
    }
}

/// A deadline in ms, rounded up to a whole number. Only its type is checked here: its range
/// (1 to 2^31-1, what a timer holds) is the client's to check, and a value outside it (negative,
/// too large) saturates to one the client refuses with its message.
pub(crate) fn opt_timeout(o: &JsValue, key: &'static str, ctx: &str) -> Result<Option<u32>, Error> {
    Ok(opt_number(o, key, ctx)?.map(|n| n.ceil() as u32))
}

pub(crate) fn opt_bool(o: &JsValue, key: &'static str, ctx: &str) -> Result<Option<bool>, Error> {
    let v = get(o, key);
    if !present(&v) {
        return Ok(None);
    }
    v.as_bool()
        .map(Some)
        .ok_or_else(|| field(ctx, key, ": must be a boolean"))
}

pub(crate) fn opt_method(o: &JsValue, ctx: &str) -> Result<Option<HttpMethod>, Error> {
    let v = get(o, "method");
    if !present(&v) {
        return Ok(None);
    }
    v.as_string()
        .and_then(|s| s.parse().ok())
        .map(Some)
        .ok_or_else(|| field(ctx, "method", ": must be \"GET\" or \"POST\""))
}
