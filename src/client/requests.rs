//! Typed requests of the device actions and the parameters each becomes. Every check names the
//! field that is wrong (never its value) and refuses before anything is sent.

use alloc::string::String;
use alloc::vec::Vec;

use super::Error;
use crate::core::attempts::{concat, push_u64};

/// The RPC parameters of a request: `(name, value)` pairs, sent as given.
pub type Params = Vec<(String, String)>;

/// A device: by `IotId`, or by `ProductKey` + `DeviceName` (the platform prefers `IotId` when
/// both are given).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Device {
    /// `IotId`.
    pub iot_id: Option<String>,
    /// `ProductKey`.
    pub product_key: Option<String>,
    /// `DeviceName`.
    pub device_name: Option<String>,
}

impl Device {
    /// The device `device_name` of product `product_key`.
    pub fn by_name(product_key: impl Into<String>, device_name: impl Into<String>) -> Self {
        Self {
            iot_id: None,
            product_key: Some(product_key.into()),
            device_name: Some(device_name.into()),
        }
    }

    /// The device with this `IotId`.
    pub fn by_iot_id(iot_id: impl Into<String>) -> Self {
        Self {
            iot_id: Some(iot_id.into()),
            ..Self::default()
        }
    }

    fn push(&self, ctx: &str, p: &mut Params) -> Result<(), Error> {
        let given = |v: &Option<String>| v.as_deref().filter(|s| !s.is_empty()).map(String::from);
        let (iot_id, pk, dn) = (
            given(&self.iot_id),
            given(&self.product_key),
            given(&self.device_name),
        );
        if iot_id.is_none() && (pk.is_none() || dn.is_none()) {
            return Err(Error::invalid(concat(&[
                ctx,
                ": give the device as iotId, or as productKey and deviceName",
            ])));
        }
        for (v, field) in [(&iot_id, "iotId"), (&pk, "productKey"), (&dn, "deviceName")] {
            if let Some(v) = v {
                name_like(v, ctx, field)?;
            }
        }
        if let Some(id) = iot_id {
            p.push(("IotId".into(), id));
        }
        if let (Some(pk), Some(dn)) = (pk, dn) {
            p.push(("ProductKey".into(), pk));
            p.push(("DeviceName".into(), dn));
        }
        Ok(())
    }
}

/// `InvokeThingService`: call a service of a device's thing model.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InvokeThingService {
    /// The device.
    pub device: Device,
    /// The service's `Identifier` (`module:service` for a non-default module).
    pub identifier: String,
    /// `Args`: a JSON object, as text (`{}` when empty). Sent exactly as given, so a float
    /// keeps its decimal point (`{"Temperature":10.0}`).
    pub args: String,
    /// `IotInstanceId` (the client's default when `None`).
    pub iot_instance_id: Option<String>,
}

/// `SetDeviceProperty`: set properties of a device (asynchronous).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SetDeviceProperty {
    /// The device.
    pub device: Device,
    /// `Items`: a JSON object, as text.
    pub items: String,
    /// `IotInstanceId` (the client's default when `None`).
    pub iot_instance_id: Option<String>,
}

/// `InvokeThingsService`: call a service on 1 to 100 devices of one product (asynchronous).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InvokeThingsService {
    /// `ProductKey`.
    pub product_key: String,
    /// `DeviceName.1` ... `DeviceName.N`.
    pub device_names: Vec<String>,
    /// The service's `Identifier`.
    pub identifier: String,
    /// `Args`: a JSON object, as text (`{}` when empty).
    pub args: String,
    /// `IotInstanceId` (the client's default when `None`).
    pub iot_instance_id: Option<String>,
}

/// `SetDevicesProperty`: set properties on 1 to 100 devices of one product (asynchronous).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SetDevicesProperty {
    /// `ProductKey`.
    pub product_key: String,
    /// `DeviceName.1` ... `DeviceName.N`.
    pub device_names: Vec<String>,
    /// `Items`: a JSON object, as text.
    pub items: String,
    /// `IotInstanceId` (the client's default when `None`).
    pub iot_instance_id: Option<String>,
}

/// The most devices a batch action takes.
pub const MAX_BATCH: usize = 100;

fn required(v: &str, ctx: &str, field: &str) -> Result<String, Error> {
    if v.is_empty() {
        return Err(Error::invalid(concat(&[
            ctx,
            ".",
            field,
            " is required (a non-empty string)",
        ])));
    }
    name_like(v, ctx, field)?;
    Ok(v.into())
}

/// A ProductKey, DeviceName, IotId, Identifier or IotInstanceId: the platform's identifiers and
/// device names are made of ASCII letters, digits and `-_.:@`; anything else (a space, `&`, `=`,
/// `%`, a control character) is a mistake, refused before it is encoded and sent.
fn name_like(v: &str, ctx: &str, field: &str) -> Result<(), Error> {
    if v.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_.:@".contains(&b))
    {
        return Ok(());
    }
    Err(Error::invalid(concat(&[
        ctx,
        ".",
        field,
        ": only ASCII letters, digits and - _ . : @ (the platform's names and identifiers)",
    ])))
}

/// Whether an `Args`/`Items` text is known to be JSON already (written by `JSON.stringify`), so
/// that only its first character needs looking at.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Payload {
    /// As the caller wrote it: parsed to check it is a JSON object.
    AsWritten,
    /// Written by `JSON.stringify`: valid JSON, an object when it starts with `{`.
    Serialized,
}

/// `text` checked to be a JSON object (with the engine's `JSON.parse`); `{}` when empty.
pub(crate) fn json_object(
    text: &str,
    ctx: &str,
    field: &str,
    payload: Payload,
) -> Result<String, Error> {
    if text.is_empty() {
        return Ok("{}".into());
    }
    let is_object = match payload {
        Payload::Serialized => text.starts_with('{'),
        Payload::AsWritten => js_sys::JSON::parse(text)
            .ok()
            .is_some_and(|v| v.is_object() && !js_sys::Array::is_array(&v)),
    };
    if !is_object {
        return Err(Error::invalid(concat(&[
            ctx,
            ".",
            field,
            ": the string is not a JSON object",
        ])));
    }
    Ok(text.into())
}

fn instance(
    p: &mut Params,
    ctx: &str,
    own: &Option<String>,
    default: Option<&str>,
) -> Result<(), Error> {
    let id = own.as_deref().filter(|s| !s.is_empty()).or(default);
    if let Some(id) = id.filter(|s| !s.is_empty()) {
        name_like(id, ctx, "iotInstanceId")?;
        p.push(("IotInstanceId".into(), id.into()));
    }
    Ok(())
}

fn batch(p: &mut Params, ctx: &str, pk: &str, names: &[String]) -> Result<(), Error> {
    p.push(("ProductKey".into(), required(pk, ctx, "productKey")?));
    if names.is_empty() || names.len() > MAX_BATCH {
        let mut m = concat(&[ctx, ".deviceNames: give 1 to 100 device names (got "]);
        push_u64(&mut m, names.len() as u64);
        m.push(')');
        return Err(Error::invalid(m));
    }
    for (i, n) in names.iter().enumerate() {
        let mut name = String::from("DeviceName.");
        push_u64(&mut name, i as u64 + 1);
        if n.is_empty() {
            let mut m = concat(&[ctx, ".deviceNames["]);
            push_u64(&mut m, i as u64);
            m.push_str("]: empty");
            return Err(Error::invalid(m));
        }
        let mut field = String::from("deviceNames[");
        push_u64(&mut field, i as u64);
        field.push(']');
        name_like(n, ctx, &field)?;
        p.push((name, n.clone()));
    }
    Ok(())
}

/// `Identifier` and `Args` of a service call.
fn service(
    p: &mut Params,
    ctx: &str,
    identifier: &str,
    args: &str,
    payload: Payload,
) -> Result<(), Error> {
    p.push((
        "Identifier".into(),
        required(identifier, ctx, "identifier")?,
    ));
    p.push(("Args".into(), json_object(args, ctx, "args", payload)?));
    Ok(())
}

/// `Items` of a property set (required).
fn items(p: &mut Params, ctx: &str, items: &str, payload: Payload) -> Result<(), Error> {
    if items.is_empty() {
        return Err(Error::invalid(concat(&[ctx, ".items is required"])));
    }
    p.push(("Items".into(), json_object(items, ctx, "items", payload)?));
    Ok(())
}

impl InvokeThingService {
    pub(crate) fn params(
        &self,
        default_instance: Option<&str>,
        payload: Payload,
    ) -> Result<Params, Error> {
        const CTX: &str = "invokeThingService";
        let mut p = Params::with_capacity(6);
        self.device.push(CTX, &mut p)?;
        instance(&mut p, CTX, &self.iot_instance_id, default_instance)?;
        service(&mut p, CTX, &self.identifier, &self.args, payload)?;
        Ok(p)
    }
}

impl SetDeviceProperty {
    pub(crate) fn params(
        &self,
        default_instance: Option<&str>,
        payload: Payload,
    ) -> Result<Params, Error> {
        const CTX: &str = "setDeviceProperty";
        let mut p = Params::with_capacity(5);
        self.device.push(CTX, &mut p)?;
        instance(&mut p, CTX, &self.iot_instance_id, default_instance)?;
        items(&mut p, CTX, &self.items, payload)?;
        Ok(p)
    }
}

impl InvokeThingsService {
    pub(crate) fn params(
        &self,
        default_instance: Option<&str>,
        payload: Payload,
    ) -> Result<Params, Error> {
        const CTX: &str = "invokeThingsService";
        let mut p = Params::with_capacity(self.device_names.len() + 4);
        batch(&mut p, CTX, &self.product_key, &self.device_names)?;
        instance(&mut p, CTX, &self.iot_instance_id, default_instance)?;
        service(&mut p, CTX, &self.identifier, &self.args, payload)?;
        Ok(p)
    }
}

impl SetDevicesProperty {
    pub(crate) fn params(
        &self,
        default_instance: Option<&str>,
        payload: Payload,
    ) -> Result<Params, Error> {
        const CTX: &str = "setDevicesProperty";
        let mut p = Params::with_capacity(self.device_names.len() + 3);
        batch(&mut p, CTX, &self.product_key, &self.device_names)?;
        instance(&mut p, CTX, &self.iot_instance_id, default_instance)?;
        items(&mut p, CTX, &self.items, payload)?;
        Ok(p)
    }
}

/// A device-only request (`QueryDevicePropertyStatus`, `QueryDeviceDetail`).
pub(crate) fn device_params(
    ctx: &str,
    device: &Device,
    own_instance: &Option<String>,
    default_instance: Option<&str>,
) -> Result<Params, Error> {
    let mut p = Params::with_capacity(4);
    device.push(ctx, &mut p)?;
    instance(&mut p, ctx, own_instance, default_instance)?;
    Ok(p)
}

/// The action and the parameter names of any call: ASCII letters and digits for the action,
/// and `.`, `_`, `-` too in names (`DeviceName.1`); no value with a NUL (U+0000), which no
/// platform parameter holds and which servers cut strings at.
pub(crate) fn check_call(action: &str, params: &Params) -> Result<(), Error> {
    if !action.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(Error::invalid(
            "action: only ASCII letters and digits (an RPC action name such as QueryDeviceDetail)",
        ));
    }
    for (k, v) in params {
        if !k
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        {
            return Err(Error::invalid(concat(&[
                "params: a parameter name may hold only ASCII letters, digits and . _ - (",
                &crate::core::encode::percent_encode(k),
                ")",
            ])));
        }
        if v.contains('\0') {
            return Err(Error::invalid(concat(&[
                "params.",
                k,
                ": holds a NUL character (U+0000)",
            ])));
        }
    }
    Ok(())
}
