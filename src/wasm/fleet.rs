//! The fleet features of `IotClient` (Cargo feature `fleet`): bulk calls (`invokeMany`,
//! `setPropertyMany`: the service call, property set and options read here), the thing model
//! (`thingModel`, `thingModelFromTsl`, `forgetThingModels`) and platform jobs (`createJob`,
//! `job`, `cancelJob`, `tasks`).

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::error::to_js;
use super::iot_client::{opts, IotClient, Shape};
use super::js::{check_keys, field, get, opt_bool, opt_number, opt_string, opt_timeout, present};
use super::payload::json_object;
use super::{device, fleet_output, output, promise};
use crate::client::{BulkOptions, BulkWork, Error, Payload, Progress, PropertySet, ServiceCall};
use crate::core::action::{self, ActionSpec};
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
  /** Requests started in any one second at most, a call's retries included (shared by every bulk call of the client, slower after throttling). Default and maximum: the platform's limit, 500 (10 with `batch`). */
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
            let _ = f.call1(&JsValue::NULL, &super::fleet_output::progress(p));
        }));
    }
    Ok(out)
}

#[wasm_bindgen]
impl IotClient {
    /// A product's thing model (`QueryThingModel`, fetched once and kept by this client): its
    /// properties and services with their types and specs, as `checkArgs` checks against.
    #[wasm_bindgen(js_name = thingModel, unchecked_return_type = "Promise<ThingModel>")]
    pub fn thing_model(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] product_key: JsValue,
    ) -> Promise {
        let client = self.client.clone();
        promise(Box::pin(async move {
            let pk = product_key.as_string().unwrap_or_default();
            match client.thing_model(&pk).await {
                Ok(m) => Ok(fleet_output::thing_model(&m)),
                Err(e) => Err(to_js(&e)),
            }
        }))
    }

    /// Creates a platform job (`CreateJob`): an asynchronous service (`identifier`, `args`) or a
    /// property set (`items`) run by the platform over `targets` or every device of
    /// `productKey`, at `maximumPerMinute`. With `checkArgs`, checked against the thing model
    /// first. Resolves with the `jobId`.
    #[wasm_bindgen(js_name = createJob, unchecked_return_type = "Promise<{ jobId: string; requestId?: string; attempts: number; elapsedMs: number }>")]
    pub fn create_job(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreateJobRequest")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        let read = super::jobs::job_request(&request).and_then(|r| Ok((r, opts(options)?)));
        let (request, o) = match read {
            Ok(r) => r,
            Err(e) => return Promise::reject(&to_js(&e)),
        };
        let client = self.client.clone();
        promise(Box::pin(async move {
            match client.create_job(&request, &o).await {
                Ok(c) => Ok(super::jobs::created(&c.job_id, &c.meta)),
                Err(e) => Err(to_js(&e)),
            }
        }))
    }

    /// A job's state and its tasks by state (`QueryJob` and `QueryJobStatistics`).
    #[wasm_bindgen(unchecked_return_type = "Promise<JobInfo>")]
    pub fn job(&self, #[wasm_bindgen(unchecked_param_type = "string")] job_id: JsValue) -> Promise {
        let client = self.client.clone();
        promise(Box::pin(async move {
            let id = job_id.as_string().unwrap_or_default();
            match client.job(&id).await {
                Ok(j) => Ok(super::jobs::info(&j)),
                Err(e) => Err(to_js(&e)),
            }
        }))
    }

    /// Cancels a job (`CancelJob`): its tasks not yet ended are cancelled.
    #[wasm_bindgen(js_name = cancelJob, unchecked_return_type = "Promise<CallResult>")]
    pub fn cancel_job(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] job_id: JsValue,
    ) -> Promise {
        let client = self.client.clone();
        promise(Box::pin(async move {
            let id = job_id.as_string().unwrap_or_default();
            match client.cancel_job(&id).await {
                Ok(r) => Ok(output::call(r.meta, r.body)),
                Err(e) => Err(to_js(&e)),
            }
        }))
    }

    /// A job's per-device tasks (`ListTask`, a page at a time as they are read):
    /// `for await (const task of client.tasks(jobId, { status, pageSize }))`.
    #[wasm_bindgen(unchecked_return_type = "JobTasks")]
    pub fn tasks(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] job_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "TasksOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        super::jobs::tasks(&self.client, &job_id, &options).map_err(|e| to_js(&e))
    }

    /// Drops the thing models this client keeps (after a product's model changed).
    #[wasm_bindgen(js_name = forgetThingModels)]
    pub fn forget_thing_models(&self) {
        self.client.forget_thing_models();
    }

    /// Calls a service on many devices (`InvokeThingService` each), `concurrency` at a time and
    /// no more than `qps` requests started in any second, retries included (shared by every bulk
    /// call of this client, slower after throttling). Resolves with one entry per target, in
    /// order (`{ target, ok, value }` or `{ target, ok: false, error }`); a device's failure is
    /// its entry's, never a rejection. Aborting stops new calls: those in flight settle, the rest are `not_sent`.
    /// With `batch: true`, one `InvokeThingsService` per 100 devices (asynchronous services).
    #[wasm_bindgen(js_name = invokeMany, unchecked_return_type = "Promise<BulkEntry<InvokeThingServiceResult | CallResult>[]>")]
    pub fn invoke_many(
        &self,
        #[wasm_bindgen(unchecked_param_type = "DeviceTarget[]")] targets: JsValue,
        #[wasm_bindgen(unchecked_param_type = "BulkServiceCall")] call: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "BulkOptions")] options: JsValue,
    ) -> Promise {
        self.many(&action::INVOKE_THING_SERVICE, targets, &call, options)
    }

    /// Sets the same properties on many devices (`SetDeviceProperty` each, or with `batch: true`
    /// one `SetDevicesProperty` per 100), as `invokeMany` runs its calls.
    #[wasm_bindgen(js_name = setPropertyMany, unchecked_return_type = "Promise<BulkEntry<SetDevicePropertyResult | CallResult>[]>")]
    pub fn set_property_many(
        &self,
        #[wasm_bindgen(unchecked_param_type = "DeviceTarget[]")] targets: JsValue,
        #[wasm_bindgen(unchecked_param_type = "BulkPropertySet")] set: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "BulkOptions")] options: JsValue,
    ) -> Promise {
        self.many(&action::SET_DEVICE_PROPERTY, targets, &set, options)
    }
}

impl IotClient {
    /// A bulk call of `spec` (`InvokeThingService` or `SetDeviceProperty`): its targets,
    /// payload and options read and checked, then run.
    fn many(
        &self,
        spec: &'static ActionSpec,
        targets: JsValue,
        payload: &JsValue,
        options: JsValue,
    ) -> Promise {
        let service = spec.field("Identifier").is_some();
        let ctx = if service {
            "invokeMany"
        } else {
            "setPropertyMany"
        };
        let read = || -> Result<_, Error> {
            let devices = device::targets(&targets, ctx)?;
            let options = bulk_options(&options, ctx)?;
            let work = if service {
                service_call(payload).map(|(c, p)| BulkWork::service(&c, p))?
            } else {
                property_set(payload).map(|(s, p)| BulkWork::properties(&s, p))?
            };
            Ok((devices, options, work))
        };
        let (devices, options, work) = match read() {
            Ok(r) => r,
            Err(e) => return Promise::reject(&to_js(&e)),
        };
        let client = self.client.clone();
        let targets: js_sys::Array = targets.unchecked_into();
        promise(Box::pin(async move {
            let shape: Shape = if !options.batch && service {
                output::invoke
            } else {
                output::call
            };
            let settled = client
                .run_many(&work, &devices, &options)
                .await
                .map_err(|e| to_js(&e))?;
            Ok(fleet_output::bulk(&targets, settled, shape))
        }))
    }
}

/// Reads a thing model from its TSL text (`ThingModelJson`, or a TSL file exported from the
/// console) into the shape `thingModel()` returns, without a request. Throws a
/// `ThingcallError` (`InvalidArgument`) when it is not a TSL.
#[wasm_bindgen(js_name = thingModelFromTsl, unchecked_return_type = "ThingModel")]
pub fn thing_model_from_tsl(
    #[wasm_bindgen(unchecked_param_type = "string")] tsl: JsValue,
) -> Result<JsValue, JsValue> {
    let text = tsl.as_string().ok_or_else(|| {
        to_js(&super::js::invalid(
            "thingModelFromTsl: tsl must be the TSL's JSON text",
        ))
    })?;
    crate::core::thing_model::ThingModel::from_tsl_text(&text, &crate::client::js_number)
        .map(|m| fleet_output::thing_model(&m))
        .map_err(|e| {
            to_js(&super::js::invalid(crate::core::attempts::concat(&[
                "thingModelFromTsl: ",
                &e,
            ])))
        })
}
