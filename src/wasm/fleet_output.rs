//! The fleet features' results to JavaScript: bulk entries, progress, thing models.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::output::js;
use crate::client::{Body, CallMeta, Progress, Settled};

#[derive(Serialize)]
struct ProgressOut {
    done: u32,
    total: u32,
    ok: u32,
    failed: u32,
}

/// A bulk call's progress, for `onProgress`.
pub fn progress(p: Progress) -> JsValue {
    js(&ProgressOut {
        done: p.done,
        total: p.total,
        ok: p.ok,
        failed: p.failed,
    })
}

/// A bulk call's entries: `{ target, ok, value | error }` for each target, the target being the
/// caller's own object.
pub fn bulk(
    targets: &js_sys::Array,
    settled: Settled,
    shape: fn(CallMeta, Body) -> JsValue,
) -> JsValue {
    let out = js_sys::Array::new_with_length(settled.len() as u32);
    for (i, r) in settled.into_iter().enumerate() {
        let entry = js_sys::Object::new();
        let set = |k: &str, v: &JsValue| {
            let _ = js_sys::Reflect::set(&entry, &JsValue::from_str(k), v);
        };
        set("target", &targets.get(i as u32));
        match r {
            Ok((meta, body)) => {
                set("ok", &JsValue::TRUE);
                set("value", &shape(meta, body));
            }
            Err(e) => {
                set("ok", &JsValue::FALSE);
                set("error", &super::error::to_js(&e));
            }
        }
        out.set(i as u32, entry.into());
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

mod model_out {
    use alloc::boxed::Box;
    use alloc::vec::Vec;

    use serde::Serialize;

    use crate::core::thing_model::{DataKind, DataType, Param, ThingModel};

    #[derive(Serialize)]
    struct Value<'a> {
        value: f64,
        name: &'a str,
    }

    #[derive(Serialize)]
    pub struct Type<'a> {
        #[serde(rename = "type")]
        kind: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        min: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        max: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        unit: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        length: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        values: Option<Vec<Value<'a>>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        fields: Option<Vec<ParamOut<'a>>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        item: Option<Box<Type<'a>>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        size: Option<f64>,
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct ParamOut<'a> {
        identifier: &'a str,
        name: &'a str,
        required: bool,
        data_type: Type<'a>,
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct PropertyOut<'a> {
        identifier: &'a str,
        name: &'a str,
        access_mode: &'static str,
        data_type: Type<'a>,
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct ServiceOut<'a> {
        identifier: &'a str,
        name: &'a str,
        call_type: &'static str,
        input_data: Vec<ParamOut<'a>>,
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct ModelOut<'a> {
        product_key: &'a str,
        properties: Vec<PropertyOut<'a>>,
        services: Vec<ServiceOut<'a>>,
    }

    fn ty(t: &DataType) -> Type<'_> {
        let (fields, item, size) = match &t.kind {
            DataKind::Struct(f) => (Some(f.iter().map(param).collect()), None, None),
            DataKind::Array { size, item } => {
                (None, Some(Box::new(ty(item))), size.map(|s| s as f64))
            }
            _ => (None, None, None),
        };
        Type {
            kind: t.kind.name(),
            min: t.min.as_ref().map(|l| l.value),
            max: t.max.as_ref().map(|l| l.value),
            unit: t.unit.as_deref(),
            length: t.length.map(|l| l as f64),
            values: (!t.values.is_empty()).then(|| {
                t.values
                    .iter()
                    .map(|(k, n)| Value {
                        value: super::super::model_number(k),
                        name: n,
                    })
                    .collect()
            }),
            fields,
            item,
            size,
        }
    }

    fn param(p: &Param) -> ParamOut<'_> {
        ParamOut {
            identifier: &p.identifier,
            name: &p.name,
            required: p.required,
            data_type: ty(&p.data_type),
        }
    }

    pub fn model(m: &ThingModel) -> ModelOut<'_> {
        ModelOut {
            product_key: &m.product_key,
            properties: m
                .properties
                .iter()
                .map(|p| PropertyOut {
                    identifier: &p.identifier,
                    name: &p.name,
                    access_mode: if p.read_only { "r" } else { "rw" },
                    data_type: ty(&p.data_type),
                })
                .collect(),
            services: m
                .services
                .iter()
                .map(|s| ServiceOut {
                    identifier: &s.identifier,
                    name: &s.name,
                    call_type: if s.sync { "sync" } else { "async" },
                    input_data: s.input.iter().map(param).collect(),
                })
                .collect(),
        }
    }
}

/// A thing model, for `thingModel()`.
pub fn thing_model(m: &crate::core::thing_model::ThingModel) -> JsValue {
    js(&model_out::model(m))
}
