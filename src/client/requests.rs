//! Typed requests of the device actions and the parameters each becomes. Every check names the
//! field that is wrong (never its value) and refuses before anything is sent.

use alloc::string::String;
use alloc::vec::Vec;

use super::Error;
use crate::core::action::{self, ActionSpec, Addressing, Checked, FieldKind};
use crate::core::attempts::{concat, parse_i64, push_u64};
use crate::core::text;

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
pub const MAX_BATCH: usize = crate::core::action::MAX_BATCH;

/// Whether an `Args`/`Items` text is known to be JSON already (written by `JSON.stringify`), so
/// that only its first character needs looking at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Payload {
    /// As the caller wrote it: parsed to check it is a JSON object.
    AsWritten,
    /// Written by `JSON.stringify` (or by the thing-model check): valid JSON, an object when it
    /// starts with `{`.
    Serialized,
}

/// The devices a request acts on, as its action's [`Addressing`] wants them.
#[derive(Clone, Copy, Debug)]
pub enum Target<'a> {
    /// One device.
    Device(&'a Device),
    /// Devices of one product (`ProductKey` + `DeviceName.N`).
    Names {
        /// `ProductKey`.
        product_key: &'a str,
        /// 1 to 100 device names.
        device_names: &'a [String],
    },
    /// No device.
    None,
}

/// A request to one action of the catalog, checked field by field against its
/// [`ActionSpec`]: the parameters it sends, and where its `Args`/`Items` are for the thing-model
/// check. Made by [`Request::new`] (the typed requests and the JavaScript binding both come
/// here), sent by the client's typed methods.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    spec: &'static ActionSpec,
    params: Params,
    /// The request's own `IotInstanceId` (the client's default is added when it has none).
    instance: Option<String>,
    /// The index in `params` of the field the thing model checks, and how it was written.
    checked: Option<(usize, Payload)>,
}

impl Request {
    /// A request to `spec`'s action: `target` as its addressing wants, its own `IotInstanceId`,
    /// and one value per field of the spec, in its order (`None` or `""`: absent). Every value
    /// is checked here, each error naming its field (`invokeThingService.identifier`).
    pub fn new(
        spec: &'static ActionSpec,
        target: Target<'_>,
        instance: Option<&str>,
        values: &[Option<(&str, Payload)>],
    ) -> Result<Self, Error> {
        let ctx = spec.method.unwrap_or(spec.name);
        let mut params = Params::with_capacity(spec.fields.len() + 4);
        match (spec.addressing, target) {
            (Addressing::Device, Target::Device(d)) => d.push(ctx, &mut params)?,
            (
                Addressing::DeviceNames,
                Target::Names {
                    product_key,
                    device_names,
                },
            ) => batch(&mut params, ctx, product_key, device_names)?,
            (Addressing::None, Target::None) => {}
            _ => {
                return Err(Error::invalid(concat(&[
                    ctx,
                    ": the devices are not given as the action names them",
                ])))
            }
        }
        let instance = instance.filter(|s| !s.is_empty());
        if let Some(id) = instance {
            name_like(id, ctx, "iotInstanceId")?;
        }
        let mut checked = None;
        for (i, f) in spec.fields.iter().enumerate() {
            let value = values
                .get(i)
                .copied()
                .flatten()
                .filter(|(v, _)| !v.is_empty());
            let Some((v, payload)) = value else {
                match f.kind {
                    FieldKind::JsonObject(_) if f.required => {
                        return Err(Error::invalid(concat(&[ctx, ".", f.js, " is required"])))
                    }
                    FieldKind::JsonObject(c) => {
                        if c != Checked::No {
                            checked = Some((params.len(), Payload::Serialized));
                        }
                        params.push((f.name.into(), "{}".into()));
                    }
                    _ if f.required => {
                        return Err(Error::invalid(concat(&[
                            ctx,
                            ".",
                            f.js,
                            " is required (a non-empty string)",
                        ])))
                    }
                    _ => {}
                }
                continue;
            };
            match f.kind {
                FieldKind::Name => name_like(v, ctx, f.js)?,
                FieldKind::JsonObject(c) => {
                    if !is_json_object(v, payload) {
                        return Err(Error::invalid(concat(&[
                            ctx,
                            ".",
                            f.js,
                            ": the string is not a JSON object",
                        ])));
                    }
                    if c != Checked::No {
                        checked = Some((params.len(), payload));
                    }
                }
                FieldKind::Text => {
                    if text::contains(v, 0) {
                        return Err(Error::invalid(concat(&[
                            ctx,
                            ".",
                            f.js,
                            ": holds a NUL character (U+0000)",
                        ])));
                    }
                }
                FieldKind::Integer { min, max } => {
                    let n = parse_i64(v);
                    if !n.is_some_and(|n| (min..=max).contains(&n)) {
                        let mut m = concat(&[ctx, ".", f.js, ": must be a whole number from "]);
                        push_i64(&mut m, min);
                        m.push_str(" to ");
                        push_i64(&mut m, max);
                        return Err(Error::invalid(m));
                    }
                }
            }
            params.push((f.name.into(), v.into()));
        }
        Ok(Self {
            spec,
            params,
            instance: instance.map(String::from),
            checked,
        })
    }

    /// The action's entry in the catalog.
    pub fn spec(&self) -> &'static ActionSpec {
        self.spec
    }

    /// The parameters as checked (without the client's default `IotInstanceId`).
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// The value of parameter `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The text of the field the thing model checks (`Args`, `Items`), and how it was written.
    pub(crate) fn checked_text(&self) -> Option<(&str, Payload)> {
        self.checked
            .map(|(i, payload)| (self.params[i].1.as_str(), payload))
    }

    /// The same request with the checked field's text replaced by what the check wrote.
    #[cfg(feature = "fleet")]
    pub(crate) fn with_checked_text(mut self, text: String) -> Self {
        if let Some((i, _)) = self.checked {
            self.params[i].1 = text;
            self.checked = Some((i, Payload::Serialized));
        }
        self
    }

    /// The parameters to send: the checked ones, and the `IotInstanceId` (the request's own, or
    /// `default`) for an action that addresses devices.
    pub(crate) fn into_params(self, default: Option<&str>) -> Params {
        let mut params = self.params;
        if self.spec.addressing != Addressing::None {
            if let Some(id) = self.instance.as_deref().or(default) {
                params.push(("IotInstanceId".into(), id.into()));
            }
        }
        params
    }
}

/// Whether `v` is made of the bytes of the platform's identifiers and device names: ASCII
/// letters, digits and `-_.:@`.
pub(crate) fn is_name(v: &str) -> bool {
    text::alnum_or(v, b"-_.:@")
}

/// A ProductKey, DeviceName, IotId, Identifier or IotInstanceId: the platform's identifiers and
/// device names are made of ASCII letters, digits and `-_.:@`; anything else (a space, `&`, `=`,
/// `%`, a control character) is a mistake, refused before it is encoded and sent.
pub(crate) fn name_like(v: &str, ctx: &str, field: &str) -> Result<(), Error> {
    if is_name(v) {
        return Ok(());
    }
    Err(Error::invalid(concat(&[
        ctx,
        ".",
        field,
        ": only ASCII letters, digits and - _ . : @ (the platform's names and identifiers)",
    ])))
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

/// `text` checked to be a JSON object; `{}` when empty.
#[cfg(feature = "fleet")]
pub(crate) fn json_object(
    text: &str,
    ctx: &str,
    field: &str,
    payload: Payload,
) -> Result<String, Error> {
    if text.is_empty() {
        return Ok("{}".into());
    }
    if !is_json_object(text, payload) {
        return Err(Error::invalid(concat(&[
            ctx,
            ".",
            field,
            ": the string is not a JSON object",
        ])));
    }
    Ok(text.into())
}

/// `device` checked as any device request checks it, errors named by `ctx`.
#[cfg(feature = "fleet")]
pub(crate) fn check_device(ctx: &str, device: &Device) -> Result<(), Error> {
    device.push(ctx, &mut Params::new())
}

fn push_i64(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    push_u64(out, n.unsigned_abs());
}

/// Whether `text` is a JSON object: by its first character when it was written by
/// `JSON.stringify`; else parsed (by the engine's `JSON.parse` in the wasm, by the core's reader
/// elsewhere).
fn is_json_object(text: &str, payload: Payload) -> bool {
    match payload {
        Payload::Serialized => text.as_bytes().first() == Some(&b'{'),
        #[cfg(target_arch = "wasm32")]
        Payload::AsWritten => js_sys::JSON::parse(text)
            .ok()
            .is_some_and(|v| v.is_object() && !js_sys::Array::is_array(&v)),
        #[cfg(not(target_arch = "wasm32"))]
        Payload::AsWritten => matches!(
            crate::core::json::parse(text),
            Ok(crate::core::json::Json::Object(_))
        ),
    }
}

impl InvokeThingService {
    /// The request this becomes.
    pub fn request(&self) -> Result<Request, Error> {
        Request::new(
            &action::INVOKE_THING_SERVICE,
            Target::Device(&self.device),
            self.iot_instance_id.as_deref(),
            &[
                Some((&self.identifier, Payload::AsWritten)),
                Some((&self.args, Payload::AsWritten)),
            ],
        )
    }
}

impl SetDeviceProperty {
    /// The request this becomes.
    pub fn request(&self) -> Result<Request, Error> {
        Request::new(
            &action::SET_DEVICE_PROPERTY,
            Target::Device(&self.device),
            self.iot_instance_id.as_deref(),
            &[Some((&self.items, Payload::AsWritten))],
        )
    }
}

impl InvokeThingsService {
    /// The request this becomes.
    pub fn request(&self) -> Result<Request, Error> {
        Request::new(
            &action::INVOKE_THINGS_SERVICE,
            Target::Names {
                product_key: &self.product_key,
                device_names: &self.device_names,
            },
            self.iot_instance_id.as_deref(),
            &[
                Some((&self.identifier, Payload::AsWritten)),
                Some((&self.args, Payload::AsWritten)),
            ],
        )
    }
}

impl SetDevicesProperty {
    /// The request this becomes.
    pub fn request(&self) -> Result<Request, Error> {
        Request::new(
            &action::SET_DEVICES_PROPERTY,
            Target::Names {
                product_key: &self.product_key,
                device_names: &self.device_names,
            },
            self.iot_instance_id.as_deref(),
            &[Some((&self.items, Payload::AsWritten))],
        )
    }
}

/// The action and the parameter names of any call: ASCII letters and digits for the action,
/// and `.`, `_`, `-` too in names (`DeviceName.1`); no value with a NUL (U+0000), which no
/// platform parameter holds and which servers cut strings at.
pub(crate) fn check_call(action: &str, params: &Params) -> Result<(), Error> {
    if !text::alnum_or(action, b"") {
        return Err(Error::invalid(
            "action: only ASCII letters and digits (an RPC action name such as QueryDeviceDetail)",
        ));
    }
    for (k, v) in params {
        if !text::alnum_or(k, b"._-") {
            return Err(Error::invalid(concat(&[
                "params: a parameter name may hold only ASCII letters, digits and . _ - (",
                &crate::core::encode::percent_encode(k),
                ")",
            ])));
        }
        if text::contains(v, 0) {
            return Err(Error::invalid(concat(&[
                "params.",
                k,
                ": holds a NUL character (U+0000)",
            ])));
        }
    }
    Ok(())
}
