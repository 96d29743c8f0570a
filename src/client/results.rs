//! What a successful call returns, typed. The platform's JSON answer stays a JavaScript value
//! (parsed by the engine's `JSON.parse`, no JSON parser in the wasm): [`Body`] reads fields from
//! it, and gives its text for a Rust caller to deserialize as it likes.

use alloc::string::String;
use alloc::vec::Vec;

use js_sys::{Array, Reflect};
use serde::Serialize;
use wasm_bindgen::JsValue;

/// The platform's answer to one call: its JSON body, parsed (integers beyond 2^53 as
/// `BigInt`, exact) and as the text sent.
#[derive(Clone, Debug)]
pub struct Body {
    pub(crate) value: JsValue,
    pub(crate) text: JsValue,
}

impl Body {
    /// The body as the platform sent it (for `serde_json::from_str` and the like: every digit
    /// of every number is there).
    pub fn json(&self) -> String {
        self.text.as_string().unwrap_or_default()
    }

    /// The string (or number, as text) at `path` (e.g. `["Data", "MessageId"]`).
    pub fn text_at(&self, path: &[&str]) -> Option<String> {
        let mut v = self.value.clone();
        for k in path {
            v = get(&v, &JsValue::from_str(k));
        }
        text(&v)
    }

    /// [`Body::text_at`] for the client's own names (their strings made once).
    pub(crate) fn text_of(&self, path: &[&'static str]) -> Option<String> {
        text(&at(&self.value, path))
    }

    pub(crate) fn at(&self, path: &[&'static str]) -> JsValue {
        at(&self.value, path)
    }

    /// The JavaScript value (for the wasm binding layer).
    #[cfg_attr(not(any(feature = "js", feature = "fleet")), allow(dead_code))]
    pub(crate) fn value(&self) -> &JsValue {
        &self.value
    }
}

/// `v[path[0]][path[1]]...`, or `undefined`.
/// Each name's JavaScript string is made once ([`super::js_name`]).
pub(crate) fn at(v: &JsValue, path: &[&'static str]) -> JsValue {
    let mut v = v.clone();
    for k in path {
        v = get(&v, &super::js_name(k));
    }
    v
}

/// `v[k]`, or `undefined` when `v` is not an object.
fn get(v: &JsValue, k: &JsValue) -> JsValue {
    if !v.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(v, k).unwrap_or(JsValue::UNDEFINED)
}

/// A string value, or a number (a `BigInt` too) as JavaScript writes it: an ID keeps
/// exactly the digits sent.
pub(crate) fn text(v: &JsValue) -> Option<String> {
    if let Some(s) = v.as_string() {
        return Some(s);
    }
    if v.is_bigint() {
        return js_sys::BigInt::unchecked_from_js_ref(v)
            .to_string(10)
            .ok()
            .and_then(|s| s.as_string());
    }
    v.as_f64()?;
    js_sys::Number::unchecked_from_js_ref(v)
        .to_string_with_radix(10)
        .ok()
        .and_then(|s| s.as_string())
}

use wasm_bindgen::JsCast;

/// What every result carries.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallMeta {
    /// The platform's `RequestId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Attempts made, the successful one included.
    pub attempts: u32,
    /// Time from the call to its result, ms.
    pub elapsed_ms: f64,
}

/// The result of `call` and of the actions without a typed result of their own.
#[derive(Clone, Debug)]
pub struct CallResult {
    /// Request id, attempts, time.
    pub meta: CallMeta,
    /// `Data.MessageId`, when the action queued a message.
    pub message_id: Option<String>,
    /// The whole answer.
    pub body: Body,
}

impl CallResult {
    /// The result of an answer (`Client::send`).
    pub(crate) fn new(meta: CallMeta, body: Body) -> Self {
        Self {
            message_id: body.text_of(&["Data", "MessageId"]),
            meta,
            body,
        }
    }
}

/// The result of `InvokeThingService`.
#[derive(Clone, Debug)]
pub struct InvokeResult {
    /// Request id, attempts, time.
    pub meta: CallMeta,
    /// `Data.MessageId`.
    pub message_id: Option<String>,
    /// `Data.Result` as the platform sent it: the device's answer (synchronous services only),
    /// usually `{"code":200,"data":{...},"id":"...","message":"success","version":"1.0"}`.
    pub raw_result: Option<String>,
    /// The whole answer.
    pub body: Body,
}

impl InvokeResult {
    /// The result of an answer (`Client::send`).
    pub(crate) fn new(meta: CallMeta, body: Body) -> Self {
        Self {
            message_id: body.text_of(&["Data", "MessageId"]),
            raw_result: body.at(&["Data", "Result"]).as_string(),
            meta,
            body,
        }
    }

    /// Whether the service answered synchronously (with a `Result`).
    pub fn is_sync(&self) -> bool {
        self.raw_result.is_some()
    }
}

/// A property's value: a number for numeric types (`int`, `bool`, `enum`, `float`, `double`),
/// else the text.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum PropertyValue {
    /// A numeric type's value.
    Number(f64),
    /// Any other type's value, as sent.
    Text(String),
}

/// One entry of `QueryDevicePropertyStatus`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PropertyStatus {
    /// `Identifier`.
    pub identifier: String,
    /// `Value`, typed by `DataType`.
    pub value: PropertyValue,
    /// `Value` as sent.
    pub raw_value: String,
    /// `Time`: Unix ms of the last report (NaN when absent).
    pub time: f64,
    /// `DataType`.
    pub data_type: String,
    /// `Name`.
    pub name: String,
    /// `Unit`.
    pub unit: String,
}

/// The result of `QueryDevicePropertyStatus`.
#[derive(Clone, Debug)]
pub struct PropertyStatusResult {
    /// Request id, attempts, time.
    pub meta: CallMeta,
    /// `Data.List.PropertyStatusInfo`, flat.
    pub properties: Vec<PropertyStatus>,
    /// The whole answer.
    pub body: Body,
}

const NUMERIC: [&str; 5] = ["int", "bool", "enum", "float", "double"];

impl PropertyStatusResult {
    /// The result of an answer (`Client::send`).
    pub(crate) fn new(meta: CallMeta, body: Body) -> Self {
        let list = body.at(&["Data", "List", "PropertyStatusInfo"]);
        let mut properties = Vec::new();
        if Array::is_array(&list) {
            for p in Array::from(&list).iter() {
                properties.push(property(&p));
            }
        }
        Self {
            meta,
            properties,
            body,
        }
    }
}

fn property(p: &JsValue) -> PropertyStatus {
    let field = |k: &'static str| text(&at(p, &[k])).unwrap_or_default();
    let raw_value = field("Value");
    let data_type = field("DataType");
    // Blank is not a number (though `Number("")` is 0); the engine trims, as `Number` does.
    let number = |s: &str| {
        let s = js_sys::JsString::from(s).trim();
        (s.length() > 0)
            .then(|| js_sys::Number::from(JsValue::from(s)).value_of())
            .filter(|n| !n.is_nan())
    };
    let value = match number(&raw_value) {
        Some(n) if NUMERIC.contains(&data_type.as_str()) => PropertyValue::Number(n),
        _ => PropertyValue::Text(raw_value.clone()),
    };
    PropertyStatus {
        identifier: field("Identifier"),
        time: number(&field("Time")).unwrap_or(f64::NAN),
        value,
        raw_value,
        data_type,
        name: field("Name"),
        unit: field("Unit"),
    }
}
