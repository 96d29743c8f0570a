//! The read side in JavaScript: `devices` (an async iterator of a product's devices),
//! `deviceDetails`, and `propertyHistory`, `eventHistory`, `serviceHistory` (async iterators of
//! pages). Each reads its options here and runs the client's reader (`client::reads`).

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
use super::{number, promise, record, text};
use crate::client::{
    CallOptions, CallResult, Client, Device, DeviceDetail, DeviceInfo, DeviceListOptions,
    DevicePages, DeviceRecord, DeviceStatus, Error, HistoryOptions, HistoryPages, PageRequest,
    PropertyPoint, RecordPages, TaskPages,
};
use crate::core::thing_model::{DataKind, ThingModel};

#[wasm_bindgen(typescript_custom_section)]
const TS_READS: &'static str = r#"
/** A device's state, as the platform names it. */
export type DeviceStatusName = "ONLINE" | "OFFLINE" | "UNACTIVE" | "DISABLE";

/** One device of a product (`QueryDevice`). */
export interface DeviceInfo {
  deviceName: string;
  iotId: string;
  productKey: string;
  /** As the platform sent it (a name this version does not know is passed on). */
  status: DeviceStatusName | (string & {});
  /** Empty when none. */
  nickname: string;
}

/** One device's details (`BatchQueryDeviceDetail`). */
export interface DeviceDetail extends DeviceInfo {
  /** Empty when none. */
  firmwareVersion: string;
  /** When it first connected (empty when never). */
  utcActive: string;
}

export interface DevicesOptions {
  /** Only devices in this state. */
  status?: DeviceStatusName;
  /** Devices per request, 1 to 50. Default 50 (the fewest requests). */
  pageSize?: number;
  /** Stops the listing: the page in flight is cut, `next()` rejects with `Aborted`. */
  signal?: AbortSignal;
  /** Each page's deadline (the client's `timeoutMs` by default). */
  timeoutMs?: number;
}

/** `for await (const device of client.devices(productKey))`: pages of `QueryDevice` read as they are needed. */
export interface DeviceList extends AsyncIterableIterator<DeviceInfo> {
  next(): Promise<IteratorResult<DeviceInfo, undefined>>;
}

/** A time range read a page at a time. */
export interface HistoryRange {
  /** Start of the range: a `Date` or Unix ms (at most 30 days back, the platform's retention). */
  from: Date | number;
  /** End of the range, after `from`. */
  to: Date | number;
  /** `'asc'`, oldest first (the default), or `'desc'`, newest first. */
  order?: "asc" | "desc";
  /** Records per request: 1 to 50 (for several properties, 1 to 100 per property). The most by default. */
  pageSize?: number;
  /** Stops the reading: the page in flight is cut, `next()` rejects with `Aborted`. */
  signal?: AbortSignal;
  /** Each page's deadline (the client's `timeoutMs` by default). */
  timeoutMs?: number;
}

export interface PropertyHistoryOptions extends HistoryRange {
  /**
   * Values typed by the product's thing model (fetched once per client with `QueryThingModel`):
   * numbers for int, float, double, enum and bool properties (a `BigInt` for an integer
   * beyond 2^53). Default true when the device is given by `productKey`; with `false`, or a
   * device given by `iotId`, every `value` is the text sent.
   */
  typed?: boolean;
}

/** One point of a property's history. */
export interface PropertyPoint {
  identifier: string;
  /** When the device reported it, Unix ms. */
  time: number;
  /** Typed by the thing model where known (see `typed`), else the text sent. */
  value: number | bigint | string;
  /** The value as the platform sent it. */
  rawValue: string;
}

export interface EventHistoryOptions extends HistoryRange {
  type: "info" | "alert" | "error";
  /** One event's identifier; every event of `type` when absent. */
  identifier?: string;
}

export interface ServiceHistoryOptions extends HistoryRange {
  /** One service's identifier; every service when absent. */
  identifier?: string;
}

/** One event a device raised (`QueryDeviceEventData`). */
export interface EventRecord {
  time: number;
  identifier: string;
  name: string;
  eventType: string;
  /** The event's output, JSON text as sent. */
  outputData: string;
}

/** One service call a device answered (`QueryDeviceServiceData`). */
export interface ServiceRecord {
  time: number;
  identifier: string;
  name: string;
  /** JSON text as sent. */
  inputData: string;
  /** JSON text as sent. */
  outputData: string;
}

/** `for await (const page of client.propertyHistory(...))`: one array per request, as read. */
export interface HistoryPages<T> extends AsyncIterableIterator<T[]> {
  next(): Promise<IteratorResult<T[], undefined>>;
}
"#;

/// What a [`ReadIterator`] reads.
pub(super) enum Reader {
    Devices(DevicePages),
    Properties {
        pages: HistoryPages,
        client: Client,
        /// The product whose thing model types the values, until it is fetched.
        typing: Option<String>,
        model: Option<Rc<ThingModel>>,
    },
    Records(RecordPages),
    /// A job's tasks, one per `next()`.
    Tasks(TaskPages),
}

/// An async iterator over a read: one device, one task, or one page, per `next()`.
#[wasm_bindgen]
pub struct ReadIterator {
    reader: Rc<RefCell<Option<Reader>>>,
}

#[wasm_bindgen]
impl ReadIterator {
    /// The next device or page (`{ value, done: false }`), or `{ value: undefined, done: true }`.
    #[wasm_bindgen(unchecked_return_type = "Promise<IteratorResult<any, undefined>>")]
    pub fn next(&self) -> Promise {
        let reader = self.reader.clone();
        promise(Box::pin(async move {
            // Taken while a page is fetched: a second next() before the first settled is refused.
            let Some(mut r) = reader.borrow_mut().take() else {
                return Err(to_js(&invalid(
                    "next() was called before the previous next() settled",
                )));
            };
            let got = step(&mut r).await;
            reader.borrow_mut().replace(r);
            got.map(super::iterator_result).map_err(|e| to_js(&e))
        }))
    }
}

/// One `next()`: a device or task read before, or the next page's request sent (every read's
/// through one `PageRequest::send`) and its answer read.
async fn step(r: &mut Reader) -> Result<Option<JsValue>, Error> {
    if let Reader::Properties {
        client,
        typing,
        model,
        ..
    } = r
    {
        // Dropped once the model is read: a failed read is tried again by the next `next()`.
        if let Some(pk) = typing.as_deref() {
            *model = Some(client.thing_model(pk).await?);
            *typing = None;
        }
    }
    loop {
        if let Some(v) = r.ready() {
            return Ok(Some(v));
        }
        let Some(page) = r.request()? else {
            return Ok(None);
        };
        let answer = page.send().await?;
        if let Some(v) = r.answered(&answer) {
            return Ok(Some(v));
        }
    }
}

impl Reader {
    /// A device or task read before, without a request.
    fn ready(&mut self) -> Option<JsValue> {
        match self {
            Reader::Devices(pages) => pages.pop().map(|d| device_out(&d, None)),
            Reader::Tasks(pages) => pages.pop().map(|t| super::jobs::task(&t)),
            Reader::Properties { .. } | Reader::Records(_) => None,
        }
    }

    /// The next page's request, `None` after the last page.
    fn request(&mut self) -> Result<Option<PageRequest<'_>>, Error> {
        match self {
            Reader::Devices(pages) => Ok(pages.request()),
            Reader::Properties { pages, .. } => pages.request(),
            Reader::Records(pages) => pages.request(),
            Reader::Tasks(pages) => pages.request(),
        }
    }

    /// A page of points or records; `None` when the answer's devices or tasks were buffered.
    fn answered(&mut self, answer: &CallResult) -> Option<JsValue> {
        match self {
            Reader::Devices(pages) => {
                pages.answered(answer);
                None
            }
            Reader::Properties { pages, model, .. } => {
                Some(points_out(&pages.answered(answer), model.as_deref()))
            }
            Reader::Records(pages) => Some(records_out(&pages.answered(answer))),
            Reader::Tasks(pages) => {
                pages.answered(answer);
                None
            }
        }
    }
}

pub(super) fn iterator(reader: Reader) -> JsValue {
    super::async_iterable(
        ReadIterator {
            reader: Rc::new(RefCell::new(Some(reader))),
        }
        .into(),
    )
}

fn device_out(d: &DeviceInfo, detail: Option<&DeviceDetail>) -> JsValue {
    record(&[
        ("deviceName", text(&d.device_name)),
        ("iotId", text(&d.iot_id)),
        ("productKey", text(&d.product_key)),
        ("status", text(&d.status_name)),
        ("nickname", text(&d.nickname)),
        (
            "firmwareVersion",
            detail.and_then(|x| text(&x.firmware_version)),
        ),
        ("utcActive", detail.and_then(|x| text(&x.utc_active))),
    ])
}

/// A point's value as its property's type says: a number (exact: a `BigInt` beyond 2^53) for
/// the numeric types, else the text sent.
pub(super) fn typed_value(model: Option<&ThingModel>, identifier: &str, raw: &str) -> JsValue {
    let numeric = model
        .and_then(|m| m.property(identifier))
        .is_some_and(|prop| {
            matches!(
                prop.data_type.kind,
                DataKind::Int
                    | DataKind::Float
                    | DataKind::Double
                    | DataKind::Enum
                    | DataKind::Bool
            )
        });
    let text = JsValue::from_str(raw);
    if numeric {
        if let Ok(v) = crate::client::json_parse(&text) {
            if v.as_f64().is_some() || v.is_bigint() {
                return v;
            }
        }
    }
    text
}

fn points_out(page: &[PropertyPoint], model: Option<&ThingModel>) -> JsValue {
    let out = Array::new();
    for p in page {
        out.push(&record(&[
            ("identifier", text(&p.identifier)),
            ("time", number(p.time_ms as f64)),
            ("value", Some(typed_value(model, &p.identifier, &p.value))),
            ("rawValue", text(&p.value)),
        ]));
    }
    out.into()
}

fn records_out(page: &[DeviceRecord]) -> JsValue {
    let out = Array::new();
    for r in page {
        let event = !r.event_type.is_empty();
        out.push(&record(&[
            ("time", number(r.time_ms as f64)),
            ("identifier", text(&r.identifier)),
            ("name", text(&r.name)),
            ("eventType", if event { text(&r.event_type) } else { None }),
            ("inputData", if event { None } else { text(&r.input_data) }),
            ("outputData", text(&r.output_data)),
        ]));
    }
    out.into()
}

/// Unix ms from a `Date` or a number.
fn instant(o: &JsValue, key: &'static str, ctx: &str) -> Result<i64, Error> {
    let v = get(o, key);
    let ms = if let Some(d) = v.dyn_ref::<js_sys::Date>() {
        d.get_time()
    } else {
        v.as_f64().unwrap_or(f64::NAN)
    };
    if !ms.is_finite() || ms.fract() != 0.0 {
        return Err(super::js::field(ctx, key, ": a Date or Unix ms"));
    }
    Ok(ms as i64)
}

pub(super) fn signal(o: &JsValue, ctx: &str) -> Result<Option<web_sys::AbortSignal>, Error> {
    let s = get(o, "signal");
    if !present(&s) {
        return Ok(None);
    }
    s.dyn_into::<web_sys::AbortSignal>()
        .map(Some)
        .map_err(|_| super::js::field(ctx, "signal", ": must be an AbortSignal"))
}

fn page_size(o: &JsValue, ctx: &str) -> Result<Option<u32>, Error> {
    match opt_number(o, "pageSize", ctx)? {
        None => Ok(None),
        Some(n) if n.fract() == 0.0 && (1.0..=1000.0).contains(&n) => Ok(Some(n as u32)),
        Some(_) => Err(super::js::field(ctx, "pageSize", ": a whole number")),
    }
}

/// `{ from, to, order, pageSize, signal, timeoutMs }` and the keys a reader adds.
fn history_options(o: &JsValue, more: &[&str], ctx: &str) -> Result<HistoryOptions, Error> {
    if !super::js::is_plain_object(o) {
        return Err(invalid(crate::core::attempts::concat(&[
            ctx,
            ": options { from, to } are required",
        ])));
    }
    let mut keys: Vec<&str> = alloc::vec!["from", "to", "order", "pageSize", "signal", "timeoutMs"];
    keys.extend_from_slice(more);
    check_keys(o, &keys, ctx)?;
    let newest_first = match opt_string(o, "order", ctx)?.as_deref() {
        None | Some("asc") => false,
        Some("desc") => true,
        Some(_) => return Err(super::js::field(ctx, "order", ": \"asc\" or \"desc\"")),
    };
    Ok(HistoryOptions {
        from_ms: instant(o, "from", ctx)?,
        to_ms: instant(o, "to", ctx)?,
        newest_first,
        page_size: page_size(o, ctx)?,
        signal: signal(o, ctx)?,
        timeout_ms: opt_timeout(o, "timeoutMs", ctx)?,
    })
}

fn product_key(v: &JsValue, ctx: &str) -> Result<String, Error> {
    v.as_string().filter(|s| !s.is_empty()).ok_or_else(|| {
        invalid(crate::core::attempts::concat(&[
            ctx,
            ": productKey is required",
        ]))
    })
}

#[wasm_bindgen]
impl IotClient {
    /// Every device of a product, as an async iterator: `QueryDevice` pages read as they are
    /// needed (from the 10,000th device on with the `NextToken` the platform requires), each
    /// paced by the action's QPS, with the client's deadline and read retries.
    #[wasm_bindgen(unchecked_return_type = "DeviceList")]
    pub fn devices(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] product_key_: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "DevicesOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        (|| {
            const CTX: &str = "devices";
            let pk = product_key(&product_key_, CTX)?;
            let o = options;
            let mut list = DeviceListOptions::default();
            if present(&o) {
                check_keys(&o, &["status", "pageSize", "signal", "timeoutMs"], CTX)?;
                list.status = match opt_string(&o, "status", CTX)? {
                    None => None,
                    Some(s) => match DeviceStatus::from_name(&s) {
                        DeviceStatus::Other => {
                            return Err(super::js::field(
                                CTX,
                                "status",
                                ": \"ONLINE\", \"OFFLINE\", \"UNACTIVE\" or \"DISABLE\"",
                            ))
                        }
                        known => Some(known),
                    },
                };
                list.page_size = page_size(&o, CTX)?;
                list.signal = signal(&o, CTX)?;
                list.timeout_ms = opt_timeout(&o, "timeoutMs", CTX)?;
            }
            Ok(iterator(Reader::Devices(self.client.devices(&pk, &list)?)))
        })()
        .map_err(|e: Error| to_js(&e))
    }

    /// The details of any number of a product's devices (`BatchQueryDeviceDetail`, 100 at a
    /// time), in the order asked; names the product does not have are left out.
    #[wasm_bindgen(js_name = deviceDetails, unchecked_return_type = "Promise<DeviceDetail[]>")]
    pub fn device_details(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] product_key_: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string[]")] device_names: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        const CTX: &str = "deviceDetails";
        let read = (|| {
            let pk = product_key(&product_key_, CTX)?;
            let names = super::js::string_items(&device_names)
                .ok_or_else(|| invalid("deviceDetails: deviceNames must be an array of strings"))?;
            let o: CallOptions = super::iot_client::opts(options)?;
            Ok((pk, names, o))
        })();
        let (pk, names, o) = match read {
            Ok(r) => r,
            Err(e) => return Promise::reject(&to_js(&e)),
        };
        let client = self.client.clone();
        promise(Box::pin(async move {
            match client.device_details(&pk, &names, &o).await {
                Ok(details) => {
                    let out = Array::new();
                    for d in &details {
                        out.push(&device_out(&d.info, Some(d)));
                    }
                    Ok(out.into())
                }
                Err(e) => Err(to_js(&e)),
            }
        }))
    }

    /// The history of one property (`QueryDevicePropertyData`) or several
    /// (`QueryDevicePropertiesData`, 10 at a time) of a device in a time range, as an async
    /// iterator of pages of `{ identifier, time, value, rawValue }`.
    #[wasm_bindgen(js_name = propertyHistory, unchecked_return_type = "HistoryPages<PropertyPoint>")]
    pub fn property_history(
        &self,
        #[wasm_bindgen(unchecked_param_type = "DeviceTarget")] device: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | string[]")] identifiers: JsValue,
        #[wasm_bindgen(unchecked_param_type = "PropertyHistoryOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        (|| {
            const CTX: &str = "propertyHistory";
            let d: Device = super::device::device(&device, CTX)?;
            let ids: Vec<String> = match identifiers.as_string() {
                Some(one) => alloc::vec![one],
                None => super::js::string_items(&identifiers).ok_or_else(|| {
                    invalid("propertyHistory: identifiers must be a string or an array of strings")
                })?,
            };
            let h = history_options(&options, &["typed"], CTX)?;
            let typed = opt_bool(&options, "typed", CTX)?.unwrap_or(true);
            let pages = self.client.property_history(&d, &ids, &h)?;
            Ok(iterator(Reader::Properties {
                pages,
                client: self.client.clone(),
                typing: d.product_key.filter(|_| typed),
                model: None,
            }))
        })()
        .map_err(|e: Error| to_js(&e))
    }

    /// The events a device raised (`QueryDeviceEventData`) in a time range, as an async
    /// iterator of pages.
    #[wasm_bindgen(js_name = eventHistory, unchecked_return_type = "HistoryPages<EventRecord>")]
    pub fn event_history(
        &self,
        #[wasm_bindgen(unchecked_param_type = "DeviceTarget")] device: JsValue,
        #[wasm_bindgen(unchecked_param_type = "EventHistoryOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        (|| {
            const CTX: &str = "eventHistory";
            let d: Device = super::device::device(&device, CTX)?;
            let h = history_options(&options, &["type", "identifier"], CTX)?;
            let kind = opt_string(&options, "type", CTX)?.unwrap_or_default();
            let id = opt_string(&options, "identifier", CTX)?;
            let pages = self.client.event_history(&d, &kind, id.as_deref(), &h)?;
            Ok(iterator(Reader::Records(pages)))
        })()
        .map_err(|e: Error| to_js(&e))
    }

    /// The service calls a device answered (`QueryDeviceServiceData`) in a time range, as an
    /// async iterator of pages.
    #[wasm_bindgen(js_name = serviceHistory, unchecked_return_type = "HistoryPages<ServiceRecord>")]
    pub fn service_history(
        &self,
        #[wasm_bindgen(unchecked_param_type = "DeviceTarget")] device: JsValue,
        #[wasm_bindgen(unchecked_param_type = "ServiceHistoryOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        (|| {
            const CTX: &str = "serviceHistory";
            let d: Device = super::device::device(&device, CTX)?;
            let h = history_options(&options, &["identifier"], CTX)?;
            let id = opt_string(&options, "identifier", CTX)?;
            let pages = self.client.service_history(&d, id.as_deref(), &h)?;
            Ok(iterator(Reader::Records(pages)))
        })()
        .map_err(|e: Error| to_js(&e))
    }
}
