//! Live values in JavaScript: `watch()`, an async iterator over the client's [`Watch`] (the
//! snapshot, then the relay's stream), its items as plain objects, its values typed by the
//! thing model as `propertyHistory` types them.

use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::error::to_js;
use super::iot_client::IotClient;
use super::js::{check_keys, get, invalid, opt_bool, opt_number, opt_string, opt_timeout, present};
use super::promise;
use crate::client::{Client, Device, Error, Watch, WatchHandle, WatchItem, WatchOptions};
use crate::core::live::{Change, ConnectionState};
use crate::core::thing_model::ThingModel;

#[wasm_bindgen(typescript_custom_section)]
const TS_WATCH: &'static str = r#"
/** The live stream's connection: opening, messages flowing, broken and retrying, or closed. */
export type WatchState = "connecting" | "live" | "reconnecting" | "closed";

export interface WatchOptions {
  /** The relay's stream: the dashboard backend's Server-Sent Events. Default `"/events"`. */
  url?: string;
  /** The devices whose properties are read first (`QueryDevicePropertyStatus`) and followed; default every device the stream carries, with no first read. */
  devices?: { productKey: string; deviceName: string }[];
  /** Only these properties; default all. */
  properties?: string[];
  /** Also yield events and asynchronous calls' replies. Default false. */
  messages?: boolean;
  /** Values typed by the product's thing model, as `propertyHistory` types them. Default true. */
  typed?: boolean;
  /** The first delay before opening again a stream that failed, ms (doubling). Default 1,000. */
  retryMs?: number;
  /** The longest delay between two openings, ms. Default 30,000. */
  maxRetryMs?: number;
  /** The first reads' deadline (the client's `timeoutMs` by default). */
  timeoutMs?: number;
  /** Closes the watch when it fires. */
  signal?: AbortSignal;
}

/** A device as the stream names it. */
export interface WatchDevice {
  productKey: string;
  deviceName: string;
}

/** One thing `watch()` yields. */
export type WatchItem =
  | {
      type: "property";
      device: WatchDevice;
      identifier: string;
      /** Typed by the thing model where known (see `typed`), else the text sent. */
      value: number | bigint | string;
      /** The value as the platform sent it (JSON for a struct or array). */
      rawValue: string;
      /** When the device reported it, Unix ms. */
      time: number;
    }
  | { type: "status"; device: WatchDevice; online: boolean; time: number }
  | { type: "state"; state: WatchState }
  /** The relay dropped messages for this page: values may be stale. The watch reads its `devices` again; with none, read again what the page shows. */
  | { type: "gap" }
  | {
      type: "event" | "reply";
      device: WatchDevice;
      /** The stream's event id. */
      id: number;
      /** The relay's data: for `reply`, `{ requestId, service, code, message, time, data }` (`requestId` is the call's `messageId`); for `event`, `{ identifier, name, eventType, time, value }`. */
      data: any;
    };

/** `for await (const item of client.watch({ devices }))`: values as they change, until `close()` or `break`. */
export interface LiveWatch extends AsyncIterableIterator<WatchItem> {
  next(): Promise<IteratorResult<WatchItem, undefined>>;
  return(): Promise<IteratorResult<WatchItem, undefined>>;
}
"#;

/// What `watch()` returns: an async iterator of [`WatchItem`]s with its state and `close()`.
#[wasm_bindgen]
pub struct LiveWatch {
    watch: Rc<RefCell<Option<Watch>>>,
    handle: WatchHandle,
    client: Client,
    typed: bool,
    abort: Option<(web_sys::AbortSignal, Closure<dyn FnMut()>)>,
}

fn state_name(s: ConnectionState) -> &'static str {
    match s {
        ConnectionState::Connecting => "connecting",
        ConnectionState::Live => "live",
        ConnectionState::Reconnecting => "reconnecting",
        ConnectionState::Closed => "closed",
    }
}

/// A plain object of `fields`. (Not `super::record`: its arrays of owned, optional values
/// need drop glue of their own inside `item_out`'s async state, 443 bytes gzip more.)
fn object(fields: &[(&str, &JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in fields {
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o.into()
}

/// The `productKey` and `deviceName` of a `productKey/deviceName` key.
fn device_parts(key: &str) -> (&str, &str) {
    crate::core::text::split_once(key, b'/').unwrap_or(("", key))
}

/// `{ productKey, deviceName }` of a `productKey/deviceName` key.
fn device_out(key: &str) -> JsValue {
    let (product_key, device_name) = device_parts(key);
    object(&[
        ("productKey", &JsValue::from_str(product_key)),
        ("deviceName", &JsValue::from_str(device_name)),
    ])
}

fn text(s: &str) -> JsValue {
    JsValue::from_str(s)
}

/// An item as the object `next()` gives; `model` types a property's value.
fn item_out(model: Option<&ThingModel>, item: &WatchItem) -> JsValue {
    match item {
        WatchItem::Gap => object(&[("type", &text("gap"))]),
        WatchItem::State(s) => {
            object(&[("type", &text("state")), ("state", &text(state_name(*s)))])
        }
        WatchItem::Change(Change::Presence { device, presence }) => object(&[
            ("type", &text("status")),
            ("device", &device_out(device)),
            ("online", &JsValue::from_bool(presence.online)),
            ("time", &JsValue::from_f64(presence.version.time_ms as f64)),
        ]),
        WatchItem::Change(Change::Property {
            device,
            identifier,
            value,
        }) => object(&[
            ("type", &text("property")),
            ("device", &device_out(device)),
            ("identifier", &text(identifier)),
            (
                "value",
                &super::reads::typed_value(model, identifier, &value.value),
            ),
            ("rawValue", &text(&value.value)),
            ("time", &JsValue::from_f64(value.version.time_ms as f64)),
        ]),
        WatchItem::Message {
            kind,
            device,
            id,
            data,
        } => object(&[
            ("type", &text(kind)),
            ("device", &device_out(device)),
            ("id", &JsValue::from_f64(*id as f64)),
            (
                "data",
                &crate::client::json_parse(&text(data)).unwrap_or(JsValue::NULL),
            ),
        ]),
    }
}

#[wasm_bindgen]
impl LiveWatch {
    /// The next item (`{ value, done: false }`), or `{ value: undefined, done: true }` once
    /// closed.
    #[wasm_bindgen(unchecked_return_type = "Promise<IteratorResult<WatchItem, undefined>>")]
    pub fn next(&self) -> Promise {
        let watch = self.watch.clone();
        let client = self.client.clone();
        let typed = self.typed;
        promise(Box::pin(async move {
            let Some(mut w) = watch.borrow_mut().take() else {
                return Err(to_js(&invalid(
                    "next() was called before the previous next() settled",
                )));
            };
            let got = w.next().await;
            // A property's model, fetched once per client; without one, the text sent.
            let mut model = None;
            if let Some(Ok(WatchItem::Change(Change::Property { device, .. }))) = &got {
                if typed {
                    model = client.thing_model(device_parts(device).0).await.ok();
                }
            }
            let out = match &got {
                None => Ok(None),
                Some(Ok(item)) => Ok(Some(item_out(model.as_deref(), item))),
                Some(Err(e)) => Err(to_js(e)),
            };
            watch.borrow_mut().replace(w);
            out.map(super::iterator_result)
        }))
    }

    /// Closes the stream (a `for await` loop's `break` calls it).
    #[wasm_bindgen(
        js_name = "return",
        unchecked_return_type = "Promise<IteratorResult<WatchItem, undefined>>"
    )]
    pub fn return_(&self) -> Promise {
        self.close();
        Promise::resolve(&super::iterator_result(None))
    }

    /// Closes the stream for good: a pending `next()` gives `{ type: "state", state: "closed" }`,
    /// then the iterator is done.
    pub fn close(&self) {
        self.handle.close();
        if let Some((s, f)) = &self.abort {
            let _ = s.remove_event_listener_with_callback("abort", f.as_ref().unchecked_ref());
        }
    }

    /// The stream's connection state now.
    #[wasm_bindgen(getter, unchecked_return_type = "WatchState")]
    pub fn state(&self) -> JsValue {
        JsValue::from_str(state_name(self.handle.state()))
    }
}

/// `{ productKey, deviceName }` objects.
fn devices(o: &JsValue) -> Result<Vec<Device>, Error> {
    let v = get(o, "devices");
    if !present(&v) {
        return Ok(Vec::new());
    }
    let bad = || {
        super::js::field(
            "watch",
            "devices",
            ": an array of { productKey, deviceName }",
        )
    };
    if !Array::is_array(&v) {
        return Err(bad());
    }
    let mut out = Vec::new();
    for d in Array::from(&v).iter() {
        if !super::js::is_plain_object(&d) {
            return Err(bad());
        }
        check_keys(&d, &["productKey", "deviceName"], "watch: devices[]")?;
        let pk = opt_string(&d, "productKey", "watch: devices[]")?;
        let dn = opt_string(&d, "deviceName", "watch: devices[]")?;
        match (pk, dn) {
            (Some(pk), Some(dn)) => out.push(Device::by_name(pk, dn)),
            _ => return Err(bad()),
        }
    }
    Ok(out)
}

fn strings(o: &JsValue, key: &'static str) -> Result<Vec<String>, Error> {
    let v = get(o, key);
    if !present(&v) {
        return Ok(Vec::new());
    }
    super::js::string_items(&v)
        .ok_or_else(|| super::js::field("watch", key, ": an array of strings"))
}

fn delay(o: &JsValue, key: &'static str, default: u32) -> Result<u32, Error> {
    match opt_number(o, key, "watch")? {
        None => Ok(default),
        Some(n) if n.fract() == 0.0 && (1.0..=3_600_000.0).contains(&n) => Ok(n as u32),
        Some(_) => Err(super::js::field("watch", key, ": whole ms, 1 to 3,600,000")),
    }
}

#[wasm_bindgen]
impl IotClient {
    /// Live values: reads the devices' properties, then follows the dashboard backend's stream
    /// of the platform's messages (Server-Sent Events at `url`), as an async iterator.
    #[wasm_bindgen(unchecked_return_type = "LiveWatch")]
    pub fn watch(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "WatchOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        (|| {
            const CTX: &str = "watch";
            let o = options;
            let mut w = WatchOptions::new("/events");
            let mut typed = true;
            let mut abort = None;
            if present(&o) {
                if !super::js::is_plain_object(&o) {
                    return Err(invalid("watch: options must be an object"));
                }
                check_keys(
                    &o,
                    &[
                        "url",
                        "devices",
                        "properties",
                        "messages",
                        "typed",
                        "retryMs",
                        "maxRetryMs",
                        "timeoutMs",
                        "signal",
                    ],
                    CTX,
                )?;
                if let Some(url) = opt_string(&o, "url", CTX)? {
                    w.url = url;
                }
                w.devices = devices(&o)?;
                w.properties = strings(&o, "properties")?;
                w.messages = opt_bool(&o, "messages", CTX)?.unwrap_or(false);
                typed = opt_bool(&o, "typed", CTX)?.unwrap_or(true);
                w.retry_ms = delay(&o, "retryMs", w.retry_ms)?;
                w.max_retry_ms = delay(&o, "maxRetryMs", w.max_retry_ms)?;
                w.call.timeout_ms = opt_timeout(&o, "timeoutMs", CTX)?;
                abort = super::reads::signal(&o, CTX)?;
            }
            let watch = self.client.watch(w)?;
            let handle = watch.handle();
            let abort = abort.map(|s| {
                let h = handle.clone();
                let f = Closure::<dyn FnMut()>::new(move || h.close());
                if s.aborted() {
                    handle.close();
                } else {
                    let _ = s.add_event_listener_with_callback("abort", f.as_ref().unchecked_ref());
                }
                (s, f)
            });
            Ok(super::async_iterable(
                LiveWatch {
                    watch: Rc::new(RefCell::new(Some(watch))),
                    handle,
                    client: self.client.clone(),
                    typed,
                    abort,
                }
                .into(),
            ))
        })()
        .map_err(|e: Error| to_js(&e))
    }
}
