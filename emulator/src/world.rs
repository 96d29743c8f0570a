//! The device world: products, thing models, device state, and the IoT actions that act on them.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::auth::{param, Params};
use crate::config::{AccessMode, Behavior, CallType, Config, DataKind, DataType, Product, Service};
use crate::error::ApiError;
use crate::gateway::roll;
use crate::model::{check_object, check_value, data_type_name, parse_object};

/// How many invocations the log keeps (oldest dropped first).
pub const LOG_CAP: usize = 10_000;

/// What reached a device, for `/_emulator/log`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEntry {
    /// `ProductKey/DeviceName`.
    pub device: String,
    /// Service identifier, or `"set"` for a property set.
    pub identifier: String,
    /// The Args (or Items) as the device got them.
    pub args: Value,
    /// The `MessageId` of the delivery.
    pub message_id: String,
    /// Unix ms.
    pub at: i64,
}

#[derive(Debug)]
struct Device {
    product: usize,
    device_name: String,
    iot_id: String,
    online: bool,
    /// identifier → (value, unix ms)
    props: HashMap<String, (Value, i64)>,
}

/// The devices' fault settings (set with the gateway's through `/_emulator/faults`): rates
/// are 0..1, `*Next` counters make the next N calls fail that way.
#[derive(Clone, Debug, Default, serde::Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DeviceFaults {
    /// A synchronous service gets no answer from the device (RRPC timeout).
    pub device_timeout_rate: f64,
    /// The next N synchronous calls time out.
    pub device_timeout_next: u32,
    /// The next N job tasks that would succeed end FAILED instead.
    pub task_fail_next: u32,
    /// The next N job tasks that would succeed end REJECTED instead.
    pub task_reject_next: u32,
    /// Overrides the RRPC timeout, in ms.
    pub rrpc_timeout_ms: Option<u64>,
}

/// The most devices `QueryDevice` gives in a page.
pub const MAX_DEVICE_PAGE: usize = 50;
/// Past this many devices (`PageSize` × `CurrentPage`), `QueryDevice` needs a `NextToken`.
pub const NEXT_TOKEN_AFTER: usize = 10_000;
/// With a `NextToken`, `PageSize` × `CurrentPage` must stay under this.
pub const MAX_DEVICES_LISTED: usize = 1_000_000;
/// When every emulated device was created (the emulator's own choice).
const CREATED_UTC: &str = "2026-01-01T00:00:00.000Z";
const CREATED_GMT: &str = "2026-01-01 08:00:00";

/// `QueryDevice`'s token for the page that starts at device `offset` of product `pk`: opaque to
/// callers, checked when it comes back.
fn device_token(pk: &str, offset: usize) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{pk}:{offset}"))
}

fn device_token_offset(pk: &str, token: &str) -> Option<usize> {
    use base64::Engine;
    let text = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()?;
    let text = String::from_utf8(text).ok()?;
    let (p, offset) = text.rsplit_once(':')?;
    (p == pk).then(|| offset.parse().ok()).flatten()
}

/// What an action answers with: `Data` (or, for AssumeRole, the body's own members).
pub type Reply = Map<String, Value>;

/// The device world and its knobs.
pub struct World {
    config: Config,
    devices: Mutex<Vec<Device>>,
    by_name: HashMap<(String, String), usize>,
    by_iot_id: HashMap<String, usize>,
    log: Mutex<VecDeque<LogEntry>>,
    faults: Mutex<DeviceFaults>,
    /// The points of properties set through the API (reported ones are generated).
    kept: Mutex<crate::history::Kept>,
    seq: AtomicU64,
    /// What the server-side subscription pushes (`live`, delivered by `amqp`).
    live: crate::live::Live,
}

fn iot_id_for(pk: &str, dn: &str) -> String {
    use sha1::{Digest, Sha1};
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let h = Sha1::digest(format!("{pk}/{dn}").as_bytes());
    let mut s: String = h
        .iter()
        .take(20)
        .map(|b| A[*b as usize % A.len()] as char)
        .collect();
    s.push_str("000100");
    s
}

fn initial(dt: &DataType) -> Value {
    match dt.kind {
        DataKind::Float | DataKind::Double => json!(dt.min.unwrap_or(0.0).max(0.0)),
        DataKind::Text | DataKind::Date => json!(""),
        _ => json!(dt.min.unwrap_or(0.0).max(0.0) as i64),
    }
}

impl World {
    /// Builds the world from a configuration.
    pub fn new(config: Config, now_ms: i64) -> Self {
        let mut devices = Vec::new();
        for (pi, p) in config.products.iter().enumerate() {
            for d in &p.all_devices() {
                let props = p
                    .properties
                    .iter()
                    .map(|x| {
                        let v = x.initial.clone().unwrap_or_else(|| initial(&x.data_type));
                        (x.identifier.clone(), (v, now_ms))
                    })
                    .collect();
                devices.push(Device {
                    product: pi,
                    device_name: d.device_name.clone(),
                    iot_id: d
                        .iot_id
                        .clone()
                        .unwrap_or_else(|| iot_id_for(&p.product_key, &d.device_name)),
                    online: d.online,
                    props,
                });
            }
        }
        let by_name = devices
            .iter()
            .enumerate()
            .map(|(i, d)| {
                (
                    (
                        config.products[d.product].product_key.clone(),
                        d.device_name.clone(),
                    ),
                    i,
                )
            })
            .collect();
        let by_iot_id = devices
            .iter()
            .enumerate()
            .map(|(i, d)| (d.iot_id.clone(), i))
            .collect();
        Self {
            config,
            devices: Mutex::new(devices),
            by_name,
            by_iot_id,
            log: Mutex::new(VecDeque::new()),
            faults: Mutex::new(DeviceFaults::default()),
            kept: Mutex::default(),
            seq: AtomicU64::new(1),
            live: crate::live::Live::default(),
        }
    }

    /// The configuration the world was built from.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Back to the configured state: device state, log, device faults.
    pub fn reset(&self, now_ms: i64) {
        let fresh = World::new(self.config.clone(), now_ms);
        *self.devices.lock().unwrap() = fresh.devices.into_inner().unwrap();
        self.log.lock().unwrap().clear();
        *self.faults.lock().unwrap() = DeviceFaults::default();
        self.kept.lock().unwrap().clear();
    }

    /// Replaces the device fault settings.
    pub fn set_faults(&self, f: DeviceFaults) {
        *self.faults.lock().unwrap() = f;
    }

    /// The current device fault settings.
    pub fn faults(&self) -> DeviceFaults {
        self.faults.lock().unwrap().clone()
    }

    /// The invocation log, oldest first.
    pub fn log(&self) -> Vec<LogEntry> {
        self.log.lock().unwrap().iter().cloned().collect()
    }

    /// A job task's injected end, if any (`taskFailNext`, `taskRejectNext`).
    pub fn task_fault(&self) -> Option<crate::jobs::TaskStatus> {
        let mut f = self.faults.lock().unwrap();
        if roll(0.0, &mut f.task_fail_next) {
            Some(crate::jobs::TaskStatus::Failed)
        } else if roll(0.0, &mut f.task_reject_next) {
            Some(crate::jobs::TaskStatus::Rejected)
        } else {
            None
        }
    }

    pub(crate) fn message_id(&self) -> String {
        let n = self.seq.fetch_add(1, Ordering::Relaxed);
        format!(
            "17{:011}{:06}",
            fastrand::u64(..100_000_000_000),
            n % 1_000_000
        )
    }

    pub(crate) fn record_at(
        &self,
        idx: usize,
        identifier: &str,
        args: Value,
        message_id: &str,
        now_ms: i64,
    ) {
        let devices = self.devices.lock().unwrap();
        self.record(&devices[idx], identifier, args, message_id, now_ms);
    }

    /// Whether device `idx` is connected, its product index, name and IotId.
    pub(crate) fn device_info(&self, idx: usize) -> (bool, usize, String, String) {
        let d = &self.devices.lock().unwrap()[idx];
        (d.online, d.product, d.device_name.clone(), d.iot_id.clone())
    }

    /// The devices of product `pi`.
    pub(crate) fn devices_of(&self, pi: usize) -> Vec<usize> {
        let d = self.devices.lock().unwrap();
        (0..d.len()).filter(|&i| d[i].product == pi).collect()
    }

    fn record(
        &self,
        device: &Device,
        identifier: &str,
        args: Value,
        message_id: &str,
        now_ms: i64,
    ) {
        let entry = LogEntry {
            device: format!(
                "{}/{}",
                self.config.products[device.product].product_key, device.device_name
            ),
            identifier: identifier.into(),
            args,
            message_id: message_id.into(),
            at: now_ms,
        };
        let mut log = self.log.lock().unwrap();
        if log.len() >= LOG_CAP {
            log.pop_front();
        }
        log.push_back(entry);
    }

    pub(crate) fn product(&self, pk: &str) -> Result<(usize, &Product), ApiError> {
        self.config
            .products
            .iter()
            .enumerate()
            .find(|(_, p)| p.product_key == pk)
            .ok_or_else(|| {
                ApiError::business(
                    "iot.prod.NotExistedProduct",
                    format!("The product {pk} does not exist."),
                )
            })
    }

    /// The device `dn` of product `pk`.
    pub(crate) fn device_by_name(&self, pk: &str, dn: &str) -> Result<usize, ApiError> {
        self.by_name
            .get(&(pk.to_string(), dn.to_string()))
            .copied()
            .ok_or_else(|| {
                ApiError::business(
                    "iot.device.NotExistedDevice",
                    format!("The device {dn} does not exist."),
                )
            })
    }

    /// A device connects or disconnects (the emulator's control; on the platform, the device
    /// itself): its status message is pushed when the state changes. Whether it changed.
    pub fn set_online(
        &self,
        pk: &str,
        dn: &str,
        online: bool,
        now_ms: i64,
    ) -> Result<bool, ApiError> {
        let idx = self.device_by_name(pk, dn)?;
        let mut d = self.devices.lock().unwrap();
        if d[idx].online == online {
            return Ok(false);
        }
        d[idx].online = online;
        self.live
            .status(&self.device_ref(&d[idx]), online, now_ms, self.message_id());
        Ok(true)
    }

    /// The product a request acts on, for authorization: its `ProductKey`, or the product of the
    /// device its `IotId` names (`IotId` wins, as in [`World::locate`]); `None` when neither is
    /// given or the `IotId` is unknown.
    pub fn product_key_of(&self, params: &Params) -> Option<String> {
        if let Some(id) = param(params, "IotId").filter(|s| !s.is_empty()) {
            let idx = *self.by_iot_id.get(id)?;
            let product = self.devices.lock().unwrap()[idx].product;
            return Some(self.config.products[product].product_key.clone());
        }
        param(params, "ProductKey")
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    }

    /// Finds the device a request addresses: `IotId` wins over `ProductKey` + `DeviceName`.
    fn locate(&self, params: &Params) -> Result<usize, ApiError> {
        if let Some(id) = param(params, "IotId").filter(|s| !s.is_empty()) {
            return self.by_iot_id.get(id).copied().ok_or_else(|| {
                ApiError::business("iot.device.InvalidIoTId", "The IotId is not valid.")
            });
        }
        let pk = param(params, "ProductKey").filter(|s| !s.is_empty());
        let dn = param(params, "DeviceName").filter(|s| !s.is_empty());
        match (pk, dn) {
            (Some(pk), Some(dn)) => {
                self.product(pk)?;
                self.device_by_name(pk, dn)
            }
            _ => Err(ApiError::business(
                "iot.common.InvalidFormattedParameter",
                "Specify the device by IotId, or by ProductKey and DeviceName.",
            )),
        }
    }

    fn required<'a>(params: &'a Params, name: &str) -> Result<&'a str, ApiError> {
        param(params, name)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ApiError::missing(name))
    }

    fn check_instance(params: &Params) -> Result<(), ApiError> {
        // The default fixture models a public instance: any IotInstanceId given must be well formed.
        if let Some(id) = param(params, "IotInstanceId") {
            if !id.is_empty() && !id.starts_with("iot-") {
                return Err(ApiError::business(
                    "iot.common.InvalidFormattedParameter",
                    format!("IotInstanceId {id:?} is not an instance of this account."),
                ));
            }
        }
        Ok(())
    }

    fn service<'a>(
        &'a self,
        product: &'a Product,
        identifier: &str,
    ) -> Result<&'a Service, ApiError> {
        product
            .services
            .iter()
            .find(|s| s.identifier == identifier)
            .ok_or_else(|| {
                ApiError::business(
                    "iot.device.InvokeThingServiceFailed",
                    format!("The service {identifier} is not defined in the thing model."),
                )
            })
    }

    /// The service `identifier` names (`module:service` for a non-default module) and its Args,
    /// checked against the service's input parameters.
    pub(crate) fn service_call<'a>(
        &'a self,
        product: &'a Product,
        identifier: &str,
        args_text: &str,
    ) -> Result<(&'a Service, Map<String, Value>), ApiError> {
        let service = self.service(product, identifier.rsplit(':').next().unwrap_or(identifier))?;
        let args = parse_object(args_text)
            .ok_or_else(|| ApiError::invalid_format("Args must be a JSON object."))?;
        check_object(&args, |k| {
            service
                .input_data
                .iter()
                .find(|p| p.identifier == k)
                .map(|p| &p.data_type)
        })
        .map_err(ApiError::invalid_format)?;
        if let Some(p) = service
            .input_data
            .iter()
            .find(|p| p.required && !args.contains_key(&p.identifier))
        {
            return Err(ApiError::invalid_format(format!(
                "{}: a required input of {} is missing",
                p.identifier, service.identifier
            )));
        }
        Ok((service, args))
    }

    /// `InvokeThingService`.
    pub async fn invoke_thing_service(
        &self,
        params: &Params,
        now: impl Fn() -> i64,
    ) -> Result<Reply, ApiError> {
        Self::check_instance(params)?;
        let identifier = Self::required(params, "Identifier")?;
        let args_text = Self::required(params, "Args")?;
        let idx = self.locate(params)?;
        let (product_idx, online) = {
            let d = self.devices.lock().unwrap();
            (d[idx].product, d[idx].online)
        };
        let product = &self.config.products[product_idx];
        let (service, args) = self.service_call(product, identifier, args_text)?;
        if !online {
            return Err(ApiError::business(
                "iot.messagebroker.OFFLINE",
                "The device is offline.",
            ));
        }
        let message_id = self.message_id();
        let (timeout, rrpc) = {
            let mut f = self.faults.lock().unwrap();
            let tr = f.device_timeout_rate;
            let timeout =
                service.call_type == CallType::Sync && roll(tr, &mut f.device_timeout_next);
            (
                timeout,
                f.rrpc_timeout_ms.unwrap_or(self.config.rrpc_timeout_ms),
            )
        };
        // The device acts (and the log says so) whether or not its answer comes back in time.
        let data = self.apply(idx, service, &args, now());
        self.record(
            &self.devices.lock().unwrap()[idx],
            identifier,
            Value::Object(args),
            &message_id,
            now(),
        );
        if service.call_type == CallType::Async {
            // The device's answer comes back through the subscription, under the call's id.
            {
                let d = self.devices.lock().unwrap();
                self.live.downlink_reply(
                    &self.device_ref(&d[idx]),
                    &message_id,
                    identifier,
                    200,
                    &data,
                    now(),
                    self.message_id(),
                );
            }
            return Ok(obj(json!({ "MessageId": message_id })));
        }
        // Synchronous: the answer comes after the device's latency, or the RRPC window closes.
        if timeout || service.latency_ms > rrpc {
            tokio::time::sleep(Duration::from_millis(rrpc)).await;
            return Err(ApiError::business(
                "iot.messagebroker.TIMEOUT",
                "The device did not answer the RRPC call in time.",
            ));
        }
        if service.latency_ms > 0 {
            tokio::time::sleep(Duration::from_millis(service.latency_ms)).await;
        }
        let result = json!({
            "code": 200,
            "data": data,
            "id": message_id,
            "message": "success",
            "version": "1.0",
        });
        Ok(obj(
            json!({ "MessageId": message_id, "Result": result.to_string() }),
        ))
    }

    /// Runs a service's behaviour on the device; the data it answers with.
    pub(crate) fn apply(
        &self,
        idx: usize,
        service: &Service,
        args: &Map<String, Value>,
        now_ms: i64,
    ) -> Value {
        let output = match service.behavior {
            Behavior::Ack => json!({}),
            Behavior::Echo => Value::Object(args.clone()),
            Behavior::SetProperties => {
                let mut d = self.devices.lock().unwrap();
                let mut kept = self.kept.lock().unwrap();
                for (k, v) in args {
                    d[idx].props.insert(k.clone(), (v.clone(), now_ms));
                    kept.record(idx, k, v, now_ms);
                }
                let items: Vec<(&str, &Value)> =
                    args.iter().map(|(k, v)| (k.as_str(), v)).collect();
                self.live.property_post(
                    &self.device_ref(&d[idx]),
                    &items,
                    now_ms,
                    self.message_id(),
                );
                Value::Object(args.clone())
            }
        };
        // The service history, and the events the call raises.
        let devices = self.devices.lock().unwrap();
        let device = self.device_ref(&devices[idx]);
        let product = &self.config.products[devices[idx].product];
        let mut kept = self.kept.lock().unwrap();
        let input = Value::Object(args.clone()).to_string();
        kept.service(
            idx,
            crate::history::ServiceCall {
                identifier: service.identifier.clone(),
                name: service.name.clone(),
                input: input.clone(),
                output: output.to_string(),
            },
            now_ms,
        );
        for e in product
            .events
            .iter()
            .filter(|e| e.raised_by.as_deref() == Some(service.identifier.as_str()))
        {
            kept.event(
                idx,
                crate::history::EventRaised {
                    identifier: e.identifier.clone(),
                    name: e.name.clone(),
                    kind: e.kind.as_str(),
                    output: input.clone(),
                },
                now_ms,
            );
            self.live.event_post(
                &device,
                &e.identifier,
                &e.name,
                e.kind.as_str(),
                &Value::Object(args.clone()),
                now_ms,
                self.message_id(),
            );
        }
        output
    }

    /// A device as the subscription's messages name it.
    fn device_ref<'a>(&'a self, d: &'a Device) -> crate::live::DeviceRef<'a> {
        crate::live::DeviceRef {
            product_key: &self.config.products[d.product].product_key,
            device_name: &d.device_name,
            iot_id: &d.iot_id,
        }
    }

    /// The server-side subscription's consumer groups.
    pub fn consumer_groups(&self) -> &[String] {
        &self.config.consumer_groups
    }

    /// What the server-side subscription pushes.
    pub fn live(&self) -> &crate::live::Live {
        &self.live
    }

    /// The reports of reported properties (the lamps' drifting `Temperature`) due in
    /// `after..=upto` on every device: `(device, identifier, time, value)`.
    pub fn reports_due(&self, after: i64, upto: i64) -> Vec<(usize, String, i64, Value)> {
        let d = self.devices.lock().unwrap();
        let mut out = Vec::new();
        for (pi, product) in self.config.products.iter().enumerate() {
            for p in &product.properties {
                let Some(r) = &p.report else { continue };
                let every = r.every_ms.max(1) as i64;
                let initial = p.initial.as_ref().and_then(Value::as_f64).unwrap_or(0.0);
                let mut t = (after.div_euclid(every) + 1) * every;
                while t <= upto {
                    for (idx, dev) in d.iter().enumerate() {
                        if dev.product == pi && dev.online {
                            let v = crate::history::reported_value(r, initial, idx, t);
                            out.push((idx, p.identifier.clone(), t, json!(v)));
                        }
                    }
                    t += every;
                }
            }
        }
        out
    }

    /// Publishes the reports `reports_due` gave.
    pub fn publish_reports(&self, reports: &[(usize, String, i64, Value)]) {
        let d = self.devices.lock().unwrap();
        for (idx, identifier, t, v) in reports {
            self.live.property_post(
                &self.device_ref(&d[*idx]),
                &[(identifier, v)],
                *t,
                self.message_id(),
            );
        }
    }

    /// `SetDeviceProperty`.
    pub fn set_device_property(&self, params: &Params, now_ms: i64) -> Result<Reply, ApiError> {
        Self::check_instance(params)?;
        let items_text = Self::required(params, "Items")?;
        let idx = self.locate(params)?;
        let message_id = self.set_items(idx, items_text, now_ms)?;
        Ok(obj(json!({ "MessageId": message_id })))
    }

    /// `Items` checked against `product`'s writable properties.
    pub(crate) fn checked_items(
        product: &Product,
        items_text: &str,
    ) -> Result<Map<String, Value>, ApiError> {
        let items = parse_object(items_text)
            .ok_or_else(|| ApiError::invalid_format("Items must be a JSON object."))?;
        for (k, v) in &items {
            let p = product
                .properties
                .iter()
                .find(|p| &p.identifier == k)
                .ok_or_else(|| {
                    ApiError::invalid_format(format!("{k}: no such property in the thing model"))
                })?;
            if p.access_mode != AccessMode::Rw {
                return Err(ApiError::invalid_format(format!(
                    "{k}: the property is read-only"
                )));
            }
            check_value(k, &p.data_type, v).map_err(ApiError::invalid_format)?;
        }
        Ok(items)
    }

    pub(crate) fn set_items(
        &self,
        idx: usize,
        items_text: &str,
        now_ms: i64,
    ) -> Result<String, ApiError> {
        let product = &self.config.products[self.devices.lock().unwrap()[idx].product];
        let items = Self::checked_items(product, items_text)?;
        let mut devices = self.devices.lock().unwrap();
        if !devices[idx].online {
            return Err(ApiError::business(
                "iot.messagebroker.OFFLINE",
                "The device is offline.",
            ));
        }
        let mut kept = self.kept.lock().unwrap();
        for (k, v) in &items {
            devices[idx].props.insert(k.clone(), (v.clone(), now_ms));
            kept.record(idx, k, v, now_ms);
        }
        drop(kept);
        let posted: Vec<(&str, &Value)> = items.iter().map(|(k, v)| (k.as_str(), v)).collect();
        self.live.property_post(
            &self.device_ref(&devices[idx]),
            &posted,
            now_ms,
            self.message_id(),
        );
        let message_id = self.message_id();
        drop(devices);
        self.record(
            &self.devices.lock().unwrap()[idx],
            "set",
            Value::Object(items),
            &message_id,
            now_ms,
        );
        Ok(message_id)
    }

    fn device_names(params: &Params) -> Result<Vec<&str>, ApiError> {
        numbered(
            params,
            "DeviceName",
            100,
            "At most 100 devices per batch call.",
        )
    }

    fn batch_devices(&self, params: &Params) -> Result<Vec<usize>, ApiError> {
        let pk = Self::required(params, "ProductKey")?;
        self.product(pk)?;
        Self::device_names(params)?
            .into_iter()
            .map(|dn| self.device_by_name(pk, dn))
            .collect()
    }

    /// `InvokeThingsService` (batch, asynchronous).
    pub fn invoke_things_service(&self, params: &Params, now_ms: i64) -> Result<Reply, ApiError> {
        Self::check_instance(params)?;
        let identifier = Self::required(params, "Identifier")?;
        let args_text = Self::required(params, "Args")?;
        let idxs = self.batch_devices(params)?;
        let product = &self.config.products[self.devices.lock().unwrap()[idxs[0]].product];
        let (service, args) = self.service_call(product, identifier, args_text)?;
        for idx in idxs {
            if !self.devices.lock().unwrap()[idx].online {
                continue; // offline devices of a batch simply do not get the message
            }
            self.apply(idx, service, &args, now_ms);
            let mid = self.message_id();
            self.record(
                &self.devices.lock().unwrap()[idx],
                identifier,
                Value::Object(args.clone()),
                &mid,
                now_ms,
            );
        }
        Ok(Map::new())
    }

    /// `SetDevicesProperty` (batch, asynchronous).
    pub fn set_devices_property(&self, params: &Params, now_ms: i64) -> Result<Reply, ApiError> {
        Self::check_instance(params)?;
        let items_text = Self::required(params, "Items")?;
        for idx in self.batch_devices(params)? {
            match self.set_items(idx, items_text, now_ms) {
                Err(e) if e.code == "iot.messagebroker.OFFLINE" => continue,
                r => {
                    r?;
                }
            }
        }
        Ok(Map::new())
    }

    /// `QueryDevicePropertyStatus`.
    pub fn query_device_property_status(
        &self,
        params: &Params,
        now_ms: i64,
    ) -> Result<Reply, ApiError> {
        Self::check_instance(params)?;
        let idx = self.locate(params)?;
        let d = self.devices.lock().unwrap();
        let product = &self.config.products[d[idx].product];
        let list: Vec<Value> = product
            .properties
            .iter()
            .map(|p| {
                let (v, t) = match &p.report {
                    Some(r) => {
                        let now = now_ms;
                        let every = r.every_ms.max(1) as i64;
                        let t = now.div_euclid(every) * every;
                        let initial = p.initial.as_ref().and_then(Value::as_f64).unwrap_or(0.0);
                        (json!(crate::history::reported_value(r, initial, idx, t)), t)
                    }
                    None => d[idx]
                        .props
                        .get(&p.identifier)
                        .cloned()
                        .unwrap_or((Value::Null, 0)),
                };
                let value = match v {
                    Value::String(s) => s,
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                json!({
                    "Identifier": p.identifier,
                    "Value": value,
                    "Time": t.to_string(),
                    "DataType": data_type_name(&p.data_type),
                    "Name": p.name,
                    "Unit": p.data_type.unit.clone().unwrap_or_default(),
                })
            })
            .collect();
        Ok(obj(json!({ "List": { "PropertyStatusInfo": list } })))
    }

    /// The property `identifier` of the device's product, or the platform's refusal.
    fn history_property<'a>(
        &'a self,
        idx: usize,
        identifier: &str,
    ) -> Result<&'a crate::config::Property, ApiError> {
        let product = &self.config.products[self.devices.lock().unwrap()[idx].product];
        product
            .properties
            .iter()
            .find(|p| p.identifier == identifier)
            .ok_or_else(|| {
                ApiError::invalid_format(format!(
                    "{identifier} is not a property of {}'s thing model.",
                    product.product_key
                ))
            })
    }

    /// A page of `prop`'s points of device `idx` in `lo..=hi` (clipped to the retention).
    fn history_page(
        &self,
        idx: usize,
        prop: &crate::config::Property,
        (lo, hi): (i64, i64),
        asc: bool,
        limit: usize,
        now_ms: i64,
    ) -> (Vec<crate::history::Point>, Option<i64>) {
        use crate::history::{page, Source, RETENTION_MS};
        let (lo, hi) = (lo.max(now_ms - RETENTION_MS), hi.min(now_ms));
        match &prop.report {
            Some(report) => page(
                &Source::Reported {
                    report,
                    initial: prop.initial.as_ref().and_then(Value::as_f64).unwrap_or(0.0),
                    device: idx,
                },
                lo,
                hi,
                asc,
                limit,
            ),
            None => {
                let kept = self.kept.lock().unwrap();
                match kept.of(idx, &prop.identifier) {
                    Some(points) => page(&Source::Kept(points), lo, hi, asc, limit),
                    None => (Vec::new(), None),
                }
            }
        }
    }

    /// `QueryDevicePropertyData`: one property's points, `PageSize` (1 to 50) at a time,
    /// `StartTime` < `EndTime`; the next page starts at `NextTime` (ascending: as its
    /// `StartTime`; descending, the emulator's choice: as its `EndTime`).
    pub fn query_device_property_data(
        &self,
        params: &Params,
        now_ms: i64,
    ) -> Result<Reply, ApiError> {
        Self::check_instance(params)?;
        let idx = self.locate(params)?;
        let identifier = Self::required(params, "Identifier")?;
        let prop = self.history_property(idx, identifier)?;
        let (lo, hi, asc, size) = Self::history_range(params, now_ms)?;
        let (points, next) = self.history_page(idx, prop, (lo, hi), asc, size, now_ms);
        let list = points
            .iter()
            .map(|(t, v)| json!({ "Time": t, "Value": v }))
            .collect();
        Ok(paged(next, "PropertyInfo", list))
    }

    /// `QueryDevicePropertiesData`: up to 10 properties (`Identifier.N`), `PageSize` (1 to 100)
    /// points each, answered at the top level (not under `Data`). `Asc=1` reads `StartTime`
    /// up to `EndTime`, `Asc=0` reads `StartTime` down to `EndTime` (so `StartTime` >
    /// `EndTime`). When a property fills its page, every list stops at the same time
    /// (`NextTime`), the next call's `StartTime`: no point comes twice.
    pub fn query_device_properties_data(
        &self,
        params: &Params,
        now_ms: i64,
    ) -> Result<Reply, ApiError> {
        Self::check_instance(params)?;
        let idx = self.locate(params)?;
        let identifiers = numbered(params, "Identifier", 10, "At most 10 identifiers per call.")?;
        let asc = asc_param(params)?;
        let (start, end) = (
            time_param(params, "StartTime")?,
            time_param(params, "EndTime")?,
        );
        if (asc && start >= end) || (!asc && start <= end) {
            return Err(ApiError::invalid_format(if asc {
                "With Asc=1, StartTime must be before EndTime."
            } else {
                "With Asc=0, StartTime must be after EndTime."
            }));
        }
        let size = whole_param(params, "PageSize", 1..=100)?;
        let range = if asc { (start, end) } else { (end, start) };
        let mut pages = Vec::new();
        for id in &identifiers {
            let prop = self.history_property(idx, id)?;
            pages.push((*id, self.history_page(idx, prop, range, asc, size, now_ms)));
        }
        // The earliest point left over (in the reading order) is where every list stops.
        let cut = pages
            .iter()
            .filter_map(|(_, (_, next))| *next)
            .reduce(|a, b| if asc { a.min(b) } else { a.max(b) });
        let infos: Vec<Value> = pages
            .into_iter()
            .map(|(id, (points, _))| {
                let list: Vec<Value> = points
                    .into_iter()
                    .filter(|(t, _)| cut.is_none_or(|c| if asc { *t < c } else { *t > c }))
                    .map(|(t, v)| json!({ "Time": t, "Value": v }))
                    .collect();
                json!({ "Identifier": id, "List": { "PropertyInfo": list } })
            })
            .collect();
        Ok(obj(json!({
            "NextValid": cut.is_some(),
            "NextTime": cut.unwrap_or(0),
            "PropertyDataInfos": { "PropertyDataInfo": infos },
        })))
    }

    /// The range, order and page size of a history request (`StartTime` < `EndTime`, `Asc`,
    /// `PageSize` 1 to 50), clipped to the retention and the present.
    fn history_range(params: &Params, now_ms: i64) -> Result<(i64, i64, bool, usize), ApiError> {
        let (start, end) = (
            time_param(params, "StartTime")?,
            time_param(params, "EndTime")?,
        );
        if start >= end {
            return Err(ApiError::invalid_format(
                "StartTime must be before EndTime.",
            ));
        }
        let asc = asc_param(params)?;
        let size = whole_param(params, "PageSize", 1..=50)?;
        let lo = start.max(now_ms - crate::history::RETENTION_MS);
        Ok((lo, end.min(now_ms), asc, size))
    }

    /// `QueryDeviceServiceData`: the device's service calls (optionally one service's),
    /// paged by `NextTime` as `QueryDevicePropertyData` is.
    pub fn query_device_service_data(
        &self,
        params: &Params,
        now_ms: i64,
    ) -> Result<Reply, ApiError> {
        Self::check_instance(params)?;
        let idx = self.locate(params)?;
        let (lo, hi, asc, size) = Self::history_range(params, now_ms)?;
        let only = param(params, "Identifier").filter(|s| !s.is_empty());
        let kept = self.kept.lock().unwrap();
        let empty = std::collections::VecDeque::new();
        let calls: std::collections::VecDeque<_> = kept
            .services_of(idx)
            .unwrap_or(&empty)
            .iter()
            .filter(|(_, c)| only.is_none_or(|i| c.identifier == i))
            .cloned()
            .collect();
        let (page, next) = crate::history::records(&calls, lo, hi, asc, size);
        let list: Vec<Value> = page
            .into_iter()
            .map(|(t, c)| json!({ "Time": t, "Identifier": c.identifier, "Name": c.name, "InputData": c.input, "OutputData": c.output }))
            .collect();
        Ok(paged(next, "ServiceInfo", list))
    }

    /// `QueryDeviceEventData`: the device's events of one `EventType` (`info`, `alert`,
    /// `error`; optionally one event's), paged by `NextTime`. Events raised by a service are
    /// kept as they happen; those raised by a reported property are found in its history.
    pub fn query_device_event_data(&self, params: &Params, now_ms: i64) -> Result<Reply, ApiError> {
        Self::check_instance(params)?;
        let idx = self.locate(params)?;
        let kind = Self::required(params, "EventType")?;
        if !["info", "alert", "error"].contains(&kind) {
            return Err(ApiError::invalid_format(
                "EventType must be info, alert or error.",
            ));
        }
        let (lo, hi, asc, size) = Self::history_range(params, now_ms)?;
        let only = param(params, "Identifier").filter(|s| !s.is_empty());
        let product = &self.config.products[self.devices.lock().unwrap()[idx].product];
        let mut all: Vec<(i64, crate::history::EventRaised)> = Vec::new();
        if let Some(kept) = self.kept.lock().unwrap().events_of(idx) {
            all.extend(kept.iter().filter(|(t, _)| (lo..=hi).contains(t)).cloned());
        }
        for e in &product.events {
            let Some(th) = &e.when_above else { continue };
            let Some(prop) = product
                .properties
                .iter()
                .find(|p| p.identifier == th.property)
            else {
                continue;
            };
            let Some(report) = &prop.report else { continue };
            let initial = prop.initial.as_ref().and_then(Value::as_f64).unwrap_or(0.0);
            for (t, v) in crate::history::crossings(report, initial, idx, th.value, lo, hi) {
                all.push((
                    t,
                    crate::history::EventRaised {
                        identifier: e.identifier.clone(),
                        name: e.name.clone(),
                        kind: e.kind.as_str(),
                        output: json!({ &th.property: v }).to_string(),
                    },
                ));
            }
        }
        all.retain(|(_, e)| e.kind == kind && only.is_none_or(|i| e.identifier == i));
        all.sort_by_key(|(t, _)| *t);
        let all: std::collections::VecDeque<_> = all.into();
        let (page, next) = crate::history::records(&all, lo, hi, asc, size);
        let list: Vec<Value> = page
            .into_iter()
            .map(|(t, e)| json!({ "Time": t, "Identifier": e.identifier, "Name": e.name, "EventType": e.kind, "OutputData": e.output }))
            .collect();
        Ok(paged(next, "EventInfo", list))
    }

    /// `QueryDeviceDetail`.
    pub fn query_device_detail(&self, params: &Params) -> Result<Reply, ApiError> {
        Self::check_instance(params)?;
        let idx = self.locate(params)?;
        let d = self.devices.lock().unwrap();
        let p = &self.config.products[d[idx].product];
        Ok(obj(json!({
            "IotId": d[idx].iot_id,
            "ProductKey": p.product_key,
            "ProductName": p.product_name,
            "DeviceName": d[idx].device_name,
            "Nickname": "",
            "Status": if d[idx].online { "ONLINE" } else { "OFFLINE" },
            "NodeType": 0,
            "Region": "local",
            "FirmwareVersion": "1.0.0",
        })))
    }

    /// `QueryProductList`.
    pub fn query_product_list(&self) -> Result<Reply, ApiError> {
        let list: Vec<Value> = self
            .config
            .products
            .iter()
            .map(|p| json!({ "ProductKey": p.product_key, "ProductName": p.product_name, "DeviceCount": p.devices.len(), "NodeType": 0 }))
            .collect();
        Ok(obj(json!({
            "CurrentPage": 1, "PageCount": 1, "PageSize": list.len().max(1), "Total": list.len(),
            "List": { "ProductInfo": list }
        })))
    }

    /// `QueryDevice` (the devices of a product, paged).
    pub fn query_device(&self, params: &Params) -> Result<Reply, ApiError> {
        let pk = Self::required(params, "ProductKey")?;
        let (pi, _) = self.product(pk)?;
        let number = |name: &str, default: usize| -> Result<usize, ApiError> {
            match param(params, name) {
                None | Some("") => Ok(default),
                Some(s) => s.parse::<usize>().map_err(|_| {
                    ApiError::invalid_format(format!("{name} must be a whole number."))
                }),
            }
        };
        let page = number("CurrentPage", 1)?.max(1);
        let size = number("PageSize", 10)?;
        if !(1..=MAX_DEVICE_PAGE).contains(&size) {
            return Err(ApiError::invalid_format(format!(
                "PageSize must be from 1 to {MAX_DEVICE_PAGE}."
            )));
        }
        let token = param(params, "NextToken").filter(|t| !t.is_empty());
        let start = match token {
            // Past 10,000 devices a page is found by the token of the one before it.
            None if page * size > NEXT_TOKEN_AFTER => {
                return Err(ApiError::invalid_format(format!(
                    "PageSize x CurrentPage is above {NEXT_TOKEN_AFTER}: give the NextToken of the page before."
                )))
            }
            None => (page - 1) * size,
            Some(_) if page * size >= MAX_DEVICES_LISTED => {
                return Err(ApiError::invalid_format(format!(
                    "PageSize x CurrentPage must stay under {MAX_DEVICES_LISTED} with a NextToken."
                )))
            }
            Some(t) => device_token_offset(pk, t)
                .ok_or_else(|| ApiError::invalid_format("NextToken is not one this product gave."))?,
        };
        let d = self.devices.lock().unwrap();
        let all: Vec<&Device> = d.iter().filter(|x| x.product == pi).collect();
        let info: Vec<Value> = all
            .iter()
            .skip(start)
            .take(size)
            .map(|x| {
                json!({
                    "DeviceName": x.device_name, "IotId": x.iot_id, "ProductKey": pk,
                    "DeviceStatus": if x.online { "ONLINE" } else { "OFFLINE" }, "Nickname": "",
                    "GmtCreate": CREATED_GMT, "UtcCreate": CREATED_UTC,
                })
            })
            .collect();
        let end = start + info.len();
        // The page's members beside Data, as the platform answers QueryDevice.
        let mut reply = obj(json!({
            "Data": { "DeviceInfo": info },
            "Total": all.len(), "PageSize": size, "PageCount": all.len().div_ceil(size), "Page": page,
        }));
        if end < all.len() {
            reply.insert("NextToken".into(), json!(device_token(pk, end)));
        }
        Ok(reply)
    }

    /// How many devices product `pk` holds (0 for an unknown product).
    pub fn device_count(&self, pk: &str) -> usize {
        let Ok((pi, _)) = self.product(pk) else {
            return 0;
        };
        self.devices
            .lock()
            .unwrap()
            .iter()
            .filter(|d| d.product == pi)
            .count()
    }

    /// `BatchQueryDeviceDetail`: up to 100 devices of one product by name; names the product
    /// does not have are left out.
    pub fn batch_query_device_detail(&self, params: &Params) -> Result<Reply, ApiError> {
        Self::check_instance(params)?;
        let pk = Self::required(params, "ProductKey")?;
        let (pi, p) = self.product(pk)?;
        let names = Self::device_names(params)?;
        let d = self.devices.lock().unwrap();
        let found: Vec<Value> = names
            .iter()
            .filter_map(|n| self.by_name.get(&(pk.to_string(), n.to_string())))
            .filter(|&&i| d[i].product == pi)
            .map(|&i| {
                json!({
                    "ProductKey": pk, "ProductName": p.product_name, "DeviceName": d[i].device_name,
                    "IotId": d[i].iot_id, "Nickname": "",
                    "Status": if d[i].online { "ONLINE" } else { "OFFLINE" },
                    "FirmwareVersion": "1.0.0", "NodeType": 0, "Region": "local",
                    "GmtCreate": CREATED_GMT, "UtcCreate": CREATED_UTC,
                    "GmtActive": CREATED_GMT, "UtcActive": CREATED_UTC,
                })
            })
            .collect();
        Ok(obj(json!({ "Data": found })))
    }

    /// `QueryThingModel`: the product's TSL as a JSON string.
    pub fn query_thing_model(&self, params: &Params) -> Result<Reply, ApiError> {
        let pk = Self::required(params, "ProductKey")?;
        let (_, p) = self.product(pk)?;
        let dt = |d: &DataType| {
            let mut specs = Map::new();
            if let Some(v) = d.min {
                specs.insert("min".into(), json!(v.to_string()));
            }
            if let Some(v) = d.max {
                specs.insert("max".into(), json!(v.to_string()));
            }
            if let Some(v) = &d.unit {
                specs.insert("unit".into(), json!(v));
            }
            if let Some(v) = d.length {
                specs.insert("length".into(), json!(v.to_string()));
            }
            if let Some(v) = &d.values {
                specs = v.iter().map(|(k, n)| (k.clone(), json!(n))).collect();
            }
            json!({ "type": d.kind, "specs": specs })
        };
        let tsl = json!({
            "schema": "https://iotx-tsl.oss-ap-southeast-1.aliyuncs.com/schema.json",
            "profile": { "productKey": p.product_key, "version": "1.0" },
            "properties": p.properties.iter().map(|x| json!({
                "identifier": x.identifier, "name": x.name, "accessMode": x.access_mode,
                "required": false, "dataType": dt(&x.data_type)
            })).collect::<Vec<_>>(),
            "services": p.services.iter().map(|s| json!({
                "identifier": s.identifier, "name": s.name, "required": false,
                "callType": match s.call_type { CallType::Sync => "sync", CallType::Async => "async" },
                "method": format!("thing.service.{}", s.identifier),
                "inputData": s.input_data.iter().map(|x| json!({
                    "identifier": x.identifier, "name": x.name, "required": x.required,
                    "dataType": dt(&x.data_type)
                })).collect::<Vec<_>>(),
                "outputData": []
            })).collect::<Vec<_>>(),
            "events": p.events.iter().map(|e| json!({
                "identifier": e.identifier, "name": e.name, "type": e.kind.as_str(), "required": false,
                "method": format!("thing.event.{}.post", e.identifier),
                "outputData": e.output_data.iter().map(|x| json!({
                    "identifier": x.identifier, "name": x.name, "dataType": dt(&x.data_type)
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>()
        });
        Ok(obj(
            json!({ "ProductKey": p.product_key, "ThingModelJson": tsl.to_string() }),
        ))
    }
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// A time parameter (unix ms), required.
fn time_param(params: &Params, name: &str) -> Result<i64, ApiError> {
    let v = param(params, name)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::missing(name))?;
    v.parse()
        .map_err(|_| ApiError::invalid_format(format!("{name} must be a time in ms.")))
}

/// `Asc`: 0 or 1, required.
fn asc_param(params: &Params) -> Result<bool, ApiError> {
    match param(params, "Asc") {
        Some("1") => Ok(true),
        Some("0") => Ok(false),
        None | Some("") => Err(ApiError::missing("Asc")),
        Some(_) => Err(ApiError::invalid_format("Asc must be 0 or 1.")),
    }
}

/// A whole number in `range`, required.
fn whole_param(
    params: &Params,
    name: &str,
    range: std::ops::RangeInclusive<usize>,
) -> Result<usize, ApiError> {
    let v = param(params, name)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::missing(name))?;
    v.parse().ok().filter(|n| range.contains(n)).ok_or_else(|| {
        ApiError::invalid_format(format!(
            "{name} must be from {} to {}.",
            range.start(),
            range.end()
        ))
    })
}

/// The values of `name.1`, `name.2`, ... (up to the first missing one): at least one, at most
/// `most` (else `too_many`).
fn numbered<'a>(
    params: &'a Params,
    name: &str,
    most: usize,
    too_many: &str,
) -> Result<Vec<&'a str>, ApiError> {
    let mut values = Vec::new();
    for i in 1..=most + 1 {
        match param(params, &format!("{name}.{i}")) {
            Some(v) if !v.is_empty() => values.push(v),
            _ => break,
        }
    }
    if values.is_empty() {
        return Err(ApiError::missing(&format!("{name}.1")));
    }
    if values.len() > most {
        return Err(ApiError::invalid_format(too_many));
    }
    Ok(values)
}

/// A history page as the platform answers it: `NextValid`, `NextTime` and `List.{key}`.
fn paged(next: Option<i64>, key: &str, list: Vec<Value>) -> Reply {
    let mut l = Map::new();
    l.insert(key.into(), Value::Array(list));
    obj(json!({ "NextValid": next.is_some(), "NextTime": next.unwrap_or(0), "List": l }))
}
