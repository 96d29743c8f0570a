//! The job API in JavaScript: `createJob`, `job`, `cancelJob` and `tasks` (an async iterator).

use wasm_bindgen::prelude::*;

use super::{number, record, text};

use crate::client::{Client, Error, JobInfo, JobRequest, JobTargets, JobWork, Task, TaskStatus};

#[wasm_bindgen(typescript_custom_section)]
const TS_JOBS: &'static str = r#"
/** A task's state, as the platform documents it. */
export type TaskStatus = "QUEUED" | "SENT" | "IN_PROGRESS" | "SUCCEEDED" | "FAILED" | "REJECTED" | "TIMED_OUT" | "CANCELLED";

/** A job to create: an asynchronous service call (`identifier`, `args`) or a property set (`items`) over devices (`targets`) or a whole product (`productKey`). */
export interface CreateJobRequest {
  /** 4 to 30 letters, digits, _ or Chinese characters. */
  name: string;
  targets?: { productKey: string; deviceName: string }[];
  productKey?: string;
  identifier?: string;
  args?: Record<string, unknown> | string;
  items?: Record<string, unknown> | string;
  description?: string;
  /** Tasks pushed per minute, 50 to 1000 (the platform's default 1000). */
  maximumPerMinute?: number;
  timeoutMinutes?: number;
  iotInstanceId?: string;
}

export interface JobStatistics {
  total: number; queued: number; sent: number; inProgress: number; succeeded: number;
  failed: number; rejected: number; timedOut: number; cancelled: number;
}

export interface JobInfo {
  jobId: string;
  name: string;
  /** e.g. "IN_PROGRESS", "COMPLETED", "CANCELLED". */
  status: string;
  type: string;
  statistics: JobStatistics;
  /** QueryJob's `Data`. */
  data: any;
}

export interface JobTask {
  taskId: string;
  jobId: string;
  productKey?: string;
  deviceName?: string;
  iotId?: string;
  status: TaskStatus;
  message: string;
}

/** `for await (const task of client.tasks(jobId))`: pages of ListTask as they are read. */
export interface JobTasks extends AsyncIterableIterator<JobTask> {
  next(): Promise<IteratorResult<JobTask, undefined>>;
}

export interface TasksOptions {
  status?: TaskStatus;
  /** Tasks per ListTask page, 1 to 50. Default 50. */
  pageSize?: number;
}
"#;

/// `createJob`'s request.
pub fn job_request(r: &JsValue) -> Result<JobRequest, Error> {
    const CTX: &str = "createJob";
    super::device::request_object(r, CTX)?;
    super::js::check_keys(
        r,
        &[
            "name",
            "targets",
            "productKey",
            "identifier",
            "args",
            "items",
            "description",
            "maximumPerMinute",
            "timeoutMinutes",
            "iotInstanceId",
        ],
        CTX,
    )?;
    let targets = super::js::get(r, "targets");
    let pk = super::js::opt_string(r, "productKey", CTX)?;
    let targets = match (super::js::present(&targets), pk) {
        (true, None) => JobTargets::Devices(super::device::targets(&targets, CTX)?),
        (false, Some(pk)) => JobTargets::Product(pk),
        _ => {
            return Err(super::js::invalid(
                "createJob: give targets (devices) or productKey (every device of the product), one of them",
            ))
        }
    };
    let identifier = super::js::opt_string(r, "identifier", CTX)?;
    let items = super::js::get(r, "items");
    let work = match (identifier, super::js::present(&items)) {
        (Some(identifier), false) => JobWork::InvokeService {
            identifier,
            args: super::payload::json_object(&super::js::get(r, "args"), "createJob.args")?.0,
        },
        (None, true) => JobWork::SetProperty {
            items: super::payload::json_object(&items, "createJob.items")?.0,
        },
        _ => {
            return Err(super::js::invalid(
                "createJob: give identifier (and args) for a service call, or items for a property set, one of them",
            ))
        }
    };
    let whole = |key: &'static str| -> Result<Option<u32>, Error> {
        match super::js::opt_number(r, key, CTX)? {
            None => Ok(None),
            Some(n) if n.fract() == 0.0 && (0.0..=4_294_967_295.0).contains(&n) => {
                Ok(Some(n as u32))
            }
            Some(_) => Err(super::js::invalid(crate::core::attempts::concat(&[
                CTX,
                ".",
                key,
                ": must be a whole number",
            ]))),
        }
    };
    Ok(JobRequest {
        name: super::js::opt_string(r, "name", CTX)?.unwrap_or_default(),
        targets,
        work,
        description: super::js::opt_string(r, "description", CTX)?,
        maximum_per_minute: whole("maximumPerMinute")?,
        timeout_minutes: whole("timeoutMinutes")?,
        iot_instance_id: super::js::opt_string(r, "iotInstanceId", CTX)?,
    })
}

pub fn created(job_id: &str, meta: &crate::client::CallMeta) -> JsValue {
    record(&[
        ("jobId", text(job_id)),
        ("requestId", meta.request_id.as_deref().and_then(text)),
        ("attempts", number(meta.attempts.into())),
        ("elapsedMs", number(meta.elapsed_ms)),
    ])
}

pub fn info(j: &JobInfo) -> JsValue {
    let s = &j.statistics;
    let statistics = record(&[
        ("total", number(s.total.into())),
        ("queued", number(s.queued.into())),
        ("sent", number(s.sent.into())),
        ("inProgress", number(s.in_progress.into())),
        ("succeeded", number(s.succeeded.into())),
        ("failed", number(s.failed.into())),
        ("rejected", number(s.rejected.into())),
        ("timedOut", number(s.timed_out.into())),
        ("cancelled", number(s.cancelled.into())),
    ]);
    record(&[
        ("jobId", text(&j.job_id)),
        ("name", text(&j.name)),
        ("status", text(&j.status)),
        ("type", text(&j.kind)),
        ("statistics", Some(statistics)),
        (
            "data",
            Some(crate::client::value_at(j.body.value(), &["Data"])),
        ),
    ])
}

pub(super) fn task(t: &Task) -> JsValue {
    let d = &t.device;
    record(&[
        ("taskId", text(&t.task_id)),
        ("jobId", text(&t.job_id)),
        ("productKey", d.product_key.as_deref().and_then(text)),
        ("deviceName", d.device_name.as_deref().and_then(text)),
        ("iotId", d.iot_id.as_deref().and_then(text)),
        ("status", text(&t.status_name)),
        ("message", text(&t.message)),
    ])
}

/// `tasks(jobId, { status, pageSize })`.
pub fn tasks(client: &Client, job_id: &JsValue, options: &JsValue) -> Result<JsValue, Error> {
    const CTX: &str = "tasks";
    super::js::check_keys(options, &["status", "pageSize"], "options")?;
    let status = match super::js::opt_string(options, "status", "options")? {
        None => None,
        Some(s) => Some(TaskStatus::from_name(&s).ok_or_else(|| {
            super::js::invalid("options.status: one of QUEUED, SENT, IN_PROGRESS, SUCCEEDED, FAILED, REJECTED, TIMED_OUT, CANCELLED")
        })?),
    };
    let page_size = match super::js::opt_number(options, "pageSize", "options")? {
        None => 50,
        Some(n) if n.fract() == 0.0 && (1.0..=50.0).contains(&n) => n as u32,
        Some(_) => {
            return Err(super::js::invalid(
                "options.pageSize: a whole number 1 to 50",
            ))
        }
    };
    let id = job_id
        .as_string()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            super::js::invalid(crate::core::attempts::concat(&[CTX, ": jobId is required"]))
        })?;
    Ok(super::reads::iterator(super::reads::Reader::Tasks(
        client.tasks(&id, status, page_size)?,
    )))
}
