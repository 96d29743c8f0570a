//! `IotClient`: the JavaScript face of [`Client`]. Each method reads its arguments (`input`),
//! runs the client's method, and shapes the result (`output`); failures are `ThingcallError`s.

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::error::to_js;
use super::promise;
use super::{device, options as input, output, params};
use crate::client::{Body, CallMeta, CallOptions, Client, Error, Params};
use crate::core::action::{self, ActionSpec, ResultKind};
use crate::core::HttpMethod;
use alloc::string::String;

/// A client of the IoT Platform RPC API (version 2018-01-20) that signs every request in
/// WebAssembly and sends it with `fetch`.
///
/// Calls reject with a `ThingcallError` (`code`, `outcome`, `retryable`, `attempts`, ...).
/// Retries are safe by default: an invoke or set whose outcome is unknown is never sent twice
/// unless `retry.retryUnknown` is set.
#[wasm_bindgen]
pub struct IotClient {
    pub(super) client: Client,
}

/// How a call's answer becomes its JavaScript result.
pub(super) type Shape = fn(CallMeta, Body) -> JsValue;

/// The promise of one call: `client.send` (one future type for every method, so its state
/// machine is in the wasm once), its answer shaped; or a rejection with the `ThingcallError` of
/// bad arguments.
pub(super) fn run(
    client: &Client,
    call: Result<(String, Params, CallOptions), Error>,
    shape: Shape,
) -> Promise {
    match call {
        Ok((action, params, options)) => {
            let client = client.clone();
            promise(Box::pin(async move {
                match client.send(&action, params, &options).await {
                    Ok((meta, body)) => Ok(shape(meta, body)),
                    Err(e) => Err(to_js(&e)),
                }
            }))
        }
        Err(e) => Promise::reject(&to_js(&e)),
    }
}

#[wasm_bindgen]
impl IotClient {
    /// Creates a client. `endpoint` is the whole API URL (e.g. `https://iot.cn-shanghai.aliyuncs.com/`).
    /// Credentials: `accessKeyId` + `accessKeySecret` (+ `securityToken`), or
    /// `credentials: async () => ({ accessKeyId, accessKeySecret, securityToken, expiration })`,
    /// called on first use and again shortly before `expiration` (one call at a time).
    /// Throws a `ThingcallError` (`InvalidArgument`) for bad options.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "IotClientOptions")] options: JsValue,
    ) -> Result<IotClient, JsValue> {
        input::client_options(&options)
            .and_then(Client::new)
            .map(|client| IotClient { client })
            .map_err(|e| to_js(&e))
    }

    /// Calls a service of a device's thing model (`InvokeThingService`). `args` is an object
    /// (serialized with `JSON.stringify`) or a JSON object string; `{}` when absent. A synchronous
    /// service resolves with the device's `result` (parsed `Data.Result`) and `mode: "sync"`; an
    /// asynchronous one with only a `messageId` and `mode: "async"`.
    #[wasm_bindgen(js_name = invokeThingService, unchecked_return_type = "Promise<InvokeThingServiceResult>")]
    pub fn invoke_thing_service(
        &self,
        #[wasm_bindgen(unchecked_param_type = "InvokeThingServiceRequest")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.device(&action::INVOKE_THING_SERVICE, &request, options)
    }

    /// Sets properties of a device (`SetDeviceProperty`, asynchronous): `items` is an object or a JSON object string. Resolves with the `messageId`.
    #[wasm_bindgen(js_name = setDeviceProperty, unchecked_return_type = "Promise<SetDevicePropertyResult>")]
    pub fn set_device_property(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SetDevicePropertyRequest")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.device(&action::SET_DEVICE_PROPERTY, &request, options)
    }

    /// Reads a device's properties (`QueryDevicePropertyStatus`), as a flat list of `{ identifier, value, rawValue, time, dataType, name, unit }` in `properties`.
    #[wasm_bindgen(js_name = queryDevicePropertyStatus, unchecked_return_type = "Promise<QueryDevicePropertyStatusResult>")]
    pub fn query_device_property_status(
        &self,
        #[wasm_bindgen(unchecked_param_type = "DeviceRequest")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.device(&action::QUERY_DEVICE_PROPERTY_STATUS, &request, options)
    }

    /// Reads a device's details (`QueryDeviceDetail`): `data` is the platform's `Data` (`IotId`, `ProductKey`, `DeviceName`, `Status`, ...).
    #[wasm_bindgen(js_name = queryDeviceDetail, unchecked_return_type = "Promise<CallResult>")]
    pub fn query_device_detail(
        &self,
        #[wasm_bindgen(unchecked_param_type = "DeviceRequest")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.device(&action::QUERY_DEVICE_DETAIL, &request, options)
    }

    /// Calls a service on up to 100 devices of one product (`InvokeThingsService`, asynchronous).
    #[wasm_bindgen(js_name = invokeThingsService, unchecked_return_type = "Promise<CallResult>")]
    pub fn invoke_things_service(
        &self,
        #[wasm_bindgen(unchecked_param_type = "InvokeThingsServiceRequest")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.device(&action::INVOKE_THINGS_SERVICE, &request, options)
    }

    /// Sets properties on up to 100 devices of one product (`SetDevicesProperty`, asynchronous).
    #[wasm_bindgen(js_name = setDevicesProperty, unchecked_return_type = "Promise<CallResult>")]
    pub fn set_devices_property(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SetDevicesPropertyRequest")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.device(&action::SET_DEVICES_PROPERTY, &request, options)
    }

    /// Calls any RPC action with its own parameters (strings, numbers or booleans); the common
    /// parameters and the signature are added. Resolves with `{ requestId, data, body, ... }`.
    /// Read-only actions (`Query*`, `Get*`, `List*`, `Describe*`) are retried when their outcome
    /// is unknown; others only with `retry.retryUnknown`.
    #[wasm_bindgen(unchecked_return_type = "Promise<CallResult>")]
    pub fn call(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] action: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Params")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        let call = opts(options).and_then(|o| {
            let action = action
                .as_string()
                .filter(|a| !a.is_empty())
                .ok_or_else(|| super::js::invalid("call: action is required"))?;
            Ok((action, params_or_empty(&params)?, o))
        });
        run(&self.client, call, output::call)
    }

    /// Fetches credentials from the provider now (a no-op for static keys), e.g. before `presign`. Rejects with `CredentialsError` when the provider fails.
    #[wasm_bindgen(js_name = refreshCredentials, unchecked_return_type = "Promise<void>")]
    pub fn refresh_credentials(&self) -> Promise {
        let client = self.client.clone();
        promise(Box::pin(async move {
            client
                .refresh_credentials()
                .await
                .map(|()| JsValue::UNDEFINED)
                .map_err(|e| to_js(&e))
        }))
    }

    /// The client's estimate of server time minus local time, in ms (learned from an `InvalidTimeStamp.Expired` answer; 0 until then).
    #[wasm_bindgen(getter, js_name = clockOffsetMs)]
    pub fn clock_offset_ms(&self) -> f64 {
        self.client.clock_offset_ms()
    }

    /// The normalized endpoint URL.
    #[wasm_bindgen(getter, unchecked_return_type = "string")]
    pub fn endpoint(&self) -> JsValue {
        JsValue::from_str(self.client.endpoint())
    }

    /// `"GET"` or `"POST"`.
    #[wasm_bindgen(getter, unchecked_return_type = "HttpMethodName")]
    pub fn method(&self) -> JsValue {
        let m: HttpMethod = self.client.method();
        JsValue::from_str(m.as_str())
    }
}

impl IotClient {
    /// One device action of the catalog: its request read and checked by its spec, sent, its
    /// answer shaped (one function for all of them, so the reading and the call are in the
    /// wasm once).
    #[inline(never)]
    fn device(&self, spec: &'static ActionSpec, request: &JsValue, options: JsValue) -> Promise {
        let shape: Shape = match spec.result {
            ResultKind::Invoke => output::invoke,
            ResultKind::PropertyStatus => output::property_status,
            _ => output::call,
        };
        let read = opts(options).and_then(|o| Ok((device::request(spec, request)?, o)));
        let (request, o) = match read {
            Ok(r) => r,
            Err(e) => return Promise::reject(&to_js(&e)),
        };
        // A request that checks its arguments fetches the thing model first (the second
        // entry's code); any other (the common case) is sent as it is.
        if self.client.checks_request(&request, &o) {
            return super::extras::checked(&self.client, spec, request, o, shape);
        }
        let params = request.into_params(self.client.iot_instance_id());
        run(&self.client, Ok((spec.name.into(), params, o)), shape)
    }
}

pub(super) fn opts(o: JsValue) -> Result<CallOptions, Error> {
    input::call_options(&o)
}

/// `params ?? {}`.
pub(super) fn params_or_empty(p: &JsValue) -> Result<Params, Error> {
    if p.is_undefined() || p.is_null() {
        Ok(alloc::vec::Vec::new())
    } else {
        params::params(p, "params")
    }
}
