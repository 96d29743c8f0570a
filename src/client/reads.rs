//! Device lists: a product's devices a page at a time ([`Client::devices`], `QueryDevice`,
//! following its `NextToken` where the platform requires it) and the details of named devices in
//! groups of 100 ([`Client::device_details`], `BatchQueryDeviceDetail`). Every page is paced by
//! the action's documented QPS through the client's rate window, has the client's deadline, and
//! is retried as a read (it is idempotent).

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;

use js_sys::Array;
use web_sys::AbortSignal;

use super::results::{at, text};
use super::{CallOptions, Client, Error, Params};
use crate::core::action::{self, MAX_BATCH};
use crate::core::bulk::groups;
use crate::core::outcome::codes;
use crate::core::paging::DevicePaging;
use crate::core::{Failure, Outcome};

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
    buffer: VecDeque<DeviceInfo>,
    /// Requests made so far.
    pub requests: u32,
}

fn device_info(v: &wasm_bindgen::JsValue, product_key: &str) -> DeviceInfo {
    let field = |k: &str| text(&at(v, &[k])).unwrap_or_default();
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

fn aborted() -> Error {
    Error::new(
        Failure::new(
            codes::ABORTED,
            "the listing was cancelled by its AbortSignal.",
            Outcome::NotSent,
        ),
        [],
    )
}

impl DevicePages {
    /// The next device, `None` after the last.
    pub async fn next(&mut self) -> Result<Option<DeviceInfo>, Error> {
        while self.buffer.is_empty() && !self.paging.done() {
            self.fetch().await?;
        }
        Ok(self.buffer.pop_front())
    }

    /// The rest of the list, every page read.
    pub async fn collect(mut self) -> Result<Vec<DeviceInfo>, Error> {
        let mut all = Vec::new();
        while let Some(d) = self.next().await? {
            all.push(d);
        }
        Ok(all)
    }

    async fn fetch(&mut self) -> Result<(), Error> {
        let Some(paging) = self.paging.request() else {
            return Ok(());
        };
        let spec = &action::QUERY_DEVICE;
        if !self
            .client
            .pace(spec.name, spec.qps.into(), self.options.signal.as_ref())
            .await
        {
            return Err(aborted());
        }
        let mut params: Params = Vec::with_capacity(4);
        params.push(("ProductKey".into(), self.product_key.clone()));
        params.extend(paging);
        self.client.instance(&mut params);
        let r = self.client.call(spec.name, params, &self.options).await?;
        self.requests += 1;
        let list = r.body.at(&["Data", "DeviceInfo"]);
        let mut got = 0;
        if Array::is_array(&list) {
            for d in Array::from(&list).iter() {
                got += 1;
                let info = device_info(&d, &self.product_key);
                if self.status.is_none_or(|s| s == info.status) {
                    self.buffer.push_back(info);
                }
            }
        }
        let total = r.body.at(&["Total"]).as_f64().map(|t| t as u64);
        let token = r.body.text_at(&["NextToken"]);
        self.paging.answered(got, total, token);
        Ok(())
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
            buffer: VecDeque::new(),
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
            if !self
                .pace(spec.name, spec.qps.into(), options.signal.as_ref())
                .await
            {
                return Err(aborted());
            }
            let params = request.into_params(self.iot_instance_id());
            let r = self.call(spec.name, params, options).await?;
            let list = r.body.at(&["Data", "Data"]);
            if Array::is_array(&list) {
                for d in Array::from(&list).iter() {
                    let field = |k: &str| text(&at(&d, &[k])).unwrap_or_default();
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
