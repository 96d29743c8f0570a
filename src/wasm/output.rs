//! Results to JavaScript objects, with serde-wasm-bindgen (`to_value`): the typed results of
//! [`crate::client`], with the platform's parsed JSON passed through as it is (`preserve`).

use alloc::string::String;

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use wasm_bindgen::prelude::*;

#[cfg(feature = "fleet")]
use super::{number, record, text};
use crate::client::{Body, CallMeta, CallResult, PropertyStatus, PropertyStatusResult};
#[cfg(feature = "fleet")]
use crate::client::{Explanation, SelfTest};

#[wasm_bindgen(typescript_custom_section)]
const TS_OUTPUT: &'static str = r#"
/** One check of `selfTest()`. */
export interface SelfTestCheck {
  name: "endpoint" | "cors" | "clock" | "credentials" | "signature";
  status: "ok" | "warn" | "fail" | "skipped";
  /** What was found. */
  detail: string;
  /** What to do, when there is something to do. */
  advice?: string;
}

/** What `selfTest()` found. */
export interface SelfTestReport {
  /** No check failed. */
  ok: boolean;
  /** endpoint, cors, clock, credentials, signature: in that order. */
  checks: SelfTestCheck[];
  /** Server minus local time, ms, from the answer's Date header. */
  clockOffsetMs?: number;
  /** What the provider's credentials have left, ms. */
  credentialsExpireInMs?: number;
}

/** Present on every result. */
export interface CallMeta {
  /** The platform's `RequestId`; absent when the answer has none. */
  requestId?: string;
  /** Attempts made, the successful one included. */
  attempts: number;
  elapsedMs: number;
}

/** A synchronous service's answer, as the device sent it. */
export interface DeviceResult<D = unknown> {
  code: number;
  data: D;
  id: string;
  message: string;
  version: string;
}

export interface InvokeThingServiceResult<D = unknown> extends CallMeta {
  /** `Data.MessageId` with exactly the digits sent; absent when the answer has none. */
  messageId?: string;
  mode: "sync" | "async";
  /** The parsed `Data.Result` (synchronous services only). */
  result?: DeviceResult<D>;
  /** `Data.Result` as the platform sent it. */
  rawResult?: string;
  /** The device's own code from the result. */
  code?: number;
}

export interface SetDevicePropertyResult extends CallMeta {
  /** `Data.MessageId` with exactly the digits sent; absent when the answer has none. */
  messageId?: string;
  /** The platform's `Data`, as sent (an integer beyond 2^53 is a `bigint`). */
  data: { MessageId?: string | number | bigint; [field: string]: unknown };
  body: Record<string, unknown>;
}

export interface PropertyStatus {
  identifier: string;
  /** A number for numeric types (int, bool, enum, float, double), else the string. */
  value: number | string;
  rawValue: string;
  /** Unix ms of the last report. */
  time: number;
  dataType: string;
  name: string;
  unit: string;
}

export interface QueryDevicePropertyStatusResult extends CallMeta {
  properties: PropertyStatus[];
}

/** The result of `call` and of the other actions: the platform's `Data` and whole body, as sent
 * (an integer beyond 2^53, which a `number` would round, is a `bigint`). */
export interface CallResult extends CallMeta {
  /** `Data.MessageId` with exactly the digits sent. */
  messageId?: string;
  data: any;
  body: Record<string, unknown>;
}

/** One target's result in a bulk call, in the order of the targets. */
export type BulkEntry<T> =
  | { target: DeviceTarget; ok: true; value: T }
  | { target: DeviceTarget; ok: false; error: ThingcallError };

/** How a request is signed, with the SecurityToken redacted, for display. */
export interface SigningExplanation {
  method: HttpMethodName;
  /** Sorted `[name, value]` pairs. */
  params: [string, string][];
  canonicalQuery: string;
  stringToSign: string;
  signature: string;
  url: string;
  /** The form body (POST only). */
  body?: string;
  /** The equivalent `curl` command line (redacted: not runnable with temporary credentials). */
  curl: string;
  /** Signature V3 only: its canonical request (`canonicalQuery` is then its parameters). */
  canonicalRequest?: string;
  /** Signature V3 only: its headers as sent (`host` is the browser's), the token redacted. */
  headers?: [string, string][];
}
"#;

/// serde-wasm-bindgen as the results use it: a map is a plain object.
const SERIALIZER: serde_wasm_bindgen::Serializer =
    serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);

pub(super) fn js<T: Serialize + ?Sized>(v: &T) -> JsValue {
    // Serializing these types cannot fail (string keys only, no u64 beyond 2^53).
    v.serialize(&SERIALIZER).unwrap_or(JsValue::UNDEFINED)
}

/// A JavaScript value passed through as it is (serde-wasm-bindgen's `preserve`).
pub(super) struct Same<'a>(pub &'a JsValue);

impl Serialize for Same<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serde_wasm_bindgen::preserve::serialize(self.0, s)
    }
}

/// A result's fields, written as a map (a plain object: [`SERIALIZER`]). A derived struct's
/// field names would go through serde-wasm-bindgen's cache of names, a hash table of about
/// 1.5 KB gzip that nothing else needs; a key here is the binding's own string of its name,
/// made once ([`super::js::name`]), not decoded again for every result.
pub(super) struct Fields<M>(pub M);

impl<M: SerializeMap> Fields<M> {
    pub fn new<S: Serializer<SerializeMap = M>>(s: S) -> Result<Self, S::Error> {
        s.serialize_map(None).map(Fields)
    }

    /// `key: v`, `v` made by serde-wasm-bindgen.
    pub fn put<T: Serialize + ?Sized>(&mut self, key: &'static str, v: &T) {
        self.same(key, &js(v));
    }

    /// `key: v`, `v` as it is. (The one entry the map is given: each value is made first, so
    /// that the map's code is not compiled again for each type of value.) It cannot fail: the
    /// key is a string and the value passes through, so no result carries an error path per
    /// field.
    pub fn same(&mut self, key: &'static str, v: &JsValue) {
        let _ = self
            .0
            .serialize_entry(&Same(&super::js::name(key)), &Same(v));
    }

    /// `key` when `v` is there.
    pub fn opt<T: Serialize>(&mut self, key: &'static str, v: &Option<T>) {
        if let Some(v) = v {
            self.put(key, v);
        }
    }

    /// `key` when `v` is not `undefined`.
    pub fn js(&mut self, key: &'static str, v: &JsValue) {
        if !v.is_undefined() {
            self.same(key, v);
        }
    }

    pub fn end(self) -> Result<M::Ok, M::Error> {
        self.0.end()
    }
}

/// `InvokeThingService`'s result.
struct Invoke<'a> {
    request_id: &'a Option<String>,
    message_id: &'a Option<String>,
    mode: &'static str,
    result: JsValue,
    /// `Data.Result` when it is a string: the engine's own.
    raw_result: JsValue,
    code: JsValue,
    attempts: u32,
    elapsed_ms: f64,
}

impl Serialize for Invoke<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = Fields::new(s)?;
        m.opt("requestId", self.request_id);
        m.opt("messageId", self.message_id);
        m.same("mode", &super::js::name(self.mode));
        m.js("result", &self.result);
        m.js("rawResult", &self.raw_result);
        m.js("code", &self.code);
        m.put("attempts", &self.attempts);
        m.put("elapsedMs", &self.elapsed_ms);
        m.end()
    }
}

/// `invokeThingService`'s result, read from the answer here rather than through
/// [`crate::client::InvokeResult`], whose `raw_result` would copy the device's answer into the
/// wasm's memory on every call: `Data.Result` stays the engine's string. Synchronous exactly
/// when that is a string, as [`crate::client::InvokeResult::is_sync`] says.
pub fn invoke(meta: CallMeta, body: Body) -> JsValue {
    let found = crate::client::value_at(body.value(), &["Data", "Result"]);
    let sync = found.is_string();
    let (raw, result) = if sync {
        let result = crate::client::json_parse(&found).unwrap_or(JsValue::UNDEFINED);
        (found, result)
    } else {
        (JsValue::UNDEFINED, JsValue::UNDEFINED)
    };
    let code = if result.is_object() {
        crate::client::value_at(&result, &["code"])
    } else {
        JsValue::UNDEFINED
    };
    js(&Invoke {
        request_id: &meta.request_id,
        message_id: &body.text_of(&["Data", "MessageId"]),
        mode: if sync { "sync" } else { "async" },
        result,
        raw_result: raw,
        code,
        attempts: meta.attempts,
        elapsed_ms: meta.elapsed_ms,
    })
}

/// The result of `call` and of every action without a shape of its own.
struct Call<'a> {
    request_id: &'a Option<String>,
    message_id: &'a Option<String>,
    data: JsValue,
    body: JsValue,
    attempts: u32,
    elapsed_ms: f64,
}

impl Serialize for Call<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = Fields::new(s)?;
        m.opt("requestId", self.request_id);
        m.opt("messageId", self.message_id);
        m.same("data", &self.data);
        m.same("body", &self.body);
        m.put("attempts", &self.attempts);
        m.put("elapsedMs", &self.elapsed_ms);
        m.end()
    }
}

pub fn call(meta: CallMeta, body: Body) -> JsValue {
    let r = &CallResult::new(meta, body);
    let body = r.body.value().clone();
    js(&Call {
        request_id: &r.meta.request_id,
        message_id: &r.message_id,
        data: crate::client::value_at(&body, &["Data"]),
        body,
        attempts: r.meta.attempts,
        elapsed_ms: r.meta.elapsed_ms,
    })
}

/// `QueryDevicePropertyStatus`'s result.
struct Properties<'a>(&'a PropertyStatusResult);

/// One of its properties.
struct Status<'a>(&'a PropertyStatus);

impl Serialize for Status<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = self.0;
        let mut m = Fields::new(s)?;
        m.put("identifier", &p.identifier);
        m.put("value", &p.value);
        m.put("rawValue", &p.raw_value);
        m.put("time", &p.time);
        m.put("dataType", &p.data_type);
        m.put("name", &p.name);
        m.put("unit", &p.unit);
        m.end()
    }
}

impl Serialize for Properties<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        let mut m = Fields::new(s)?;
        m.opt("requestId", &r.meta.request_id);
        m.put("properties", &Statuses(&r.properties));
        m.put("attempts", &r.meta.attempts);
        m.put("elapsedMs", &r.meta.elapsed_ms);
        m.end()
    }
}

struct Statuses<'a>(&'a [PropertyStatus]);

impl Serialize for Statuses<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for p in self.0 {
            seq.serialize_element(&Status(p))?;
        }
        seq.end()
    }
}

pub fn property_status(meta: CallMeta, body: Body) -> JsValue {
    js(&Properties(&PropertyStatusResult::new(meta, body)))
}

/// `[[name, value], ...]`.
#[cfg(feature = "fleet")]
fn pairs(items: &[(String, String)]) -> Option<JsValue> {
    let out = js_sys::Array::new();
    for (k, v) in items {
        out.push(&js_sys::Array::of2(&k.into(), &v.into()));
    }
    Some(out.into())
}

#[cfg(feature = "fleet")]
pub fn explanation(x: &Explanation) -> JsValue {
    record(&[
        ("method", text(x.method)),
        ("params", pairs(&x.params)),
        ("canonicalQuery", text(&x.canonical_query)),
        ("stringToSign", text(&x.string_to_sign)),
        ("signature", text(&x.signature)),
        ("url", text(&x.url)),
        ("body", x.body.as_deref().and_then(text)),
        ("curl", text(&x.curl)),
        (
            "canonicalRequest",
            x.canonical_request.as_deref().and_then(text),
        ),
        ("headers", x.headers.as_deref().and_then(pairs)),
    ])
}

#[wasm_bindgen(module = "/js/signed_stages.js")]
extern "C" {
    #[wasm_bindgen(js_name = signedStages)]
    fn signed_stages(text: &str, query_end: u32, signature_at: u32) -> JsValue;
}

/// `signRpc`'s result: the three stages as a plain object. It is the one result made thousands
/// of times a second, so the stages cross as one string, cut into three by the glue: decoding
/// each string alone (and setting each property by a call out of the wasm) took a quarter of
/// `signRpc`'s time. Every stage is ASCII (percent-encoded, or base64), so a byte offset is a
/// JavaScript string's index too.
pub fn stages(s: &crate::core::SignedStages) -> JsValue {
    let (query, to_sign, signature) = (
        s.canonical.as_str(),
        s.string_to_sign.as_str(),
        s.signature.as_str(),
    );
    let mut text = String::with_capacity(query.len() + to_sign.len() + signature.len());
    text.push_str(query);
    text.push_str(to_sign);
    text.push_str(signature);
    debug_assert!(text.is_ascii());
    let query_end = query.len() as u32;
    signed_stages(&text, query_end, query_end + to_sign.len() as u32)
}

#[cfg(feature = "fleet")]
/// `selfTest()`'s report.
pub fn self_test(t: &SelfTest) -> JsValue {
    let checks = js_sys::Array::new();
    for c in &t.checks {
        checks.push(&record(&[
            ("name", text(c.name)),
            ("status", text(c.status.as_str())),
            ("detail", text(&c.detail)),
            ("advice", c.advice.as_deref().and_then(text)),
        ]));
    }
    record(&[
        ("ok", Some(JsValue::from_bool(t.ok()))),
        ("checks", Some(checks.into())),
        ("clockOffsetMs", t.clock_offset_ms.and_then(number)),
        (
            "credentialsExpireInMs",
            t.credentials_expire_in_ms.and_then(number),
        ),
    ])
}
