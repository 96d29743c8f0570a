//! Device requests from JavaScript, read by the action catalog: the device as the action
//! addresses it, `iotInstanceId`, then each field of its [`ActionSpec`] by its JavaScript name.
//! The request declarations are the catalog's (`REQUESTS_TS`).

use alloc::string::String;
use alloc::vec::Vec;

use wasm_bindgen::prelude::*;

use super::js::{
    check_keys, field, get, invalid, is_plain_object, opt_number, opt_string, present,
};
use super::payload::json_object;
use crate::client::{Device, Error, Payload, Request, Target};
use crate::core::action::{ActionSpec, Addressing, Field, FieldKind};
use crate::core::attempts::{concat, push_u64};

#[wasm_bindgen(typescript_custom_section)]
const TS_REQUESTS: &'static str = crate::core::action::REQUESTS_TS;

#[wasm_bindgen(typescript_custom_section)]
const TS_TARGETS: &'static str = r#"
/** A target of a bulk call: a device by `iotId`, or by `productKey` + `deviceName`. */
export type DeviceTarget =
  | { iotId: string; productKey?: string; deviceName?: string }
  | { iotId?: string; productKey: string; deviceName: string };
"#;

pub(crate) fn request_object(r: &JsValue, ctx: &str) -> Result<(), Error> {
    if is_plain_object(r) {
        Ok(())
    } else {
        Err(invalid(concat(&[ctx, ": expected a request object"])))
    }
}

/// The device of a request object.
pub fn device(r: &JsValue, ctx: &str) -> Result<Device, Error> {
    request_object(r, ctx)?;
    Ok(Device {
        iot_id: opt_string(r, "iotId", ctx)?,
        product_key: opt_string(r, "productKey", ctx)?,
        device_name: opt_string(r, "deviceName", ctx)?,
    })
}

fn names(r: &JsValue, ctx: &str) -> Result<Vec<String>, Error> {
    let v = get(r, "deviceNames");
    if !present(&v) {
        return Ok(Vec::new());
    }
    super::js::string_items(&v)
        .ok_or_else(|| field(ctx, "deviceNames", ": must be an array of strings"))
}

/// A request to `spec`'s action read from the object `r` by the catalog: the device as the
/// action addresses it, `iotInstanceId`, then each field by its JavaScript name; checked by
/// [`Request::new`].
pub fn request(spec: &'static ActionSpec, r: &JsValue) -> Result<Request, Error> {
    let ctx = spec.method.unwrap_or(spec.name);
    request_object(r, ctx)?;
    // A misspelt field (`arg` for `args`) is refused, never sent without it.
    let mut known: Vec<&str> = Vec::with_capacity(4 + spec.fields.len());
    known.extend_from_slice(match spec.addressing {
        Addressing::Device => &["iotId", "productKey", "deviceName"][..],
        Addressing::DeviceNames => &["productKey", "deviceNames"],
        Addressing::None => &[],
    });
    known.push("iotInstanceId");
    for f in spec.fields {
        known.push(f.js);
    }
    check_keys(r, &known, ctx)?;
    let mut device_names = Vec::new();
    let mut product_key = String::new();
    let mut one = Device::default();
    match spec.addressing {
        Addressing::Device => one = device(r, ctx)?,
        Addressing::DeviceNames => {
            product_key = opt_string(r, "productKey", ctx)?.unwrap_or_default();
            device_names = names(r, ctx)?;
        }
        Addressing::None => {}
    }
    let instance = opt_string(r, "iotInstanceId", ctx)?;
    let mut texts: Vec<Option<(String, Payload)>> = Vec::with_capacity(spec.fields.len());
    for f in spec.fields {
        texts.push(value(r, f, ctx)?);
    }
    let mut values: Vec<Option<(&str, Payload)>> = Vec::with_capacity(texts.len());
    for t in &texts {
        values.push(t.as_ref().map(|(s, p)| (s.as_str(), *p)));
    }
    let target = match spec.addressing {
        Addressing::Device => Target::Device(&one),
        Addressing::DeviceNames => Target::Names {
            product_key: &product_key,
            device_names: &device_names,
        },
        Addressing::None => Target::None,
    };
    Request::new(spec, target, instance.as_deref(), &values)
}

/// One field's value as the request sends it: `None` when absent.
fn value(r: &JsValue, f: &'static Field, ctx: &str) -> Result<Option<(String, Payload)>, Error> {
    match f.kind {
        FieldKind::JsonObject(_) => {
            let v = get(r, f.js);
            if !present(&v) {
                return Ok(None);
            }
            json_object(&v, &concat(&[ctx, ".", f.js])).map(Some)
        }
        FieldKind::Integer { .. } => Ok(opt_number(r, f.js, ctx)?.map(|n| {
            let mut s = String::new();
            if n.fract() == 0.0 && n.abs() < 1e15 {
                if n < 0.0 {
                    s.push('-');
                }
                push_u64(&mut s, n.abs() as u64);
            } else {
                // Not a whole number (or far out of any field's range): refused by the
                // request's check, which names the field.
                s.push_str("NaN");
            }
            (s, Payload::AsWritten)
        })),
        FieldKind::Name | FieldKind::Text => {
            Ok(opt_string(r, f.js, ctx)?.map(|s| (s, Payload::AsWritten)))
        }
    }
}

#[cfg(feature = "fleet")]
/// The targets of a bulk call: an array of device objects.
pub fn targets(v: &JsValue, ctx: &str) -> Result<Vec<Device>, Error> {
    if !js_sys::Array::is_array(v) {
        return Err(invalid(concat(&[
            ctx,
            ": targets must be an array of devices ({ productKey, deviceName } or { iotId })",
        ])));
    }
    // (Plain loops rather than collecting `Result`s: each such collect is its own iterator
    // adapter in the wasm.)
    let mut devices = Vec::new();
    for (i, t) in js_sys::Array::from(v).iter().enumerate() {
        let mut c = concat(&[ctx, ".targets["]);
        push_u64(&mut c, i as u64);
        c.push(']');
        check_keys(&t, &["iotId", "productKey", "deviceName"], &c)?;
        devices.push(device(&t, &c)?);
    }
    Ok(devices)
}
