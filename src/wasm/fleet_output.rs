//! The fleet features' results to JavaScript: bulk entries, progress, thing models.

use js_sys::Array;
use wasm_bindgen::prelude::*;

use super::{number, record, text};
use crate::client::{Body, CallMeta, Progress, Settled};
use crate::core::thing_model::{DataKind, DataType, Param, ThingModel};

/// A bulk call's progress, for `onProgress`.
pub fn progress(p: Progress) -> JsValue {
    record(&[
        ("done", number(p.done.into())),
        ("total", number(p.total.into())),
        ("ok", number(p.ok.into())),
        ("failed", number(p.failed.into())),
    ])
}

/// A bulk call's entries: `{ target, ok, value | error }` for each target, the target being the
/// caller's own object.
pub fn bulk(
    targets: &js_sys::Array,
    settled: Settled,
    shape: fn(CallMeta, Body) -> JsValue,
) -> JsValue {
    let out = Array::new_with_length(settled.len() as u32);
    for (i, r) in settled.into_iter().enumerate() {
        let target = Some(targets.get(i as u32));
        let entry = match r {
            Ok((meta, body)) => record(&[
                ("target", target),
                ("ok", Some(JsValue::TRUE)),
                ("value", Some(shape(meta, body))),
            ]),
            Err(e) => record(&[
                ("target", target),
                ("ok", Some(JsValue::FALSE)),
                ("error", Some(super::error::to_js(&e))),
            ]),
        };
        out.set(i as u32, entry);
    }
    out.into()
}

#[wasm_bindgen(typescript_custom_section)]
const TS_MODEL: &'static str = r#"
/** A type of the thing model with its specs. */
export interface ThingModelType {
  type: "int" | "float" | "double" | "text" | "date" | "bool" | "enum" | "struct" | "array";
  min?: number;
  max?: number;
  unit?: string;
  /** Longest text, in characters. */
  length?: number;
  /** A bool's or an enum's values. */
  values?: { value: number; name: string }[];
  /** A struct's fields. */
  fields?: ThingModelParam[];
  /** An array's item type and its most items. */
  item?: ThingModelType;
  size?: number;
}

export interface ThingModelParam {
  identifier: string;
  name: string;
  required: boolean;
  dataType: ThingModelType;
}

/** A product's thing model, as `thingModel(productKey)` reads it from its TSL. */
export interface ThingModel {
  productKey: string;
  properties: { identifier: string; name: string; accessMode: "rw" | "r"; dataType: ThingModelType }[];
  services: { identifier: string; name: string; callType: "sync" | "async"; inputData: ThingModelParam[] }[];
}
"#;

/// A list of JavaScript values.
fn list<T>(items: &[T], f: impl Fn(&T) -> JsValue) -> Option<JsValue> {
    let out = Array::new();
    for x in items {
        out.push(&f(x));
    }
    Some(out.into())
}

/// A type of the thing model with its specs.
fn ty(t: &DataType) -> JsValue {
    let (fields, item, size) = match &t.kind {
        DataKind::Struct(f) => (list(f, param), None, None),
        DataKind::Array { size, item } => (None, Some(ty(item)), size.map(|s| s as f64)),
        _ => (None, None, None),
    };
    record(&[
        ("type", text(t.kind.name())),
        ("min", t.min.as_ref().and_then(|l| number(l.value))),
        ("max", t.max.as_ref().and_then(|l| number(l.value))),
        ("unit", t.unit.as_deref().and_then(text)),
        ("length", t.length.and_then(|l| number(l as f64))),
        (
            "values",
            if t.values.is_empty() {
                None
            } else {
                list(&t.values, |(k, n)| {
                    record(&[("value", number(super::model_number(k))), ("name", text(n))])
                })
            },
        ),
        ("fields", fields),
        ("item", item),
        ("size", size.and_then(number)),
    ])
}

fn param(p: &Param) -> JsValue {
    record(&[
        ("identifier", text(&p.identifier)),
        ("name", text(&p.name)),
        ("required", Some(JsValue::from_bool(p.required))),
        ("dataType", Some(ty(&p.data_type))),
    ])
}

/// A thing model, for `thingModel()`.
pub fn thing_model(m: &ThingModel) -> JsValue {
    record(&[
        ("productKey", text(&m.product_key)),
        (
            "properties",
            list(&m.properties, |p| {
                record(&[
                    ("identifier", text(&p.identifier)),
                    ("name", text(&p.name)),
                    ("accessMode", text(if p.read_only { "r" } else { "rw" })),
                    ("dataType", Some(ty(&p.data_type))),
                ])
            }),
        ),
        (
            "services",
            list(&m.services, |s| {
                record(&[
                    ("identifier", text(&s.identifier)),
                    ("name", text(&s.name)),
                    ("callType", text(if s.sync { "sync" } else { "async" })),
                    ("inputData", list(&s.input, param)),
                ])
            }),
        ),
    ])
}
