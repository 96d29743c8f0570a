//! The action catalog: one [`ActionSpec`] per platform action the package knows (IoT Platform
//! API 2018-01-20). Everything that differs from one action to another is read from here: retry
//! classification ([`ActionSpec::idempotent`], through [`crate::core::outcome`]), the rate
//! windows of bulk calls and jobs ([`ActionSpec::qps`]), request checking and reading (the
//! client's `Request` and the JavaScript binding walk [`ActionSpec::fields`]), the TypeScript
//! declarations of the requests ([`REQUESTS_TS`], built at compile time from this table) and the
//! action list of the docs ([`markdown_table`]).
//!
//! Adding a read-only action is one entry in [`ACTIONS`] (and, where its answer deserves a shape
//! of its own, a result type): see ARCHITECTURE.md, "Adding an action".

use alloc::string::String;

/// How an action names the device it acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Addressing {
    /// One device: `IotId`, or `ProductKey` + `DeviceName` (`IotId` wins when both are given);
    /// `IotInstanceId` optional.
    Device,
    /// Up to [`MAX_BATCH`] devices of one product: `ProductKey` + `DeviceName.1..N`;
    /// `IotInstanceId` optional.
    DeviceNames,
    /// No device (a product, a job, the account).
    None,
}

/// The most devices a batch action (`DeviceName.N`) takes.
pub const MAX_BATCH: usize = 100;

/// What a request field holds, and how it is checked before anything is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// A platform name or identifier: ASCII letters, digits and `- _ . : @`.
    Name,
    /// A JSON object, sent as its text (`Args`, `Items`): from JavaScript an object (serialized
    /// with `JSON.stringify`) or a JSON object string. [`Checked`] says how the thing model
    /// checks it.
    JsonObject(Checked),
    /// Free text (no NUL).
    Text,
    /// A whole number in `min..=max`.
    Integer {
        /// The least value.
        min: i64,
        /// The greatest value.
        max: i64,
    },
}

/// How the thing model checks a JSON field (`checkArgs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checked {
    /// Not checked.
    No,
    /// A service's inputs: the service is the request's `Identifier`.
    Args,
    /// Properties to set.
    Items,
}

/// One request field besides the device's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    /// The platform's parameter name (`Identifier`).
    pub name: &'static str,
    /// The JavaScript property name (`identifier`).
    pub js: &'static str,
    /// What it holds.
    pub kind: FieldKind,
    /// Whether the request must have it.
    pub required: bool,
}

/// What a successful answer becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultKind {
    /// The platform's `Data` and whole body (`CallResult`).
    Call,
    /// The device's parsed `Result` and the `MessageId` (`InvokeThingServiceResult`).
    Invoke,
    /// A flat list of property values (`QueryDevicePropertyStatusResult`).
    PropertyStatus,
    /// A thing model (`ThingModel`).
    ThingModel,
    /// A job's id (`createJob`).
    JobCreated,
    /// A job's state (`JobInfo`).
    Job,
    /// Pages of tasks (`JobTasks`).
    Tasks,
}

/// One platform action.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ActionSpec {
    /// The platform's `Action`.
    pub name: &'static str,
    /// The `IotClient` method that sends it (the Rust method is its snake_case form), or `None`
    /// for an action sent only by the client itself or through `call`.
    pub method: Option<&'static str>,
    /// How it names its device.
    pub addressing: Addressing,
    /// Read-only: may be sent again when its outcome is unknown.
    pub idempotent: bool,
    /// The platform's documented calls per second for one account: the "QPS limits" of each
    /// action's page in the IoT Platform API reference (checked 2026-12: QueryDevicePropertyStatus
    /// 200, QueryThingModel 10, QueryDevice, QueryDeviceDetail and QueryProductList 50; QueryDevice
    /// and QueryProductList drop to 2 once `CurrentPage` × `PageSize` reaches 100,000).
    pub qps: u32,
    /// The batch action that does the same for up to 100 devices.
    pub batch: Option<&'static str>,
    /// Its request fields besides the device's, in the order they are sent.
    pub fields: &'static [Field],
    /// What its answer becomes.
    pub result: ResultKind,
}

const IDENTIFIER: Field = Field {
    name: "Identifier",
    js: "identifier",
    kind: FieldKind::Name,
    required: true,
};

const ARGS: Field = Field {
    name: "Args",
    js: "args",
    kind: FieldKind::JsonObject(Checked::Args),
    required: false,
};

const ITEMS: Field = Field {
    name: "Items",
    js: "items",
    kind: FieldKind::JsonObject(Checked::Items),
    required: true,
};

const PRODUCT_KEY: Field = Field {
    name: "ProductKey",
    js: "productKey",
    kind: FieldKind::Name,
    required: true,
};

const JOB_ID: Field = Field {
    name: "JobId",
    js: "jobId",
    kind: FieldKind::Name,
    required: true,
};

/// `InvokeThingService`.
pub const INVOKE_THING_SERVICE: ActionSpec = ActionSpec {
    name: "InvokeThingService",
    method: Some("invokeThingService"),
    addressing: Addressing::Device,
    idempotent: false,
    qps: 500,
    batch: Some("InvokeThingsService"),
    fields: &[IDENTIFIER, ARGS],
    result: ResultKind::Invoke,
};

/// `SetDeviceProperty`.
pub const SET_DEVICE_PROPERTY: ActionSpec = ActionSpec {
    name: "SetDeviceProperty",
    method: Some("setDeviceProperty"),
    addressing: Addressing::Device,
    idempotent: false,
    qps: 500,
    batch: Some("SetDevicesProperty"),
    fields: &[ITEMS],
    result: ResultKind::Call,
};

/// `QueryDevicePropertyStatus`.
pub const QUERY_DEVICE_PROPERTY_STATUS: ActionSpec = ActionSpec {
    name: "QueryDevicePropertyStatus",
    method: Some("queryDevicePropertyStatus"),
    addressing: Addressing::Device,
    idempotent: true,
    qps: 200,
    batch: None,
    fields: &[],
    result: ResultKind::PropertyStatus,
};

/// `QueryDeviceDetail`.
pub const QUERY_DEVICE_DETAIL: ActionSpec = ActionSpec {
    name: "QueryDeviceDetail",
    method: Some("queryDeviceDetail"),
    addressing: Addressing::Device,
    idempotent: true,
    qps: 50,
    batch: None,
    fields: &[],
    result: ResultKind::Call,
};

/// `InvokeThingsService`.
pub const INVOKE_THINGS_SERVICE: ActionSpec = ActionSpec {
    name: "InvokeThingsService",
    method: Some("invokeThingsService"),
    addressing: Addressing::DeviceNames,
    idempotent: false,
    qps: 10,
    batch: None,
    fields: &[IDENTIFIER, ARGS],
    result: ResultKind::Call,
};

/// `SetDevicesProperty`.
pub const SET_DEVICES_PROPERTY: ActionSpec = ActionSpec {
    name: "SetDevicesProperty",
    method: Some("setDevicesProperty"),
    addressing: Addressing::DeviceNames,
    idempotent: false,
    qps: 10,
    batch: None,
    fields: &[ITEMS],
    result: ResultKind::Call,
};

/// `QueryThingModel`.
pub const QUERY_THING_MODEL: ActionSpec = ActionSpec {
    name: "QueryThingModel",
    method: Some("thingModel"),
    addressing: Addressing::None,
    idempotent: true,
    qps: 10,
    batch: None,
    fields: &[PRODUCT_KEY],
    result: ResultKind::ThingModel,
};

/// `QueryProductList`.
pub const QUERY_PRODUCT_LIST: ActionSpec = ActionSpec {
    name: "QueryProductList",
    method: None,
    addressing: Addressing::None,
    idempotent: true,
    qps: 50,
    batch: None,
    fields: &[
        Field {
            name: "CurrentPage",
            js: "currentPage",
            kind: FieldKind::Integer {
                min: 1,
                max: 100_000,
            },
            required: true,
        },
        Field {
            name: "PageSize",
            js: "pageSize",
            kind: FieldKind::Integer { min: 1, max: 200 },
            required: true,
        },
    ],
    result: ResultKind::Call,
};

/// `QueryDevice`'s QPS once the product holds [`QUERY_DEVICE_LARGE_PRODUCT`] devices or more
/// (50 below: the spec's `qps`).
pub const QUERY_DEVICE_LARGE_PRODUCT_QPS: u32 = 2;

/// The number of devices from which a product's `QueryDevice` is limited to
/// [`QUERY_DEVICE_LARGE_PRODUCT_QPS`].
pub const QUERY_DEVICE_LARGE_PRODUCT: u64 = 100_000;

/// `QueryDevice`.
pub const QUERY_DEVICE: ActionSpec = ActionSpec {
    name: "QueryDevice",
    method: None,
    addressing: Addressing::None,
    idempotent: true,
    qps: 50,
    batch: None,
    fields: &[
        PRODUCT_KEY,
        Field {
            name: "PageSize",
            js: "pageSize",
            kind: FieldKind::Integer { min: 1, max: 50 },
            required: false,
        },
        Field {
            name: "CurrentPage",
            js: "currentPage",
            kind: FieldKind::Integer {
                min: 1,
                max: 100_000,
            },
            required: false,
        },
        Field {
            name: "NextToken",
            js: "nextToken",
            kind: FieldKind::Text,
            required: false,
        },
    ],
    result: ResultKind::Call,
};

/// `BatchQueryDeviceDetail`.
pub const BATCH_QUERY_DEVICE_DETAIL: ActionSpec = ActionSpec {
    name: "BatchQueryDeviceDetail",
    method: None,
    addressing: Addressing::DeviceNames,
    idempotent: true,
    qps: 5,
    batch: None,
    fields: &[],
    result: ResultKind::Call,
};

/// The last time a history read may name (the year 2100), ms.
const MAX_TIME_MS: i64 = 4_102_444_800_000;

const START_TIME: Field = Field {
    name: "StartTime",
    js: "startTime",
    kind: FieldKind::Integer {
        min: 0,
        max: MAX_TIME_MS,
    },
    required: true,
};

const END_TIME: Field = Field {
    name: "EndTime",
    js: "endTime",
    kind: FieldKind::Integer {
        min: 0,
        max: MAX_TIME_MS,
    },
    required: true,
};

const ASC: Field = Field {
    name: "Asc",
    js: "asc",
    kind: FieldKind::Integer { min: 0, max: 1 },
    required: true,
};

/// A history read's page: 1 to 50 records.
const HISTORY_PAGE: Field = Field {
    name: "PageSize",
    js: "pageSize",
    kind: FieldKind::Integer { min: 1, max: 50 },
    required: true,
};

/// `QueryDevicePropertyData`.
pub const QUERY_DEVICE_PROPERTY_DATA: ActionSpec = ActionSpec {
    name: "QueryDevicePropertyData",
    method: None,
    addressing: Addressing::Device,
    idempotent: true,
    qps: 50,
    batch: None,
    fields: &[IDENTIFIER, START_TIME, END_TIME, ASC, HISTORY_PAGE],
    result: ResultKind::Call,
};

/// `QueryDevicePropertiesData` (its `Identifier.N`, 1 to 10, are added by the caller).
pub const QUERY_DEVICE_PROPERTIES_DATA: ActionSpec = ActionSpec {
    name: "QueryDevicePropertiesData",
    method: None,
    addressing: Addressing::Device,
    idempotent: true,
    qps: 10,
    batch: None,
    fields: &[
        START_TIME,
        END_TIME,
        ASC,
        Field {
            name: "PageSize",
            js: "pageSize",
            kind: FieldKind::Integer { min: 1, max: 100 },
            required: true,
        },
    ],
    result: ResultKind::Call,
};

/// `QueryDeviceEventData`.
pub const QUERY_DEVICE_EVENT_DATA: ActionSpec = ActionSpec {
    name: "QueryDeviceEventData",
    method: None,
    addressing: Addressing::Device,
    idempotent: true,
    qps: 50,
    batch: None,
    fields: &[
        Field {
            name: "EventType",
            js: "eventType",
            kind: FieldKind::Name,
            required: true,
        },
        Field {
            name: "Identifier",
            js: "identifier",
            kind: FieldKind::Name,
            required: false,
        },
        START_TIME,
        END_TIME,
        ASC,
        HISTORY_PAGE,
    ],
    result: ResultKind::Call,
};

/// `QueryDeviceServiceData`.
pub const QUERY_DEVICE_SERVICE_DATA: ActionSpec = ActionSpec {
    name: "QueryDeviceServiceData",
    method: None,
    addressing: Addressing::Device,
    idempotent: true,
    qps: 50,
    batch: None,
    fields: &[
        Field {
            name: "Identifier",
            js: "identifier",
            kind: FieldKind::Name,
            required: false,
        },
        START_TIME,
        END_TIME,
        ASC,
        HISTORY_PAGE,
    ],
    result: ResultKind::Call,
};

/// `CreateJob`.
pub const CREATE_JOB: ActionSpec = ActionSpec {
    name: "CreateJob",
    method: Some("createJob"),
    addressing: Addressing::None,
    idempotent: false,
    qps: 5,
    batch: None,
    fields: &[
        Field {
            name: "JobName",
            js: "name",
            kind: FieldKind::Text,
            required: true,
        },
        Field {
            name: "Type",
            js: "type",
            kind: FieldKind::Name,
            required: true,
        },
        Field {
            name: "JobDocument",
            js: "jobDocument",
            kind: FieldKind::Text,
            required: true,
        },
        Field {
            name: "TargetConfig",
            js: "targetConfig",
            kind: FieldKind::Text,
            required: true,
        },
        Field {
            name: "Description",
            js: "description",
            kind: FieldKind::Text,
            required: false,
        },
        Field {
            name: "RolloutConfig",
            js: "rolloutConfig",
            kind: FieldKind::Text,
            required: false,
        },
        Field {
            name: "TimeoutConfig",
            js: "timeoutConfig",
            kind: FieldKind::Text,
            required: false,
        },
    ],
    result: ResultKind::JobCreated,
};

/// `QueryJob`.
pub const QUERY_JOB: ActionSpec = ActionSpec {
    name: "QueryJob",
    method: Some("job"),
    addressing: Addressing::None,
    idempotent: true,
    qps: 5,
    batch: None,
    fields: &[JOB_ID],
    result: ResultKind::Job,
};

/// `QueryJobStatistics`.
pub const QUERY_JOB_STATISTICS: ActionSpec = ActionSpec {
    name: "QueryJobStatistics",
    method: Some("job"),
    addressing: Addressing::None,
    idempotent: true,
    qps: 5,
    batch: None,
    fields: &[JOB_ID],
    result: ResultKind::Job,
};

/// `ListTask`.
pub const LIST_TASK: ActionSpec = ActionSpec {
    name: "ListTask",
    method: Some("tasks"),
    addressing: Addressing::None,
    idempotent: true,
    qps: 5,
    batch: None,
    fields: &[JOB_ID],
    result: ResultKind::Tasks,
};

/// `CancelJob`.
pub const CANCEL_JOB: ActionSpec = ActionSpec {
    name: "CancelJob",
    method: Some("cancelJob"),
    addressing: Addressing::None,
    idempotent: false,
    qps: 5,
    batch: None,
    fields: &[JOB_ID],
    result: ResultKind::Call,
};

/// One line of docs per action and per field: `(action, field, text)`, `field` empty for the
/// action's own line, `action` empty for a field shared by several actions. Apart from
/// [`ACTIONS`] so that the wasm, which reads the catalog at run time, carries none of this text
/// (the `.d.ts` is written at compile time, the docs' table natively).
pub const DOCS: &[(&str, &str, &str)] = &[
    ("CreateJob", "", "A platform job: an asynchronous service call or a property set over devices or a product."),
    ("CreateJob", "JobName", "4 to 30 letters, digits, _ or Chinese characters."),
    ("CreateJob", "Type", "INVOKE_SERVICE or SET_PROPERTY."),
    ("CreateJob", "JobDocument", "The service call or the property set, as JSON."),
    ("CreateJob", "TargetConfig", "The devices, or the whole product, as JSON."),
    ("CreateJob", "Description", "Up to 1,000 characters."),
    ("CreateJob", "RolloutConfig", "`{\"maximumPerMinute\": n}`."),
    ("CreateJob", "TimeoutConfig", "`{\"inProgressTimeoutInMinutes\": n}`."),
    ("", "Identifier", "The service's identifier (`module:service` for a non-default module)."),
    ("", "Args", "The service's inputs: an object (sent with JSON.stringify) or a JSON object string; `{}` when absent. Floats that must keep a decimal point (`10.0`) need the string form."),
    ("", "Items", "The properties to set: an object (sent with JSON.stringify) or a JSON object string."),
    ("", "ProductKey", "The product."),
    ("", "JobId", "The job."),
    ("InvokeThingService", "", "Calls a service of a device's thing model; a synchronous service answers with the device's result."),
    ("SetDeviceProperty", "", "Sets properties of a device (asynchronous: answers with a MessageId)."),
    ("QueryDevicePropertyStatus", "", "A device's current property values, typed by their data type."),
    ("QueryDeviceDetail", "", "A device's details: IotId, status, firmware, times."),
    ("InvokeThingsService", "", "Calls an asynchronous service on up to 100 devices of one product."),
    ("SetDevicesProperty", "", "Sets properties on up to 100 devices of one product."),
    ("QueryThingModel", "", "A product's thing model (TSL), read into properties and services; kept by the client."),
    ("QueryProductList", "", "The account's products (the self-test's signed probe)."),
    ("QueryProductList", "CurrentPage", "The page, from 1."),
    ("QueryProductList", "PageSize", "Products per page, 1 to 200."),
    ("QueryDevice", "", "A product's devices, a page at a time."),
    ("QueryDevice", "PageSize", "Devices per page, 1 to 50."),
    ("QueryDevice", "CurrentPage", "The page, from 1."),
    ("QueryDevice", "NextToken", "The previous page's NextToken: needed once PageSize × CurrentPage passes 10,000."),
    ("BatchQueryDeviceDetail", "", "Details of up to 100 devices of one product, by name."),
    ("QueryDevicePropertyData", "", "One property's history, a page at a time (NextTime); the last 30 days."),
    ("QueryDevicePropertyData", "Identifier", "The property (`module:property` for a non-default module)."),
    ("QueryDevicePropertyData", "PageSize", "Points per page, 1 to 50."),
    ("QueryDevicePropertiesData", "", "Up to 10 properties' history at once (`Identifier.N`), answered at the top level, not under Data."),
    ("QueryDevicePropertiesData", "PageSize", "Points per property, 1 to 100."),
    ("QueryDeviceEventData", "", "A device's events of one type, a page at a time (NextTime); the last 30 days."),
    ("QueryDeviceEventData", "EventType", "info, alert or error."),
    ("QueryDeviceEventData", "Identifier", "One event only (all of the type when absent)."),
    ("QueryDeviceServiceData", "", "A device's service calls, a page at a time (NextTime); the last 30 days."),
    ("QueryDeviceServiceData", "Identifier", "One service only (all when absent)."),
    ("", "PageSize", "Records per page, 1 to 50."),
    ("", "StartTime", "Where the range starts, unix ms."),
    ("", "EndTime", "Where the range ends, unix ms."),
    ("", "Asc", "1: oldest first; 0: newest first."),
    ("QueryJob", "", "A job's state (with QueryJobStatistics: its tasks by state)."),
    ("QueryJobStatistics", "", "How many of a job's tasks are in each state."),
    ("ListTask", "", "A job's per-device tasks, a page at a time (NextToken)."),
    ("CancelJob", "", "Cancels a job: its tasks not yet sent are cancelled."),
];

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The docs' line for `field` of `action` (`field` empty: the action's own line).
pub const fn doc(action: &str, field: &str) -> &'static str {
    let mut fallback = "";
    let mut i = 0;
    while i < DOCS.len() {
        let (a, f, text) = DOCS[i];
        i += 1;
        if same(f, field) {
            if same(a, action) {
                return text;
            }
            if a.is_empty() {
                fallback = text;
            }
        }
    }
    fallback
}

/// Every action the package knows, in the order of the docs.
pub const ACTIONS: &[ActionSpec] = &[
    INVOKE_THING_SERVICE,
    SET_DEVICE_PROPERTY,
    QUERY_DEVICE_PROPERTY_STATUS,
    QUERY_DEVICE_DETAIL,
    INVOKE_THINGS_SERVICE,
    SET_DEVICES_PROPERTY,
    QUERY_THING_MODEL,
    QUERY_PRODUCT_LIST,
    QUERY_DEVICE,
    BATCH_QUERY_DEVICE_DETAIL,
    QUERY_DEVICE_PROPERTY_DATA,
    QUERY_DEVICE_PROPERTIES_DATA,
    QUERY_DEVICE_EVENT_DATA,
    QUERY_DEVICE_SERVICE_DATA,
    CREATE_JOB,
    QUERY_JOB,
    QUERY_JOB_STATISTICS,
    LIST_TASK,
    CANCEL_JOB,
];

/// The catalog's entry for `action` (exact name).
pub fn find(action: &str) -> Option<&'static ActionSpec> {
    ACTIONS.iter().find(|a| a.name == action)
}

/// Each action's name and whether it is idempotent: [`ACTIONS`] reduced at compile time to what
/// every call needs to know of any action (whether it may be retried). A wasm that only makes
/// calls then carries these pairs, not the specs of the actions it never reads (their fields,
/// their methods: the package's first entry).
const IDEMPOTENT: [(&str, bool); ACTIONS.len()] = {
    let mut out = [("", false); ACTIONS.len()];
    let mut i = 0;
    while i < ACTIONS.len() {
        out[i] = (ACTIONS[i].name, ACTIONS[i].idempotent);
        i += 1;
    }
    out
};

/// Whether the catalog has `action` ([`ActionSpec::idempotent`] when it does).
pub fn idempotent(action: &str) -> Option<bool> {
    IDEMPOTENT
        .iter()
        .find(|(name, _)| *name == action)
        .map(|&(_, i)| i)
}

impl ActionSpec {
    /// The field named `name` (the platform's name).
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        // `fields` is `&'static`, so its entries are too.
        let fields: &'static [Field] = self.fields;
        fields.iter().find(|f| f.name == name)
    }

    /// The JSON field the thing model checks, if any.
    pub fn checked_field(&self) -> Option<&'static Field> {
        let fields: &'static [Field] = self.fields;
        fields
            .iter()
            .find(|f| matches!(f.kind, FieldKind::JsonObject(c) if c != Checked::No))
    }
}

/// The action list of the docs: a Markdown table, one row per action, from [`ACTIONS`].
pub fn markdown_table() -> String {
    let mut s = String::from(
        "| action | JS method | device | read-only (retried) | QPS | batch partner | fields | what it does |\n|---|---|---|---|---|---|---|---|\n",
    );
    for a in ACTIONS {
        s.push_str("| `");
        s.push_str(a.name);
        s.push_str("` | ");
        match a.method {
            Some(m) => {
                s.push('`');
                s.push_str(m);
                s.push('`');
            }
            None => s.push_str("`call`"),
        }
        s.push_str(" | ");
        s.push_str(match a.addressing {
            Addressing::Device => "one",
            Addressing::DeviceNames => "1 to 100",
            Addressing::None => "none",
        });
        s.push_str(" | ");
        s.push_str(if a.idempotent { "yes" } else { "no" });
        s.push_str(" | ");
        crate::core::attempts::push_u64(&mut s, a.qps as u64);
        s.push_str(" | ");
        match a.batch {
            Some(b) => {
                s.push('`');
                s.push_str(b);
                s.push('`');
            }
            None => s.push('-'),
        }
        s.push_str(" | ");
        if a.fields.is_empty() {
            s.push('-');
        }
        for (i, f) in a.fields.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            s.push('`');
            s.push_str(f.name);
            s.push('`');
            if !f.required {
                s.push_str(" (optional)");
            }
        }
        s.push_str(" | ");
        s.push_str(doc(a.name, ""));
        s.push_str(" |\n");
    }
    s
}

// ---- The TypeScript declarations of the requests, built at compile time ----

/// A fixed-size text buffer filled by `const fn`s (two passes: the length, then the bytes).
struct Text<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> Text<N> {
    const fn push(mut self, s: &str) -> Self {
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if self.len < N {
                self.bytes[self.len] = b[i];
            }
            self.len += 1;
            i += 1;
        }
        self
    }
}

const fn ts_type(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Name | FieldKind::Text => "string",
        FieldKind::JsonObject(_) => "Record<string, unknown> | string",
        FieldKind::Integer { .. } => "number",
    }
}

/// The declarations of every request with a method of its own and device addressing, into `t`.
const fn write_requests<const N: usize>(mut t: Text<N>) -> Text<N> {
    let mut i = 0;
    while i < ACTIONS.len() {
        let a = &ACTIONS[i];
        i += 1;
        if a.method.is_none() {
            continue;
        }
        let base = match a.addressing {
            Addressing::Device => "DeviceRequest",
            Addressing::DeviceNames => "DeviceNamesRequest",
            Addressing::None => continue,
        };
        t = t.push("\n/** `");
        t = t.push(a.name);
        t = t.push("`: ");
        t = t.push(doc(a.name, ""));
        t = t.push(" */\nexport type ");
        t = t.push(a.name);
        t = t.push("Request = ");
        t = t.push(base);
        if a.fields.is_empty() {
            t = t.push(";\n");
            continue;
        }
        t = t.push(" & {\n");
        let mut j = 0;
        while j < a.fields.len() {
            let f = &a.fields[j];
            j += 1;
            t = t.push("  /** ");
            t = t.push(doc(a.name, f.name));
            t = t.push(" */\n  ");
            t = t.push(f.js);
            if !f.required {
                t = t.push("?");
            }
            t = t.push(": ");
            t = t.push(ts_type(f.kind));
            t = t.push(";\n");
        }
        t = t.push("};\n");
    }
    t
}

const REQUESTS_HEAD: &str = r#"
/** A device: by `iotId`, or by `productKey` + `deviceName` (`iotId` wins when both are given). */
export type DeviceRequest =
  | { iotId: string; productKey?: string; deviceName?: string; iotInstanceId?: string }
  | { iotId?: string; productKey: string; deviceName: string; iotInstanceId?: string };

/** Up to 100 devices of one product. */
export interface DeviceNamesRequest {
  productKey: string;
  /** 1 to 100 device names. */
  deviceNames: string[];
  iotInstanceId?: string;
}
"#;

const REQUESTS_LEN: usize = write_requests(Text::<0> { bytes: [], len: 0 })
    .push(REQUESTS_HEAD)
    .len;
const REQUESTS_BYTES: [u8; REQUESTS_LEN] = write_requests(
    Text::<REQUESTS_LEN> {
        bytes: [0; REQUESTS_LEN],
        len: 0,
    }
    .push(REQUESTS_HEAD),
)
.bytes;

/// The TypeScript of every device request (`InvokeThingServiceRequest`, ...), written from
/// [`ACTIONS`] at compile time; the binding puts it into `thingcall.d.ts`.
pub const REQUESTS_TS: &str = match core::str::from_utf8(&REQUESTS_BYTES) {
    Ok(s) => s,
    Err(_) => panic!("the request declarations are not UTF-8"),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idempotent_pairs_are_the_catalogs() {
        for a in ACTIONS {
            assert_eq!(idempotent(a.name), Some(a.idempotent), "{}", a.name);
        }
        assert_eq!(idempotent("Pub"), None);
        assert_eq!(idempotent("queryDevice"), None);
    }

    #[test]
    fn names_are_unique_and_found() {
        for (i, a) in ACTIONS.iter().enumerate() {
            assert_eq!(find(a.name), Some(a));
            assert!(ACTIONS[..i].iter().all(|b| b.name != a.name), "{}", a.name);
            if let Some(b) = a.batch {
                let partner = find(b).expect("the batch partner is in the catalog");
                assert_eq!(partner.addressing, Addressing::DeviceNames);
                assert_eq!(partner.fields, a.fields, "{b} takes {}'s fields", a.name);
            }
        }
        assert_eq!(find("InvokeThingservice"), None);
    }

    #[test]
    fn the_request_declarations_come_from_the_catalog() {
        assert!(REQUESTS_TS.contains("export type InvokeThingServiceRequest = DeviceRequest & {\n"));
        assert!(REQUESTS_TS.contains("  identifier: string;\n  /** The service's inputs"));
        assert!(REQUESTS_TS.contains("  args?: Record<string, unknown> | string;\n"));
        assert!(REQUESTS_TS
            .contains("export type SetDevicesPropertyRequest = DeviceNamesRequest & {\n"));
        assert!(REQUESTS_TS.contains("export type QueryDeviceDetailRequest = DeviceRequest;\n"));
        assert!(!REQUESTS_TS.contains("QueryJobRequest"));
    }

    #[test]
    fn every_action_and_field_has_its_line() {
        for a in ACTIONS {
            assert!(!doc(a.name, "").is_empty(), "{}", a.name);
            for f in a.fields {
                assert!(!doc(a.name, f.name).is_empty(), "{}.{}", a.name, f.name);
            }
        }
        assert_eq!(doc("QueryDevice", "PageSize"), "Devices per page, 1 to 50.");
        assert_eq!(
            doc("QueryProductList", "PageSize"),
            "Products per page, 1 to 200."
        );
    }

    #[test]
    fn checked_fields() {
        assert_eq!(INVOKE_THING_SERVICE.checked_field(), Some(&ARGS));
        assert_eq!(SET_DEVICE_PROPERTY.checked_field(), Some(&ITEMS));
        assert_eq!(QUERY_DEVICE_DETAIL.checked_field(), None);
    }
}
