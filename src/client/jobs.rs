//! Platform jobs, for fleets a browser tab should not drive: [`Client::create_job`] hands an
//! asynchronous service call or a property set over a device list (or a whole product) to the
//! platform (`CreateJob`), [`Client::job`] reads its state and statistics (`QueryJob`,
//! `QueryJobStatistics`), [`Client::tasks`] pages through its per-device tasks (`ListTask`),
//! and [`Client::cancel_job`] cancels it. Every job action goes through the client's rate
//! window at the platform's 5 calls per second.

use alloc::string::String;
use alloc::vec::Vec;

use js_sys::Array;

use super::model::Checked;
use super::reads::PageRequest;
use super::requests::{is_name, json_object, Payload};
use super::results::{at, text};
use super::{Body, CallMeta, CallOptions, CallResult, Client, Device, Error, Params};
use crate::core::attempts::{concat, push_u64};
use crate::core::fifo::Fifo;
use crate::core::json::write_string;

/// What a job does on each device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobWork {
    /// `INVOKE_SERVICE`: an asynchronous service with its `Args` (JSON object text).
    InvokeService {
        /// The service's identifier.
        identifier: String,
        /// Its `Args`.
        args: String,
    },
    /// `SET_PROPERTY`: properties to set (JSON object text).
    SetProperty {
        /// The `Items`.
        items: String,
    },
}

/// Which devices a job runs on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobTargets {
    /// These devices (each by `productKey` + `deviceName`).
    Devices(Vec<Device>),
    /// Every device of this product.
    Product(String),
}

/// A job to create.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobRequest {
    /// `JobName`: 4 to 30 letters, digits, `_` or Chinese characters.
    pub name: String,
    /// Its devices.
    pub targets: JobTargets,
    /// What it does on each.
    pub work: JobWork,
    /// `Description`, at most 100 characters.
    pub description: Option<String>,
    /// `RolloutConfig.maximumPerMinute`: tasks pushed per minute, 50 to 1000.
    pub maximum_per_minute: Option<u32>,
    /// `TimeoutConfig.inProgressTimeoutInMinutes`.
    pub timeout_minutes: Option<u32>,
    /// `IotInstanceId` (the client's default when `None`).
    pub iot_instance_id: Option<String>,
}

/// A task's state, as the platform documents it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskStatus {
    /// Waiting to be pushed.
    Queued,
    /// Pushed to the device.
    Sent,
    /// Running on the device.
    InProgress,
    /// Done.
    Succeeded,
    /// The device failed it.
    Failed,
    /// The device refused it.
    Rejected,
    /// No answer in time.
    TimedOut,
    /// Cancelled with its job.
    Cancelled,
}

impl TaskStatus {
    /// Every state, in the order a task goes through them.
    pub const ALL: [TaskStatus; 8] = [
        TaskStatus::Queued,
        TaskStatus::Sent,
        TaskStatus::InProgress,
        TaskStatus::Succeeded,
        TaskStatus::Failed,
        TaskStatus::Rejected,
        TaskStatus::TimedOut,
        TaskStatus::Cancelled,
    ];

    /// The platform's name (`IN_PROGRESS`).
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Queued => "QUEUED",
            TaskStatus::Sent => "SENT",
            TaskStatus::InProgress => "IN_PROGRESS",
            TaskStatus::Succeeded => "SUCCEEDED",
            TaskStatus::Failed => "FAILED",
            TaskStatus::Rejected => "REJECTED",
            TaskStatus::TimedOut => "TIMED_OUT",
            TaskStatus::Cancelled => "CANCELLED",
        }
    }

    /// From the platform's name.
    pub fn from_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// How many tasks of a job are in each state (`QueryJobStatistics`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JobStatistics {
    /// All tasks.
    pub total: u32,
    /// `QUEUED`.
    pub queued: u32,
    /// `SENT`.
    pub sent: u32,
    /// `IN_PROGRESS`.
    pub in_progress: u32,
    /// `SUCCEEDED`.
    pub succeeded: u32,
    /// `FAILED`.
    pub failed: u32,
    /// `REJECTED`.
    pub rejected: u32,
    /// `TIMED_OUT`.
    pub timed_out: u32,
    /// `CANCELLED`.
    pub cancelled: u32,
}

impl JobStatistics {
    /// Tasks that have ended (any state but queued, sent and in progress).
    pub fn ended(&self) -> u32 {
        self.total
            .saturating_sub(self.queued + self.sent + self.in_progress)
    }
}

/// A job as `QueryJob` and `QueryJobStatistics` describe it.
#[derive(Clone, Debug)]
pub struct JobInfo {
    /// `JobId`.
    pub job_id: String,
    /// `JobName`.
    pub name: String,
    /// `Status` (e.g. `IN_PROGRESS`, `COMPLETED`, `CANCELLED`).
    pub status: String,
    /// `Type` (`INVOKE_SERVICE`, `SET_PROPERTY`, ...).
    pub kind: String,
    /// The tasks by state.
    pub statistics: JobStatistics,
    /// `QueryJob`'s whole answer.
    pub body: Body,
}

/// One device's task of a job (`ListTask`).
#[derive(Clone, Debug, PartialEq)]
pub struct Task {
    /// `TaskId`.
    pub task_id: String,
    /// `JobId`.
    pub job_id: String,
    /// The device.
    pub device: Device,
    /// Its state.
    pub status: Option<TaskStatus>,
    /// `Status` as the platform wrote it.
    pub status_name: String,
    /// `Message` (why it failed, for one).
    pub message: String,
}

/// A job created: its id.
#[derive(Clone, Debug)]
pub struct JobCreated {
    /// `JobId`.
    pub job_id: String,
    /// Request id, attempts, time.
    pub meta: CallMeta,
}

/// The platform's limit on the job actions, calls per second (the catalog's).
pub const JOB_QPS: f64 = crate::core::action::CREATE_JOB.qps as f64;

/// The most tasks `ListTask` returns at once.
pub const MAX_TASK_PAGE: u32 = 50;

/// A `JobName` the platform takes: 4 to 30 characters, each an ASCII letter, digit or `_`, or a
/// CJK ideograph (U+4E00 to U+9FFF). By bytes: such an ideograph is three bytes in UTF-8, from
/// `E4 B8 80` to `E9 BF BF`.
fn is_job_name(name: &str) -> bool {
    let b = name.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_alphanumeric() || c == b'_' {
            i += 1;
        } else if (0xE4..=0xE9).contains(&c)
            && (c > 0xE4 || b.get(i + 1).is_some_and(|&d| d >= 0xB8))
        {
            i += 3;
        } else {
            return false;
        }
    }
    (4..=30).contains(&crate::core::json::char_count(name))
}

fn count(body: &Body, key: &'static str) -> u32 {
    body.at(&["Data", key]).as_f64().unwrap_or(0.0) as u32
}

impl Client {
    /// A job action, paced by the client's window at 5 per second.
    async fn job_call(&self, action: &'static str, params: Params) -> Result<CallResult, Error> {
        self.paced_call(action, JOB_QPS, params, &CallOptions::default())
            .await
    }

    fn instance_param(&self, own: &Option<String>, p: &mut Params) {
        if let Some(id) = own
            .as_deref()
            .filter(|s| !s.is_empty())
            .or(self.iot_instance_id())
        {
            p.push(("IotInstanceId".into(), id.into()));
        }
    }

    /// `CreateJob`. With `check_args` (here, or the client's), the work is checked against each
    /// product's thing model first, and sent as the check wrote it.
    pub async fn create_job(
        &self,
        request: &JobRequest,
        options: &CallOptions,
    ) -> Result<JobCreated, Error> {
        const CTX: &str = "createJob";
        if !is_job_name(&request.name) {
            return Err(Error::invalid(
                "createJob.name: 4 to 30 letters, digits, _ or Chinese characters (the platform's JobName)",
            ));
        }
        if request
            .description
            .as_deref()
            .is_some_and(|d| crate::core::json::char_count(d) > 100)
        {
            return Err(Error::invalid(
                "createJob.description: at most 100 characters",
            ));
        }
        if request
            .maximum_per_minute
            .is_some_and(|n| !(50..=1000).contains(&n))
        {
            return Err(Error::invalid(
                "createJob.maximumPerMinute: 50 to 1000 (the platform's rollout rate)",
            ));
        }
        // The products whose models the work must fit, and the target config (JSON).
        let mut target = String::from("{\"targetType\":");
        let mut products: Vec<String> = Vec::new();
        match &request.targets {
            JobTargets::Product(pk) => {
                if pk.is_empty() {
                    return Err(Error::invalid("createJob.productKey is required"));
                }
                target.push_str("\"PRODUCT_KEY\",\"targetProduct\":");
                write_string(pk, &mut target);
                products.push(pk.clone());
            }
            JobTargets::Devices(devices) => {
                if devices.is_empty() {
                    return Err(Error::invalid(
                        "createJob.targets: give at least one device",
                    ));
                }
                target.push_str("\"DEVICE\",\"targetDevices\":[");
                for (i, d) in devices.iter().enumerate() {
                    let (Some(pk), Some(dn)) = (
                        d.product_key.as_deref().filter(|s| !s.is_empty()),
                        d.device_name.as_deref().filter(|s| !s.is_empty()),
                    ) else {
                        let mut m = String::from("createJob.targets[");
                        push_u64(&mut m, i as u64);
                        m.push_str("]: a job's devices are given by productKey + deviceName");
                        return Err(Error::invalid(m));
                    };
                    // The same check as any device request.
                    super::requests::check_device(CTX, d)?;
                    if i > 0 {
                        target.push(',');
                    }
                    target.push_str("{\"productKey\":");
                    write_string(pk, &mut target);
                    target.push_str(",\"deviceName\":");
                    write_string(dn, &mut target);
                    target.push('}');
                    if !products.iter().any(|p| p == pk) {
                        products.push(pk.into());
                    }
                }
                target.push(']');
            }
        }
        target.push('}');
        let (kind, identifier, text, what) = match &request.work {
            JobWork::InvokeService { identifier, args } => {
                if identifier.is_empty() || !is_name(identifier) {
                    return Err(Error::invalid(
                        "createJob.identifier is required: ASCII letters, digits and - _ . : @ (a service identifier)",
                    ));
                }
                let args = if args.is_empty() { "{}" } else { args };
                let text = json_object(args, CTX, "args", Payload::AsWritten)?;
                (
                    "INVOKE_SERVICE",
                    identifier.as_str(),
                    text,
                    Checked::Args(identifier),
                )
            }
            JobWork::SetProperty { items } => {
                let text = json_object(items, CTX, "items", Payload::AsWritten)?;
                ("SET_PROPERTY", "", text, Checked::Items)
            }
        };
        let mut text = text;
        if self.checks(options) {
            for pk in &products {
                text = self.checked_for(CTX, pk, what, &text).await?;
            }
        }
        // `params` as checked and written (a float keeps its `.0`, which JSON.stringify drops).
        let doc_text = if identifier.is_empty() {
            concat(&["{\"params\":", &text, "}"])
        } else {
            concat(&[
                "{\"serviceIdentifier\":\"",
                identifier,
                "\",\"params\":",
                &text,
                "}",
            ])
        };
        let mut p: Params = alloc::vec![
            ("JobName".into(), request.name.clone()),
            ("Type".into(), kind.into()),
            ("JobDocument".into(), doc_text),
            ("TargetConfig".into(), target),
        ];
        if let Some(d) = request.description.as_deref().filter(|d| !d.is_empty()) {
            p.push(("Description".into(), d.into()));
        }
        if let Some(n) = request.maximum_per_minute {
            let mut r = String::from("{\"maximumPerMinute\":");
            push_u64(&mut r, n as u64);
            r.push('}');
            p.push(("RolloutConfig".into(), r));
        }
        if let Some(n) = request.timeout_minutes {
            let mut r = String::from("{\"inProgressTimeoutInMinutes\":");
            push_u64(&mut r, n as u64);
            r.push('}');
            p.push(("TimeoutConfig".into(), r));
        }
        self.instance_param(&request.iot_instance_id, &mut p);
        let r = self.job_call("CreateJob", p).await?;
        Ok(JobCreated {
            job_id: r.body.text_of(&["Data", "JobId"]).unwrap_or_default(),
            meta: r.meta,
        })
    }

    fn job_params(&self, job_id: &str, ctx: &str) -> Result<Params, Error> {
        if job_id.is_empty() {
            return Err(Error::invalid(concat(&[ctx, ": jobId is required"])));
        }
        let mut p: Params = alloc::vec![("JobId".into(), job_id.into())];
        self.instance_param(&None, &mut p);
        Ok(p)
    }

    /// `QueryJob` and `QueryJobStatistics`: the job's state and its tasks by state.
    pub async fn job(&self, job_id: &str) -> Result<JobInfo, Error> {
        let p = self.job_params(job_id, "job")?;
        let job = self.job_call("QueryJob", p.clone()).await?;
        let stats = self.job_call("QueryJobStatistics", p).await?.body;
        let b = &job.body;
        Ok(JobInfo {
            job_id: b
                .text_of(&["Data", "JobId"])
                .unwrap_or_else(|| job_id.into()),
            name: b.text_of(&["Data", "JobName"]).unwrap_or_default(),
            status: b.text_of(&["Data", "Status"]).unwrap_or_default(),
            kind: b.text_of(&["Data", "Type"]).unwrap_or_default(),
            statistics: JobStatistics {
                total: count(&stats, "Total"),
                queued: count(&stats, "Queued"),
                sent: count(&stats, "Sent"),
                in_progress: count(&stats, "InProgress"),
                succeeded: count(&stats, "Succeeded"),
                failed: count(&stats, "Failed"),
                rejected: count(&stats, "Rejected"),
                timed_out: count(&stats, "TimeOut"),
                cancelled: count(&stats, "Cancelled"),
            },
            body: job.body,
        })
    }

    /// `CancelJob`: its tasks not yet ended are cancelled.
    pub async fn cancel_job(&self, job_id: &str) -> Result<CallResult, Error> {
        let p = self.job_params(job_id, "cancelJob")?;
        self.job_call("CancelJob", p).await
    }

    /// The job's tasks, a page (`ListTask`, up to `page_size` of 1 to 50) at a time.
    pub fn tasks(
        &self,
        job_id: &str,
        status: Option<TaskStatus>,
        page_size: u32,
    ) -> Result<TaskPages, Error> {
        self.job_params(job_id, "tasks")?;
        if !(1..=MAX_TASK_PAGE).contains(&page_size) {
            return Err(Error::invalid("tasks: options.pageSize must be 1 to 50"));
        }
        Ok(TaskPages {
            client: self.clone(),
            job_id: job_id.into(),
            status,
            page_size,
            next_token: None,
            done: false,
            buffer: Fifo::default(),
            options: CallOptions::default(),
        })
    }
}

/// A job's tasks, fetched a page at a time as they are read.
pub struct TaskPages {
    client: Client,
    job_id: String,
    status: Option<TaskStatus>,
    page_size: u32,
    next_token: Option<String>,
    done: bool,
    buffer: Fifo<Task>,
    options: CallOptions,
}

impl TaskPages {
    /// The next task, `None` after the last. After an `Err` the listing stays where it was:
    /// the next call asks for the same page again.
    pub async fn next(&mut self) -> Result<Option<Task>, Error> {
        loop {
            if let Some(t) = self.pop() {
                return Ok(Some(t));
            }
            let Some(page) = self.request()? else {
                return Ok(None);
            };
            let r = page.send().await?;
            self.answered(&r);
        }
    }

    /// A task read before, without a request.
    pub(crate) fn pop(&mut self) -> Option<Task> {
        self.buffer.pop()
    }

    /// The next page's request (`ListTask`), `None` after the last page.
    pub(crate) fn request(&mut self) -> Result<Option<PageRequest<'_>>, Error> {
        if self.done {
            return Ok(None);
        }
        let mut p = self.client.job_params(&self.job_id, "tasks")?;
        let mut limit = String::new();
        push_u64(&mut limit, self.page_size as u64);
        p.push(("Limit".into(), limit));
        if let Some(s) = self.status {
            p.push(("Status".into(), s.as_str().into()));
        }
        // Kept until the answer replaces it: a page that failed is asked for again.
        if let Some(t) = &self.next_token {
            p.push(("NextToken".into(), t.clone()));
        }
        Ok(Some(PageRequest::new(
            &self.client,
            &self.options,
            "ListTask",
            JOB_QPS,
            p,
        )))
    }

    /// Reads a page's answer: its tasks wait to be read.
    pub(crate) fn answered(&mut self, r: &CallResult) {
        let list = at(r.body.value(), &["Data", "Data", "Task"]);
        if Array::is_array(&list) {
            for t in Array::from(&list).iter() {
                let field = |k: &'static str| text(&at(&t, &[k])).unwrap_or_default();
                let status_name = field("Status");
                let some = |s: String| Some(s).filter(|s| !s.is_empty());
                self.buffer.push(Task {
                    task_id: field("TaskId"),
                    job_id: field("JobId"),
                    device: Device {
                        iot_id: some(field("IotId")),
                        product_key: some(field("ProductKey")),
                        device_name: some(field("DeviceName")),
                    },
                    status: TaskStatus::from_name(&status_name),
                    status_name,
                    message: field("Message"),
                });
            }
        }
        self.next_token = r
            .body
            .text_of(&["Data", "NextToken"])
            .filter(|t| !t.is_empty());
        self.done = self.next_token.is_none();
    }
}

#[cfg(test)]
mod tests {
    use super::is_job_name;

    #[test]
    fn job_names() {
        for ok in [
            "blink_all",
            "abcd",
            "灯光调节",
            "ab一丁",
            "鿿鿿鿿鿿",
            "abcdefghijklmnopqrstuvwxyz0123",
        ] {
            assert!(is_job_name(ok), "{ok}");
        }
        for bad in [
            "abc",
            "a b c d",
            "blink-all",
            "㐀㐀㐀㐀",
            "ab\u{4dff}c",
            "ab\u{a000}c",
            "abcé",
            "ab😀c",
            "abcdefghijklmnopqrstuvwxyz01234",
        ] {
            assert!(!is_job_name(bad), "{bad}");
        }
    }
}
