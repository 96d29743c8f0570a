//! The emulator's own table of the IoT actions it plays (besides STS's `AssumeRole`), each with
//! the platform's documented calls per second for one account. It is the independent side: the
//! client's catalog (`thingcall::core::action`) is a separate table, and a test checks that both
//! list the same actions with the same QPS. The limits the gateway enforces come from the
//! fixture's `qpsLimits` (a test may want another); these are the documented ones.

/// One action the emulator answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Action {
    /// The platform's `Action`.
    pub name: &'static str,
    /// The platform's documented QPS for one account.
    pub documented_qps: u32,
}

const fn a(name: &'static str, documented_qps: u32) -> Action {
    Action {
        name,
        documented_qps,
    }
}

/// Every IoT action the emulator implements.
pub const ACTIONS: &[Action] = &[
    a("InvokeThingService", 500),
    a("InvokeThingsService", 10),
    a("SetDeviceProperty", 500),
    a("SetDevicesProperty", 10),
    a("QueryDevicePropertyStatus", 200),
    a("QueryDeviceDetail", 50),
    a("QueryThingModel", 10),
    a("QueryProductList", 50),
    a("QueryDevice", 50),
    a("BatchQueryDeviceDetail", 5),
    a("QueryDevicePropertyData", 50),
    a("QueryDevicePropertiesData", 10),
    a("QueryDeviceEventData", 50),
    a("QueryDeviceServiceData", 50),
    a("CreateJob", 5),
    a("QueryJob", 5),
    a("QueryJobStatistics", 5),
    a("ListTask", 5),
    a("CancelJob", 5),
];

/// Whether the emulator implements `name`.
pub fn known(name: &str) -> bool {
    ACTIONS.iter().any(|a| a.name == name)
}
