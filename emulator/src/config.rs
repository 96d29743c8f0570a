//! The emulator's world as configured: accounts, limits, products with their thing model, devices.
//! Loaded from the built-in default fixture or from a `--config` file (JSON or TOML).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// The fixture the emulator starts with when no `--config` is given.
pub const DEFAULT_FIXTURE: &str = include_str!("../fixtures/default.json");

/// A whole emulator configuration.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Config {
    /// Long-lived AccessKeys the emulator accepts.
    pub accounts: Vec<Account>,
    /// How long a synchronous service call waits for the device (RRPC), in ms.
    #[serde(default = "default_rrpc_timeout")]
    pub rrpc_timeout_ms: u64,
    /// How long a job task takes from SENT to IN_PROGRESS and on to its end, in ms.
    #[serde(default = "default_job_step")]
    pub job_step_ms: u64,
    /// Requests per second per action; actions not named are unlimited.
    #[serde(default)]
    pub qps_limits: BTreeMap<String, u32>,
    /// `Access-Control-Allow-Origin` of every API answer (with `cors` on).
    #[serde(default = "default_origin")]
    pub allow_origin: String,
    /// Whether CORS is granted (`on`, the default) or not (`off`, as the real platform).
    #[serde(default)]
    pub cors: Cors,
    /// Products, each with its thing model and devices.
    pub products: Vec<Product>,
    /// The server-side subscription's consumer groups (`DEFAULT` when absent).
    #[serde(default = "default_consumer_groups")]
    pub consumer_groups: Vec<String>,
    /// The AMQP port of the server-side subscription (none when absent; `--amqp-port`).
    #[serde(default)]
    pub amqp_port: Option<u16>,
}

fn default_consumer_groups() -> Vec<String> {
    vec!["DEFAULT".into()]
}

/// CORS on the API: granted, or not at all (the real platform documents none for its RPC
/// endpoint, so a real dashboard reaches it through a same-origin relay).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Cors {
    /// Preflights answered, `Access-Control-Allow-Origin` and `Expose-Headers: Date` on answers.
    #[default]
    On,
    /// No `Access-Control-*` header anywhere; a preflight gets no grant.
    Off,
}

fn default_rrpc_timeout() -> u64 {
    8_000
}

fn default_job_step() -> u64 {
    200
}

fn default_origin() -> String {
    "*".into()
}

/// A long-lived AccessKey.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Account {
    /// `AccessKeyId`.
    pub access_key_id: String,
    /// `AccessKeySecret`.
    pub access_key_secret: String,
}

/// A product: its thing model and its devices.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Product {
    /// `ProductKey`.
    pub product_key: String,
    /// Display name.
    pub product_name: String,
    /// Thing model properties.
    #[serde(default)]
    pub properties: Vec<Property>,
    /// Thing model services.
    #[serde(default)]
    pub services: Vec<Service>,
    /// Thing model events.
    #[serde(default)]
    pub events: Vec<Event>,
    /// The product's devices.
    #[serde(default)]
    pub devices: Vec<DeviceConfig>,
    /// Many more devices, named by a prefix and a number (for device lists long enough to
    /// page through the platform's limits).
    #[serde(default)]
    pub generated_devices: Option<GeneratedDevices>,
}

/// `count` devices named `prefix` + a five-digit number from 00001, after the listed ones.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GeneratedDevices {
    /// The names' common start.
    pub prefix: String,
    /// How many.
    pub count: usize,
    /// Every n-th of them is offline (none when absent).
    #[serde(default)]
    pub offline_every: Option<usize>,
}

impl Product {
    /// The listed devices, then the generated ones.
    pub fn all_devices(&self) -> Vec<DeviceConfig> {
        let mut all = self.devices.clone();
        if let Some(g) = &self.generated_devices {
            all.extend((1..=g.count).map(|i| DeviceConfig {
                device_name: format!("{}{i:05}", g.prefix),
                online: g.offline_every.is_none_or(|n| n == 0 || i % n != 0),
                iot_id: None,
            }));
        }
        all
    }
}

/// A thing model property.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Property {
    /// `Identifier`.
    pub identifier: String,
    /// Display name.
    pub name: String,
    /// `"rw"` (the default) or `"r"` (read-only: `SetDeviceProperty` refuses it).
    #[serde(default)]
    pub access_mode: AccessMode,
    /// Type and range.
    pub data_type: DataType,
    /// The value a new device starts with.
    #[serde(default)]
    pub initial: Option<serde_json::Value>,
    /// A numeric property the device reports on its own, on a schedule (its history is
    /// generated: any length at no cost).
    #[serde(default)]
    pub report: Option<Report>,
}

/// How a device reports a numeric property: every `every_ms`, drifting around its initial
/// value by up to `amplitude` over `period_ms` (each device at its own phase).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Report {
    /// Time between two reports, ms.
    pub every_ms: u64,
    /// How far the value drifts from the initial one.
    pub amplitude: f64,
    /// One drift cycle, ms.
    pub period_ms: u64,
}

/// Whether a property may be set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AccessMode {
    /// Read and write.
    #[default]
    Rw,
    /// Read-only.
    R,
}

/// A thing model service.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Service {
    /// `Identifier`.
    pub identifier: String,
    /// Display name.
    pub name: String,
    /// `"sync"` (RRPC, answers with a Result) or `"async"` (answers with a MessageId only).
    pub call_type: CallType,
    /// What the simulated device does when called.
    #[serde(default)]
    pub behavior: Behavior,
    /// How long the simulated device takes to answer, in ms.
    #[serde(default)]
    pub latency_ms: u64,
    /// Input parameters.
    #[serde(default)]
    pub input_data: Vec<Param>,
}

/// A thing model event, and what raises it on the emulated devices.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Event {
    /// `Identifier`.
    pub identifier: String,
    /// Display name.
    pub name: String,
    /// `info`, `alert` or `error`.
    #[serde(rename = "type")]
    pub kind: EventType,
    /// Output parameters.
    #[serde(default)]
    pub output_data: Vec<Param>,
    /// Raised each time this service is called (its output: the call's Args).
    #[serde(default)]
    pub raised_by: Option<String>,
    /// Raised each time a reported property rises to this value or above (its output: the
    /// property's value).
    #[serde(default)]
    pub when_above: Option<Threshold>,
}

/// A reported property's value that raises an event when reached.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Threshold {
    /// The property (one with a `report`).
    pub property: String,
    /// The value.
    pub value: f64,
}

/// An event's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EventType {
    /// Information.
    Info,
    /// An alert.
    Alert,
    /// An error.
    Error,
}

impl EventType {
    /// The platform's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Alert => "alert",
            Self::Error => "error",
        }
    }
}

/// Synchronous or asynchronous service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CallType {
    /// RRPC: the device's answer comes back in `Data.Result`.
    Sync,
    /// Only a `MessageId` comes back.
    Async,
}

/// What a simulated device does with a service call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Behavior {
    /// Acknowledge with empty data.
    #[default]
    Ack,
    /// Answer with the Args.
    Echo,
    /// Set the properties named in Args and answer with them.
    SetProperties,
}

/// A service input parameter.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Param {
    /// `Identifier`.
    pub identifier: String,
    /// Display name.
    pub name: String,
    /// Type and range.
    pub data_type: DataType,
    /// Whether a call must give it (`"required": true` in the TSL).
    #[serde(default)]
    pub required: bool,
}

/// A thing model data type: `bool` (0/1), `int`, `float`, `double`, `text`, `enum`, `date`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DataType {
    /// The type.
    #[serde(rename = "type")]
    pub kind: DataKind,
    /// Smallest value (numbers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Largest value (numbers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Unit shown with values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Longest text, in characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<usize>,
    /// Allowed enum values and their names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<BTreeMap<String, String>>,
}

/// The thing model's data types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DataKind {
    /// 0 or 1.
    Bool,
    /// An integer.
    Int,
    /// A float, written with a decimal point.
    Float,
    /// A double, written with a decimal point.
    Double,
    /// Text, at most `length` characters.
    Text,
    /// One of `values`' keys, as an int.
    Enum,
    /// UTC ms as a string of digits.
    Date,
}

impl DataKind {
    /// The name the thing model (TSL) uses.
    pub fn name(self) -> &'static str {
        match self {
            DataKind::Bool => "bool",
            DataKind::Int => "int",
            DataKind::Float => "float",
            DataKind::Double => "double",
            DataKind::Text => "text",
            DataKind::Enum => "enum",
            DataKind::Date => "date",
        }
    }
}

/// A device of a product.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeviceConfig {
    /// `DeviceName`.
    pub device_name: String,
    /// Whether the device is connected.
    #[serde(default = "yes")]
    pub online: bool,
    /// `IotId`; derived from ProductKey and DeviceName when absent.
    #[serde(default)]
    pub iot_id: Option<String>,
}

fn yes() -> bool {
    true
}

impl Config {
    /// The built-in default fixture.
    pub fn default_fixture() -> Self {
        serde_json::from_str(DEFAULT_FIXTURE).expect("the default fixture is valid")
    }

    /// Reads a configuration file: TOML when its name ends in `.toml`, JSON otherwise.
    pub fn from_file(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let cfg: Config = if path.extension().is_some_and(|e| e == "toml") {
            toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?
        } else {
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks what serde cannot: an account to sign with, QPS limits of known actions.
    pub fn validate(&self) -> Result<(), String> {
        if self.accounts.is_empty() {
            return Err("config: at least one account is needed".into());
        }
        for action in self.qps_limits.keys() {
            if action != "AssumeRole" && !crate::actions::known(action) {
                return Err(format!(
                    "config: qpsLimits: {action} is not an action the emulator implements"
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_fixture_loads_and_validates() {
        let c = Config::default_fixture();
        c.validate().unwrap();
        let p = &c.products[0];
        assert_eq!(p.product_key, "a1LampDemo0");
        assert_eq!(p.devices.len(), 21);
        assert!(p
            .devices
            .iter()
            .any(|d| d.device_name == "lamp-offline" && !d.online));
    }

    #[test]
    fn toml_config_loads() {
        let dir = std::env::temp_dir().join(format!("tc-emu-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("c.toml");
        std::fs::write(
            &path,
            r#"
accounts = [{ accessKeyId = "k", accessKeySecret = "s" }]
[[products]]
productKey = "pk"
productName = "P"
properties = [{ identifier = "On", name = "On", dataType = { type = "bool" } }]
devices = [{ deviceName = "d1" }]
"#,
        )
        .unwrap();
        let c = Config::from_file(&path).unwrap();
        assert_eq!(c.products[0].devices[0].device_name, "d1");
        assert_eq!(c.rrpc_timeout_ms, 8000);
    }
}
