//! Device jobs, as the platform runs them for fleets: `CreateJob` (a service call or a property
//! set over a device list or a whole product), `QueryJob`, `QueryJobStatistics`, `ListTask`
//! (paged with `NextToken`) and `CancelJob`. Each device's task goes QUEUED → SENT →
//! IN_PROGRESS → SUCCEEDED on the emulator's own clock, released at the job's rollout rate
//! (`maximumPerMinute`); an offline device's task ends TIMED_OUT, a cancelled job's unfinished
//! tasks CANCELLED, and the fault injection can make tasks FAILED or REJECTED.

use std::collections::HashMap;
use std::sync::Mutex;

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::auth::{param, Params};
use crate::clock::format_iso;
use crate::config::CallType;
use crate::error::ApiError;
use crate::world::{Reply, World};

/// A task's state, in the platform's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TaskStatus {
    /// Waiting for its turn in the rollout.
    Queued,
    /// Pushed to the device.
    Sent,
    /// The device is running it.
    InProgress,
    /// Done.
    Succeeded,
    /// The device failed it.
    Failed,
    /// The device refused it.
    Rejected,
    /// No answer in time (an offline device).
    TimedOut,
    /// The job was cancelled first.
    Cancelled,
}

impl TaskStatus {
    fn terminal(self) -> bool {
        !matches!(
            self,
            TaskStatus::Queued | TaskStatus::Sent | TaskStatus::InProgress
        )
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "QUEUED" => TaskStatus::Queued,
            "SENT" => TaskStatus::Sent,
            "IN_PROGRESS" => TaskStatus::InProgress,
            "SUCCEEDED" => TaskStatus::Succeeded,
            "FAILED" => TaskStatus::Failed,
            "REJECTED" => TaskStatus::Rejected,
            "TIMED_OUT" => TaskStatus::TimedOut,
            "CANCELLED" => TaskStatus::Cancelled,
            _ => return None,
        })
    }
}

/// What a job does on each device.
#[derive(Clone, Debug)]
enum Work {
    /// An asynchronous service with its Args.
    Invoke {
        identifier: String,
        args: Map<String, Value>,
    },
    /// A property set (`Items` text).
    Set { items: String },
}

#[derive(Clone, Debug)]
struct Task {
    id: String,
    device: usize,
    status: TaskStatus,
    message: String,
    modified_ms: i64,
}

#[derive(Clone, Debug)]
struct Job {
    id: String,
    name: String,
    description: String,
    kind: &'static str,
    document: String,
    target_config: Value,
    work: Work,
    per_minute: u32,
    status: &'static str,
    created_ms: i64,
    modified_ms: i64,
    tasks: Vec<Task>,
}

/// Every job created since the last reset.
#[derive(Debug, Default)]
pub struct Jobs {
    jobs: Mutex<HashMap<String, Job>>,
}

fn invalid(m: impl Into<String>) -> ApiError {
    ApiError::invalid_format(m)
}

fn job_id() -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut s: String = (0..20)
        .map(|_| A[fastrand::usize(..A.len())] as char)
        .collect();
    s.push_str("010001");
    s
}

/// The most devices one job targets in the emulator.
pub const MAX_TARGETS: usize = 10_000;

impl Jobs {
    /// Forgets every job.
    pub fn reset(&self) {
        self.jobs.lock().unwrap().clear();
    }

    /// `CreateJob`: the job's id; its tasks start QUEUED.
    pub fn create(
        &self,
        w: &World,
        params: &Params,
        now: i64,
    ) -> Result<(Reply, String), ApiError> {
        let name = param(params, "JobName").unwrap_or_default();
        let chars = name.chars().count();
        if !(4..=30).contains(&chars)
            || !name.chars().all(|c| {
                c.is_ascii_alphanumeric() || c == '_' || ('\u{4e00}'..='\u{9fff}').contains(&c)
            })
        {
            return Err(invalid(
                "JobName: 4 to 30 characters, Chinese characters, letters, digits and _.",
            ));
        }
        let description = param(params, "Description").unwrap_or_default();
        if description.chars().count() > 100 {
            return Err(invalid("Description: at most 100 characters."));
        }
        let kind: &'static str = match param(params, "Type") {
            Some("INVOKE_SERVICE") => "INVOKE_SERVICE",
            Some("SET_PROPERTY") => "SET_PROPERTY",
            Some(other) if !other.is_empty() => {
                return Err(invalid(format!(
                    "Type {other}: the emulator runs INVOKE_SERVICE and SET_PROPERTY jobs."
                )))
            }
            _ => return Err(ApiError::missing("Type")),
        };
        let document =
            param(params, "JobDocument").ok_or_else(|| ApiError::missing("JobDocument"))?;
        if document.chars().count() > 65_536 {
            return Err(invalid("JobDocument: at most 65536 characters."));
        }
        let doc: Value = serde_json::from_str(document)
            .map_err(|_| invalid("JobDocument must be a JSON object."))?;
        let target_text =
            param(params, "TargetConfig").ok_or_else(|| ApiError::missing("TargetConfig"))?;
        let target: Value = serde_json::from_str(target_text)
            .map_err(|_| invalid("TargetConfig must be a JSON object."))?;
        let devices = match target["targetType"].as_str() {
            Some("DEVICE") => {
                let list = target["targetDevices"]
                    .as_array()
                    .filter(|l| !l.is_empty())
                    .ok_or_else(|| invalid("TargetConfig.targetDevices: give 1 or more devices."))?;
                list.iter()
                    .map(|d| {
                        let pk = d["productKey"].as_str().unwrap_or_default();
                        let dn = d["deviceName"].as_str().unwrap_or_default();
                        w.product(pk)?;
                        w.device_by_name(pk, dn)
                    })
                    .collect::<Result<Vec<_>, _>>()?
            }
            Some("PRODUCT_KEY") => {
                let pk = target["targetProduct"].as_str().unwrap_or_default();
                let (pi, _) = w.product(pk)?;
                w.devices_of(pi)
            }
            _ => {
                return Err(invalid(
                    "TargetConfig.targetType must be DEVICE (with targetDevices) or PRODUCT_KEY (with targetProduct).",
                ))
            }
        };
        if devices.len() > MAX_TARGETS {
            return Err(invalid(format!(
                "TargetConfig: at most {MAX_TARGETS} devices per job."
            )));
        }
        // Every target's product must take the work, checked now (the platform's check of the
        // job document against the thing model).
        let mut products: Vec<usize> = devices.iter().map(|&d| w.device_info(d).1).collect();
        products.sort_unstable();
        products.dedup();
        let params_of = |doc: &Value| match &doc["params"] {
            Value::Object(m) => Ok(Value::Object(m.clone()).to_string()),
            Value::Null => Ok("{}".to_string()),
            _ => Err(invalid("JobDocument.params must be a JSON object.")),
        };
        let work = match kind {
            "INVOKE_SERVICE" => {
                let identifier = doc["serviceIdentifier"]
                    .as_str()
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| invalid("JobDocument.serviceIdentifier is required."))?
                    .to_string();
                let args_text = params_of(&doc)?;
                let mut args = Map::new();
                for &pi in &products {
                    let product = &w.config().products[pi];
                    let (service, a) = w.service_call(product, &identifier, &args_text)?;
                    if service.call_type == CallType::Sync {
                        return Err(invalid(format!(
                            "{identifier} is a synchronous service: a job calls asynchronous services."
                        )));
                    }
                    args = a;
                }
                Work::Invoke { identifier, args }
            }
            _ => {
                let items = params_of(&doc)?;
                for &pi in &products {
                    World::checked_items(&w.config().products[pi], &items)?;
                }
                Work::Set { items }
            }
        };
        let per_minute = params_of_rollout(params)?.unwrap_or(1000);
        let id = job_id();
        let tasks = devices
            .iter()
            .enumerate()
            .map(|(i, &device)| Task {
                id: format!("{}{:06}", &id[..14], i + 1),
                device,
                status: TaskStatus::Queued,
                message: String::new(),
                modified_ms: now,
            })
            .collect();
        let job = Job {
            id: id.clone(),
            name: name.into(),
            description: description.into(),
            kind,
            document: document.into(),
            target_config: target,
            work,
            per_minute,
            status: "IN_PROGRESS",
            created_ms: now,
            modified_ms: now,
            tasks,
        };
        self.jobs.lock().unwrap().insert(id.clone(), job);
        let reply = obj(json!({ "JobId": id, "JobName": name }));
        Ok((reply, id))
    }

    /// When each task is due, relative to the job's start: one every `60000 / maximumPerMinute` ms.
    pub fn schedule(&self, id: &str) -> Option<(usize, u64)> {
        let jobs = self.jobs.lock().unwrap();
        let j = jobs.get(id)?;
        Some((j.tasks.len(), 60_000 / u64::from(j.per_minute.max(1))))
    }

    /// Moves task `i` of job `id` on; `false` once the job is cancelled or gone.
    pub fn advance(&self, w: &World, id: &str, i: usize, to: TaskStatus, now: i64) -> bool {
        let mut jobs = self.jobs.lock().unwrap();
        let Some(job) = jobs.get_mut(id) else {
            return false;
        };
        if job.status == "CANCELLED" {
            return false;
        }
        let work = job.work.clone();
        let task = &mut job.tasks[i];
        if task.status.terminal() {
            return true;
        }
        task.status = to;
        task.modified_ms = now;
        if to == TaskStatus::Succeeded {
            // The task ran on the device: what it did, as a direct call would.
            let (online, ..) = w.device_info(task.device);
            if !online {
                task.status = TaskStatus::TimedOut;
                task.message = "The device did not answer in time (offline).".into();
            } else if let Some(fault) = w.task_fault() {
                task.status = fault;
                task.message = match fault {
                    TaskStatus::Rejected => "The device rejected the task.".into(),
                    _ => "The device failed the task.".into(),
                };
            } else {
                match &work {
                    Work::Invoke { identifier, args } => {
                        let product = &w.config().products[w.device_info(task.device).1];
                        if let Ok((service, _)) = w.service_call(product, identifier, "{}") {
                            w.apply(task.device, service, args, now);
                        }
                        let mid = w.message_id();
                        w.record_at(
                            task.device,
                            identifier,
                            Value::Object(args.clone()),
                            &mid,
                            now,
                        );
                    }
                    Work::Set { items } => {
                        if let Err(e) = w.set_items(task.device, items, now) {
                            task.status = TaskStatus::Failed;
                            task.message = e.message;
                        }
                    }
                }
            }
        }
        job.modified_ms = now;
        if job.tasks.iter().all(|t| t.status.terminal()) {
            job.status = "COMPLETED";
        }
        true
    }

    fn with<R>(
        &self,
        params: &Params,
        f: impl FnOnce(&mut Job) -> Result<R, ApiError>,
    ) -> Result<R, ApiError> {
        let id = param(params, "JobId")
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ApiError::missing("JobId"))?;
        let mut jobs = self.jobs.lock().unwrap();
        let job = jobs.get_mut(id).ok_or_else(|| {
            ApiError::business(
                "iot.job.NotExistedJob",
                format!("The job {id} does not exist."),
            )
        })?;
        f(job)
    }

    /// `QueryJob`.
    pub fn query(&self, params: &Params) -> Result<Reply, ApiError> {
        self.with(params, |j| {
            let target = match j.target_config["targetType"].as_str() {
                Some("DEVICE") => json!({
                    "TargetType": "DEVICE",
                    "TargetDevices": { "targetDevices": j.target_config["targetDevices"].as_array().map(|l| l.iter().map(|d| json!({
                        "ProductKey": d["productKey"], "DeviceName": d["deviceName"]
                    })).collect::<Vec<_>>()) }
                }),
                _ => json!({ "TargetType": "PRODUCT_KEY", "TargetProduct": j.target_config["targetProduct"] }),
            };
            Ok(obj(json!({
                "JobId": j.id, "JobName": j.name, "Description": j.description, "Type": j.kind,
                "Status": j.status, "JobDocument": j.document, "TargetConfig": target,
                "RolloutConfig": { "MaximumPerMinute": j.per_minute },
                "UtcCreate": format_iso(j.created_ms), "UtcModified": format_iso(j.modified_ms),
            })))
        })
    }

    /// `QueryJobStatistics`.
    pub fn statistics(&self, params: &Params) -> Result<Reply, ApiError> {
        self.with(params, |j| {
            let n = |s: TaskStatus| j.tasks.iter().filter(|t| t.status == s).count();
            Ok(obj(json!({
                "Total": j.tasks.len(),
                "Queued": n(TaskStatus::Queued), "Sent": n(TaskStatus::Sent),
                "InProgress": n(TaskStatus::InProgress), "Succeeded": n(TaskStatus::Succeeded),
                "Failed": n(TaskStatus::Failed), "Rejected": n(TaskStatus::Rejected),
                "TimeOut": n(TaskStatus::TimedOut), "Cancelled": n(TaskStatus::Cancelled),
            })))
        })
    }

    /// `ListTask`: a job's tasks, `Limit` (1 to 50) at a time, `NextToken` for the next page.
    pub fn list(&self, w: &World, params: &Params) -> Result<Reply, ApiError> {
        let limit = match param(params, "Limit") {
            None | Some("") => return Err(ApiError::missing("Limit")),
            Some(s) => s
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=50).contains(n))
                .ok_or_else(|| invalid("Limit: 1 to 50."))?,
        };
        let status = match param(params, "Status").filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(
                TaskStatus::parse(s)
                    .ok_or_else(|| invalid(format!("Status {s} is not a task status.")))?,
            ),
        };
        self.with(params, |j| {
            let start = match param(params, "NextToken").filter(|s| !s.is_empty()) {
                None => 0,
                Some(t) => t
                    .strip_prefix(&j.id)
                    .and_then(|r| r.strip_prefix('.'))
                    .and_then(|r| r.parse::<usize>().ok())
                    .ok_or_else(|| invalid("NextToken is not valid for this job."))?,
            };
            let matching: Vec<&Task> = j
                .tasks
                .iter()
                .filter(|t| status.is_none_or(|s| t.status == s))
                .collect();
            let page: Vec<Value> = matching
                .iter()
                .skip(start)
                .take(limit)
                .map(|t| {
                    let (_, pi, dn, iot_id) = w.device_info(t.device);
                    json!({
                        "TaskId": t.id, "JobId": j.id, "JobName": j.name,
                        "ProductKey": w.config().products[pi].product_key, "DeviceName": dn, "IotId": iot_id,
                        "Status": t.status, "Message": t.message,
                        "Progress": if t.status == TaskStatus::Succeeded { "100" } else { "0" },
                        "UtcModified": format_iso(t.modified_ms),
                    })
                })
                .collect();
            let mut data = Map::new();
            if start + page.len() < matching.len() {
                data.insert("NextToken".into(), json!(format!("{}.{}", j.id, start + page.len())));
            }
            data.insert("Data".into(), json!({ "Task": page }));
            Ok(data)
        })
    }

    /// `CancelJob`: the tasks not yet ended are CANCELLED.
    pub fn cancel(&self, params: &Params, now: i64) -> Result<Reply, ApiError> {
        self.with(params, |j| {
            if j.status == "COMPLETED" {
                return Err(invalid(
                    "The job has completed: there is nothing to cancel.",
                ));
            }
            for t in j.tasks.iter_mut().filter(|t| !t.status.terminal()) {
                t.status = TaskStatus::Cancelled;
                t.modified_ms = now;
            }
            j.status = "CANCELLED";
            j.modified_ms = now;
            Ok(Map::new())
        })
    }
}

fn params_of_rollout(params: &Params) -> Result<Option<u32>, ApiError> {
    let Some(text) = param(params, "RolloutConfig").filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let v: Value =
        serde_json::from_str(text).map_err(|_| invalid("RolloutConfig must be a JSON object."))?;
    match v.get("maximumPerMinute") {
        None => Ok(None),
        Some(n) => n
            .as_u64()
            .filter(|n| (50..=1000).contains(n))
            .map(|n| Some(n as u32))
            .ok_or_else(|| invalid("RolloutConfig.maximumPerMinute: 50 to 1000.")),
    }
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}
