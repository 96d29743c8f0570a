//! The fleet requests from JavaScript: `invokeMany`'s service call, `setPropertyMany`'s property
//! set, and the options of both.

use js_sys::Function;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::js::{check_keys, field, get, opt_bool, opt_number, opt_string, opt_timeout, present};
use super::payload::json_object;
use crate::client::{BulkOptions, Error, Payload, Progress, PropertySet, ServiceCall};
use crate::core::attempts::concat;

#[wasm_bindgen(typescript_custom_section)]
const TS_BULK: &'static str = r#"
/** The service call of `invokeMany`, the same for every target. */
export interface BulkServiceCall {
  identifier: string;
  /** An object (sent with JSON.stringify) or a JSON object string. */
  args?: Record<string, unknown> | string;
  iotInstanceId?: string;
}

/** The property set of `setPropertyMany`, the same for every target. */
export interface BulkPropertySet {
  items: Record<string, unknown> | string;
  iotInstanceId?: string;
}

/** How far a bulk call is: settled targets, of which ok and failed. */
export interface BulkProgress {
  done: number;
  total: number;
  ok: number;
  failed: number;
}

/** Options of `invokeMany` and `setPropertyMany`. */
export interface BulkOptions {
  /** Calls in flight at once, 1 to 256. Default 16. */
  concurrency?: number;
  /** Calls started in any one second at most (shared by every bulk call of the client, slower after throttling). Default and maximum: the platform's limit, 500 (10 with `batch`). */
  qps?: number;
  /** Stops starting calls: those in flight settle, the rest are `not_sent` (`Aborted`). */
  signal?: AbortSignal;
  /** Called at most every 100 ms, and once at the end. */
  onProgress?: (progress: BulkProgress) => void;
  /** One InvokeThingsService / SetDevicesProperty per 100 devices (asynchronous services; every target by productKey + deviceName of one product). */
  batch?: boolean;
  /** The deadline of each call, ms. Default: the client's. */
  timeoutMs?: number;
  /** Check `args`/`items` against each product's thing model once, before any call. */
  checkArgs?: boolean;
}
"#;

/// `invokeMany`'s service call.
pub fn service_call(r: &JsValue) -> Result<(ServiceCall, Payload), Error> {
    const CTX: &str = "invokeMany";
    super::device::request_object(r, CTX)?;
    check_keys(r, &["identifier", "args", "iotInstanceId"], CTX)?;
    let (args, payload) = json_object(&get(r, "args"), "invokeMany.args")?;
    let call = ServiceCall {
        identifier: opt_string(r, "identifier", CTX)?.unwrap_or_default(),
        args,
        iot_instance_id: opt_string(r, "iotInstanceId", CTX)?,
    };
    Ok((call, payload))
}

/// `setPropertyMany`'s property set.
pub fn property_set(r: &JsValue) -> Result<(PropertySet, Payload), Error> {
    const CTX: &str = "setPropertyMany";
    super::device::request_object(r, CTX)?;
    check_keys(r, &["items", "iotInstanceId"], CTX)?;
    let v = get(r, "items");
    if !present(&v) {
        return Err(super::js::invalid(concat(&[CTX, ".items is required"])));
    }
    let (items, payload) = json_object(&v, "setPropertyMany.items")?;
    let set = PropertySet {
        items,
        iot_instance_id: opt_string(r, "iotInstanceId", CTX)?,
    };
    Ok((set, payload))
}

/// The options of a bulk call.
pub fn bulk_options(o: &JsValue, ctx: &str) -> Result<BulkOptions, Error> {
    let mut out = BulkOptions::default();
    if !present(o) {
        return Ok(out);
    }
    let ctx = &concat(&[ctx, ": options"]);
    check_keys(
        o,
        &[
            "concurrency",
            "qps",
            "signal",
            "onProgress",
            "batch",
            "timeoutMs",
            "checkArgs",
        ],
        ctx,
    )?;
    if let Some(n) = opt_number(o, "concurrency", ctx)? {
        if n.fract() != 0.0 || !(1.0..=256.0).contains(&n) {
            return Err(field(
                ctx,
                "concurrency",
                ": must be a whole number from 1 to 256",
            ));
        }
        out.concurrency = n as u32;
    }
    out.qps = opt_number(o, "qps", ctx)?;
    out.timeout_ms = opt_timeout(o, "timeoutMs", ctx)?;
    out.check_args = opt_bool(o, "checkArgs", ctx)?;
    let signal = get(o, "signal");
    if present(&signal) {
        out.signal = Some(
            signal
                .dyn_into::<web_sys::AbortSignal>()
                .map_err(|_| field(ctx, "signal", ": must be an AbortSignal"))?,
        );
    }
    out.batch = opt_bool(o, "batch", ctx)?.unwrap_or(false);
    let f = get(o, "onProgress");
    if present(&f) {
        let f: Function = f
            .dyn_into()
            .map_err(|_| field(ctx, "onProgress", ": must be a function"))?;
        out.on_progress = Some(alloc::rc::Rc::new(move |p: Progress| {
            // A callback that throws must not stop the calls.
            let _ = f.call1(&JsValue::NULL, &super::output::progress(p));
        }));
    }
    Ok(out)
}
