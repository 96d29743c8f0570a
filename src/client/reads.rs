//! The read side: a product's devices a page at a time ([`Client::devices`], `QueryDevice`,
//! following its `NextToken` where the platform requires it, and at 2 QPS for a product of
//! 100,000 devices or more), the details of named devices in
//! groups of 100 ([`Client::device_details`], `BatchQueryDeviceDetail`), and properties'
//! history ([`Client::property_history`]: `QueryDevicePropertyData` for one,
//! `QueryDevicePropertiesData` for up to 10 at a time). Every page is paced by the action's
//! documented QPS through the client's rate window (its retries too), has the client's deadline,
//! and is retried as a read (it is idempotent).

use alloc::string::String;
use alloc::vec::Vec;

use js_sys::Array;
use web_sys::AbortSignal;

use super::results::{at, text};
use super::{CallOptions, CallResult, Client, Device, Error, Params, Payload, Request, Target};
use crate::core::action::{self, MAX_BATCH};
use crate::core::attempts::parse_i64;
use crate::core::bulk::groups;
use crate::core::fifo::Fifo;
use crate::core::paging::{DevicePaging, HistoryPaging, RangeForm};

/// One page's request, as a pager makes it: every pager's pages go out through
/// [`PageRequest::send`], one function whatever the read.
pub(crate) struct PageRequest<'a> {
    client: &'a Client,
    options: &'a CallOptions,
    action: &'static str,
    qps: f64,
    params: Params,
}

impl<'a> PageRequest<'a> {
    pub(crate) fn new(
        client: &'a Client,
        options: &'a CallOptions,
        action: &'static str,
        qps: f64,
        params: Params,
    ) -> Self {
        Self {
            client,
            options,
            action,
            qps,
            params,
        }
    }

    /// A request of `spec`'s action, at its documented QPS.
    fn of(
        client: &'a Client,
        options: &'a CallOptions,
        spec: &'static action::ActionSpec,
        params: Params,
    ) -> Self {
        Self::new(client, options, spec.name, spec.qps.into(), params)
    }

    /// Sends it, paced by the action's QPS through the client's rate window.
    pub(crate) async fn send(self) -> Result<CallResult, Error> {
        self.client
            .paced_call(self.action, self.qps, self.params, self.options)
            .await
    }
}

/// A device's state, as `QueryDevice` and `BatchQueryDeviceDetail` give it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeviceStatus {
    /// Connected.
    Online,
    /// Not connected.
    Offline,
    /// Never connected.
    Unactive,
    /// Disabled by its owner.
    Disable,
    /// A state this version does not know (its name is in `status_name`).
    Other,
}

impl DeviceStatus {
    /// From the platform's name (`ONLINE`, `OFFLINE`, `UNACTIVE`, `DISABLE`).
    pub fn from_name(name: &str) -> Self {
        match name {
            "ONLINE" => Self::Online,
            "OFFLINE" => Self::Offline,
            "UNACTIVE" => Self::Unactive,
            "DISABLE" => Self::Disable,
            _ => Self::Other,
        }
    }
}

/// One device of a product's list.
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceInfo {
    /// `DeviceName`.
    pub device_name: String,
    /// `IotId`.
    pub iot_id: String,
    /// `ProductKey`.
    pub product_key: String,
    /// Its state.
    pub status: DeviceStatus,
    /// The platform's name of its state, as sent.
    pub status_name: String,
    /// `Nickname` (empty when none).
    pub nickname: String,
}

/// One device's details, from `BatchQueryDeviceDetail`.
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceDetail {
    /// `DeviceName`, `IotId`, `ProductKey`, state and nickname.
    pub info: DeviceInfo,
    /// `FirmwareVersion` (empty when none).
    pub firmware_version: String,
    /// `UtcActive`: when it first connected (empty when never).
    pub utc_active: String,
}

/// What [`Client::devices`] lists.
#[derive(Clone, Debug, Default)]
pub struct DeviceListOptions {
    /// Devices per request, 1 to 50 (50 when absent: the fewest requests).
    pub page_size: Option<u32>,
    /// Only devices in this state (filtered here: `QueryDevice` lists every state).
    pub status: Option<DeviceStatus>,
    /// Stops the listing: the page in flight is cut and `Aborted` returned.
    pub signal: Option<AbortSignal>,
    /// Each page's deadline (the client's `timeout_ms` when absent).
    pub timeout_ms: Option<u32>,
}

/// A product's devices, fetched a page at a time as they are read.
pub struct DevicePages {
    client: Client,
    product_key: String,
    paging: DevicePaging,
    status: Option<DeviceStatus>,
    options: CallOptions,
    buffer: Fifo<DeviceInfo>,
    /// The QPS the pages are paced at: the action's, until an answer's `Total` says the
    /// product is one of 100,000 devices or more, which the platform serves at 2.
    qps: u32,
    /// Requests made so far.
    pub requests: u32,
}

fn device_info(v: &wasm_bindgen::JsValue, product_key: &str) -> DeviceInfo {
    let field = |k: &'static str| text(&at(v, &[k])).unwrap_or_default();
    let status_name = {
        let s = field("DeviceStatus");
        if s.is_empty() {
            field("Status")
        } else {
            s
        }
    };
    let pk = field("ProductKey");
    DeviceInfo {
        device_name: field("DeviceName"),
        iot_id: field("IotId"),
        product_key: if pk.is_empty() {
            product_key.into()
        } else {
            pk
        },
        status: DeviceStatus::from_name(&status_name),
        status_name,
        nickname: field("Nickname"),
    }
}

impl DevicePages {
    /// The next device, `None` after the last. After an `Err` the listing stays where it was:
    /// the next call asks for the same page again.
    pub async fn next(&mut self) -> Result<Option<DeviceInfo>, Error> {
        loop {
            if let Some(d) = self.pop() {
                return Ok(Some(d));
            }
            let Some(page) = self.request() else {
                return Ok(None);
            };
            let r = page.send().await?;
            self.answered(&r);
        }
    }

    /// The rest of the list, every page read.
    pub async fn collect(mut self) -> Result<Vec<DeviceInfo>, Error> {
        let mut all = Vec::new();
        while let Some(d) = self.next().await? {
            all.push(d);
        }
        Ok(all)
    }

    /// A device read before, without a request.
    pub(crate) fn pop(&mut self) -> Option<DeviceInfo> {
        self.buffer.pop()
    }

    /// The next page's request, `None` after the last page.
    pub(crate) fn request(&mut self) -> Option<PageRequest<'_>> {
        let paging = self.paging.request()?;
        let mut params: Params = Vec::with_capacity(4);
        params.push(("ProductKey".into(), self.product_key.clone()));
        params.extend(paging);
        self.client.instance(&mut params);
        Some(PageRequest::new(
            &self.client,
            &self.options,
            action::QUERY_DEVICE.name,
            self.qps.into(),
            params,
        ))
    }

    /// Reads a page's answer: its devices wait to be read.
    pub(crate) fn answered(&mut self, r: &CallResult) {
        self.requests += 1;
        let list = r.body.at(&["Data", "DeviceInfo"]);
        let mut got = 0;
        if Array::is_array(&list) {
            for d in Array::from(&list).iter() {
                got += 1;
                let info = device_info(&d, &self.product_key);
                if self.status.is_none_or(|s| s == info.status) {
                    self.buffer.push(info);
                }
            }
        }
        let total = r.body.at(&["Total"]).as_f64().map(|t| t as u64);
        if total.is_some_and(|t| t >= action::QUERY_DEVICE_LARGE_PRODUCT) {
            self.qps = action::QUERY_DEVICE_LARGE_PRODUCT_QPS;
        }
        let token = r.body.text_of(&["NextToken"]);
        self.paging.answered(got, total, token);
    }
}

impl Client {
    /// Adds the client's `IotInstanceId`, when it has one.
    pub(crate) fn instance(&self, params: &mut Params) {
        if let Some(id) = self.iot_instance_id() {
            params.push(("IotInstanceId".into(), id.into()));
        }
    }

    /// Every device of `product_key`, a page (`QueryDevice`) at a time as they are read: from
    /// the 10,000th device on, each page is asked for with the previous page's `NextToken`, as
    /// the platform requires. Bad options are refused now, before anything is sent.
    pub fn devices(
        &self,
        product_key: &str,
        options: &DeviceListOptions,
    ) -> Result<DevicePages, Error> {
        // The product key checked as QueryDevice's catalog entry checks it.
        super::Request::new(
            &action::QUERY_DEVICE,
            super::Target::None,
            None,
            &[
                Some((product_key, super::Payload::AsWritten)),
                None,
                None,
                None,
            ],
        )?;
        let paging = DevicePaging::new(options.page_size.unwrap_or(50))
            .map_err(|m| Error::invalid(crate::core::attempts::concat(&["devices.", m])))?;
        Ok(DevicePages {
            client: self.clone(),
            product_key: product_key.into(),
            paging,
            status: options.status,
            options: CallOptions {
                signal: options.signal.clone(),
                timeout_ms: options.timeout_ms,
                ..CallOptions::default()
            },
            buffer: Fifo::default(),
            qps: action::QUERY_DEVICE.qps,
            requests: 0,
        })
    }

    /// The details of `device_names` (any number) of `product_key`, asked in groups of 100
    /// (`BatchQueryDeviceDetail`), in the order asked; names the product does not have are
    /// left out, as the platform leaves them out.
    pub async fn device_details(
        &self,
        product_key: &str,
        device_names: &[String],
        options: &CallOptions,
    ) -> Result<Vec<DeviceDetail>, Error> {
        let spec = &action::BATCH_QUERY_DEVICE_DETAIL;
        let mut out = Vec::with_capacity(device_names.len());
        for range in groups(device_names.len(), MAX_BATCH) {
            let names = &device_names[range];
            let request = super::Request::new(
                spec,
                super::Target::Names {
                    product_key,
                    device_names: names,
                },
                None,
                &[],
            )?;
            let params = request.into_params(self.iot_instance_id());
            let r = self
                .paced_call(spec.name, spec.qps.into(), params, options)
                .await?;
            let list = r.body.at(&["Data", "Data"]);
            if Array::is_array(&list) {
                for d in Array::from(&list).iter() {
                    let field = |k: &'static str| text(&at(&d, &[k])).unwrap_or_default();
                    out.push(DeviceDetail {
                        info: device_info(&d, product_key),
                        firmware_version: field("FirmwareVersion"),
                        utc_active: field("UtcActive"),
                    });
                }
            }
        }
        Ok(out)
    }
}

/// One point of a property's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PropertyPoint {
    /// The property's identifier.
    pub identifier: String,
    /// When the device reported it, unix ms.
    pub time_ms: i64,
    /// The value as the platform sent it (text, every digit kept; `value.parse::<f64>()` for a
    /// numeric property).
    pub value: String,
}

/// What [`Client::property_history`] reads.
#[derive(Clone, Debug, Default)]
pub struct HistoryOptions {
    /// Where the range starts, unix ms (at most 30 days back, the platform's retention).
    pub from_ms: i64,
    /// Where it ends, unix ms (after `from_ms`).
    pub to_ms: i64,
    /// Newest first (oldest first when false).
    pub newest_first: bool,
    /// Points per request (per property for several): 1 to 50 for one property, 1 to 100 for
    /// several; the most when absent.
    pub page_size: Option<u32>,
    /// Stops the reading: the page in flight is cut and `Aborted` returned.
    pub signal: Option<AbortSignal>,
    /// Each page's deadline (the client's `timeout_ms` when absent).
    pub timeout_ms: Option<u32>,
}

/// Properties' history, read a page at a time.
pub struct HistoryPages {
    client: Client,
    device: Device,
    /// Groups of at most 10 identifiers, read one after the other.
    groups: Vec<Vec<String>>,
    group: usize,
    paging: HistoryPaging,
    /// The walk as it starts, for each group.
    start: HistoryPaging,
    call: CallOptions,
    page_size: u32,
    /// Requests made so far.
    pub requests: u32,
}

fn text_number(n: i64) -> String {
    let mut s = String::new();
    crate::core::attempts::push_u64(&mut s, n.max(0) as u64);
    s
}

impl HistoryPages {
    fn single(&self) -> bool {
        self.groups.len() == 1 && self.groups[0].len() == 1
    }

    /// The next page's points (in the order asked), `None` after the last. After an `Err` the
    /// reading stays where it was: the next call asks for the same page again.
    pub async fn next_page(&mut self) -> Result<Option<Vec<PropertyPoint>>, Error> {
        let Some(page) = self.request()? else {
            return Ok(None);
        };
        let r = page.send().await?;
        Ok(Some(self.answered(&r)))
    }

    /// Every point left, every page read.
    pub async fn collect(mut self) -> Result<Vec<PropertyPoint>, Error> {
        let mut all = Vec::new();
        while let Some(page) = self.next_page().await? {
            all.extend(page);
        }
        Ok(all)
    }

    /// The next page's request, `None` after the last page of the last group.
    pub(crate) fn request(&mut self) -> Result<Option<PageRequest<'_>>, Error> {
        let range = loop {
            if self.group >= self.groups.len() {
                return Ok(None);
            }
            if let Some(range) = self.paging.request() {
                break range;
            }
            self.group += 1;
            self.paging = self.start.clone();
        };
        let single = self.single();
        let spec = if single {
            &action::QUERY_DEVICE_PROPERTY_DATA
        } else {
            &action::QUERY_DEVICE_PROPERTIES_DATA
        };
        let ids = &self.groups[self.group];
        let mut values: Vec<Option<(&str, Payload)>> = Vec::with_capacity(5);
        if single {
            values.push(Some((ids[0].as_str(), Payload::AsWritten)));
        }
        let size = text_number(self.page_size.into());
        for (_, v) in &range {
            values.push(Some((v.as_str(), Payload::AsWritten)));
        }
        values.push(Some((size.as_str(), Payload::AsWritten)));
        let request = Request::new(spec, Target::Device(&self.device), None, &values)?;
        let mut params = request.into_params(self.client.iot_instance_id());
        if !single {
            for (i, id) in ids.iter().enumerate() {
                params.push((
                    crate::core::attempts::concat(&["Identifier.", &text_number(i as i64 + 1)]),
                    id.clone(),
                ));
            }
        }
        Ok(Some(PageRequest::of(
            &self.client,
            &self.call,
            spec,
            params,
        )))
    }

    /// Reads a page's answer: its points.
    pub(crate) fn answered(&mut self, r: &CallResult) -> Vec<PropertyPoint> {
        let single = self.single();
        let ids = &self.groups[self.group];
        self.requests += 1;
        let body = &r.body;
        let (root, lists): (&[&str], Vec<(String, wasm_bindgen::JsValue)>) = if single {
            (
                &["Data"],
                vec![(ids[0].clone(), body.at(&["Data", "List", "PropertyInfo"]))],
            )
        } else {
            let infos = body.at(&["PropertyDataInfos", "PropertyDataInfo"]);
            let mut lists = Vec::new();
            if Array::is_array(&infos) {
                for info in Array::from(&infos).iter() {
                    let id = text(&at(&info, &["Identifier"])).unwrap_or_default();
                    lists.push((id, at(&info, &["List", "PropertyInfo"])));
                }
            }
            (&[], lists)
        };
        let mut points = Vec::new();
        for (identifier, list) in lists {
            if !Array::is_array(&list) {
                continue;
            }
            for p in Array::from(&list).iter() {
                let time_ms = text(&at(&p, &["Time"]))
                    .and_then(|t| parse_i64(&t))
                    .unwrap_or(0);
                points.push(PropertyPoint {
                    identifier: identifier.clone(),
                    time_ms,
                    value: text(&at(&p, &["Value"])).unwrap_or_default(),
                });
            }
        }
        let path = |k: &'static str| {
            let mut p: Vec<&str> = root.to_vec();
            p.push(k);
            p
        };
        let valid = body.at(&path("NextValid")).as_bool() == Some(true);
        let next = body
            .text_of(&path("NextTime"))
            .and_then(|t| parse_i64(&t))
            .filter(|_| valid);
        self.paging.answered(next);
        points
    }
}

impl Client {
    /// The history of `identifiers` (1 or more) of `device` in a time range, a page at a time:
    /// one property through `QueryDevicePropertyData`, several through
    /// `QueryDevicePropertiesData`, 10 at a time (its reversed range for newest first, and its
    /// answer at the top level, are handled here). Bad input (no identifier, a range the wrong
    /// way round or more than 30 days back, a page size out of range) is refused now, before
    /// anything is sent.
    pub fn property_history(
        &self,
        device: &Device,
        identifiers: &[String],
        options: &HistoryOptions,
    ) -> Result<HistoryPages, Error> {
        let bad = |m: &str| Error::invalid(crate::core::attempts::concat(&["propertyHistory.", m]));
        if identifiers.is_empty() {
            return Err(bad("identifiers: give at least one"));
        }
        let single = identifiers.len() == 1;
        let most = if single { 50 } else { 100 };
        let page_size = options.page_size.unwrap_or(most);
        if !(1..=most).contains(&page_size) {
            return Err(bad(if single {
                "pageSize: a whole number from 1 to 50"
            } else {
                "pageSize: a whole number from 1 to 100 (per property)"
            }));
        }
        // Every identifier checked as the catalog checks one.
        for id in identifiers {
            Request::new(
                &action::QUERY_DEVICE_PROPERTY_DATA,
                Target::Device(device),
                None,
                &[
                    Some((id.as_str(), Payload::AsWritten)),
                    Some(("0", Payload::AsWritten)),
                    Some(("1", Payload::AsWritten)),
                    Some(("1", Payload::AsWritten)),
                    Some(("1", Payload::AsWritten)),
                ],
            )?;
        }
        let form = if single {
            RangeForm::Ordered
        } else {
            RangeForm::FromStart
        };
        let now = (super::time::now_ms() + self.clock_offset_ms()) as i64;
        let paging = HistoryPaging::new(
            options.from_ms,
            options.to_ms,
            !options.newest_first,
            form,
            now,
        )
        .map_err(bad)?;
        let mut groups = Vec::new();
        for g in identifiers.chunks(10) {
            groups.push(g.to_vec());
        }
        Ok(HistoryPages {
            client: self.clone(),
            device: device.clone(),
            groups,
            group: 0,
            start: paging.clone(),
            paging,
            call: CallOptions {
                signal: options.signal.clone(),
                timeout_ms: options.timeout_ms,
                ..CallOptions::default()
            },
            page_size,
            requests: 0,
        })
    }
}

/// One record of a device's event or service history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceRecord {
    /// When it happened, unix ms.
    pub time_ms: i64,
    /// The event's or service's identifier.
    pub identifier: String,
    /// Its display name (empty when the platform sends none).
    pub name: String,
    /// An event's type (`info`, `alert`, `error`); empty for a service call.
    pub event_type: String,
    /// A service call's input, as the platform sent it (JSON text); empty for an event.
    pub input_data: String,
    /// An event's output, or a service call's answer, as the platform sent it (JSON text).
    pub output_data: String,
}

/// Which history [`RecordPages`] reads.
#[derive(Clone, Debug)]
enum RecordKind {
    Events { event_type: String },
    Services,
}

/// A device's events or service calls in a time range, read a page at a time
/// (`QueryDeviceEventData`, `QueryDeviceServiceData`).
pub struct RecordPages {
    client: Client,
    device: Device,
    kind: RecordKind,
    identifier: Option<String>,
    paging: HistoryPaging,
    call: CallOptions,
    page_size: u32,
    /// Requests made so far.
    pub requests: u32,
}

impl RecordPages {
    /// The next page's records (in the order asked), `None` after the last. After an `Err` the
    /// reading stays where it was: the next call asks for the same page again.
    pub async fn next_page(&mut self) -> Result<Option<Vec<DeviceRecord>>, Error> {
        let Some(page) = self.request()? else {
            return Ok(None);
        };
        let r = page.send().await?;
        Ok(Some(self.answered(&r)))
    }

    /// The next page's request, `None` after the last page.
    pub(crate) fn request(&mut self) -> Result<Option<PageRequest<'_>>, Error> {
        let Some(range) = self.paging.request() else {
            return Ok(None);
        };
        let spec = match self.kind {
            RecordKind::Events { .. } => &action::QUERY_DEVICE_EVENT_DATA,
            RecordKind::Services => &action::QUERY_DEVICE_SERVICE_DATA,
        };
        let size = text_number(self.page_size.into());
        let mut values: Vec<Option<(&str, Payload)>> = Vec::with_capacity(6);
        if let RecordKind::Events { event_type } = &self.kind {
            values.push(Some((event_type.as_str(), Payload::AsWritten)));
        }
        values.push(
            self.identifier
                .as_deref()
                .map(|id| (id, Payload::AsWritten)),
        );
        for (_, v) in &range {
            values.push(Some((v.as_str(), Payload::AsWritten)));
        }
        values.push(Some((size.as_str(), Payload::AsWritten)));
        let request = Request::new(spec, Target::Device(&self.device), None, &values)?;
        let params = request.into_params(self.client.iot_instance_id());
        Ok(Some(PageRequest::of(
            &self.client,
            &self.call,
            spec,
            params,
        )))
    }

    /// Reads a page's answer: its records.
    pub(crate) fn answered(&mut self, r: &CallResult) -> Vec<DeviceRecord> {
        self.requests += 1;
        let list_name = match self.kind {
            RecordKind::Events { .. } => "EventInfo",
            RecordKind::Services => "ServiceInfo",
        };
        let list = r.body.at(&["Data", "List", list_name]);
        let mut records = Vec::new();
        if Array::is_array(&list) {
            for e in Array::from(&list).iter() {
                let field = |k: &'static str| text(&at(&e, &[k])).unwrap_or_default();
                records.push(DeviceRecord {
                    time_ms: parse_i64(&field("Time")).unwrap_or(0),
                    identifier: field("Identifier"),
                    name: field("Name"),
                    event_type: field("EventType"),
                    input_data: field("InputData"),
                    output_data: field("OutputData"),
                });
            }
        }
        let valid = r.body.at(&["Data", "NextValid"]).as_bool() == Some(true);
        let next = r
            .body
            .text_of(&["Data", "NextTime"])
            .and_then(|t| parse_i64(&t))
            .filter(|_| valid);
        self.paging.answered(next);
        records
    }

    /// Every record left, every page read.
    pub async fn collect(mut self) -> Result<Vec<DeviceRecord>, Error> {
        let mut all = Vec::new();
        while let Some(page) = self.next_page().await? {
            all.extend(page);
        }
        Ok(all)
    }
}

impl Client {
    /// A device's events of `event_type` (`info`, `alert`, `error`), of one `identifier` or
    /// all, in a time range (`QueryDeviceEventData`), a page at a time. `options.page_size` is
    /// 1 to 50. Bad input is refused now, before anything is sent.
    pub fn event_history(
        &self,
        device: &Device,
        event_type: &str,
        identifier: Option<&str>,
        options: &HistoryOptions,
    ) -> Result<RecordPages, Error> {
        if !matches!(event_type, "info" | "alert" | "error") {
            return Err(Error::invalid(
                "eventHistory.type: \"info\", \"alert\" or \"error\"",
            ));
        }
        self.records(
            device,
            RecordKind::Events {
                event_type: event_type.into(),
            },
            identifier,
            options,
            "eventHistory.",
        )
    }

    /// A device's service calls, of one `identifier` or all, in a time range
    /// (`QueryDeviceServiceData`), a page at a time. `options.page_size` is 1 to 50.
    pub fn service_history(
        &self,
        device: &Device,
        identifier: Option<&str>,
        options: &HistoryOptions,
    ) -> Result<RecordPages, Error> {
        self.records(
            device,
            RecordKind::Services,
            identifier,
            options,
            "serviceHistory.",
        )
    }

    fn records(
        &self,
        device: &Device,
        kind: RecordKind,
        identifier: Option<&str>,
        options: &HistoryOptions,
        ctx: &str,
    ) -> Result<RecordPages, Error> {
        let bad = |m: &str| Error::invalid(crate::core::attempts::concat(&[ctx, m]));
        let page_size = options.page_size.unwrap_or(50);
        if !(1..=50).contains(&page_size) {
            return Err(bad("pageSize: a whole number from 1 to 50"));
        }
        let now = (super::time::now_ms() + self.clock_offset_ms()) as i64;
        let paging = HistoryPaging::new(
            options.from_ms,
            options.to_ms,
            !options.newest_first,
            RangeForm::Ordered,
            now,
        )
        .map_err(bad)?;
        // The device and identifier checked as the catalog checks them.
        let spec = match kind {
            RecordKind::Events { .. } => &action::QUERY_DEVICE_EVENT_DATA,
            RecordKind::Services => &action::QUERY_DEVICE_SERVICE_DATA,
        };
        let mut probe: Vec<Option<(&str, Payload)>> = Vec::new();
        if let RecordKind::Events { event_type } = &kind {
            probe.push(Some((event_type.as_str(), Payload::AsWritten)));
        }
        probe.push(identifier.map(|id| (id, Payload::AsWritten)));
        for v in ["0", "1", "1", "1"] {
            probe.push(Some((v, Payload::AsWritten)));
        }
        Request::new(spec, Target::Device(device), None, &probe)?;
        Ok(RecordPages {
            client: self.clone(),
            device: device.clone(),
            kind,
            identifier: identifier.map(String::from),
            paging,
            call: CallOptions {
                signal: options.signal.clone(),
                timeout_ms: options.timeout_ms,
                ..CallOptions::default()
            },
            page_size,
            requests: 0,
        })
    }
}
