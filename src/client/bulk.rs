//! Bulk calls across a fleet: one service call or property set on many devices, as many calls
//! in flight as `concurrency` allows, started no faster than the rate window of the client
//! ([`crate::core::bulk::RateWindow`], shared by every bulk call of that action) allows (a
//! call's retries too), and slower after throttling. One entry per target, in order; a
//! device's failure is its entry's error, never the whole call's. With `batch`, the platform's
//! batch actions carry up to 100 devices per request.

use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};

use web_sys::AbortSignal;

use super::model::Checked;
use super::pace::Admitted;
use super::requests::{Payload, Request, Target};
use super::time::now_ms;
use super::{
    Body, CallMeta, CallOptions, CallResult, Client, Device, Error, InvokeResult, Params, MAX_BATCH,
};
use crate::core::action::{self, ActionSpec};
use crate::core::attempts::{concat, push_u64};
use crate::core::bulk::{
    groups, is_throttling, platform_qps, Progress, ProgressPacer, DEFAULT_CONCURRENCY,
    MAX_CONCURRENCY,
};
use crate::core::outcome::codes;
use crate::core::{Failure, Outcome};

/// How many times a call that stayed throttled through its own retries is sent again, each
/// time after the (slowed) rate window admits it.
pub const MAX_REQUEUES: u32 = 5;

/// A progress callback: `{ done, total, ok, failed }`, at most every 100 ms and at the end.
pub type OnProgress = Rc<dyn Fn(Progress)>;

/// How a bulk call runs.
#[derive(Clone)]
pub struct BulkOptions {
    /// Calls in flight at once (1 to 256; 16 by default).
    pub concurrency: u32,
    /// Requests started per second at most, retries included (the platform's limit by default:
    /// 500 for `InvokeThingService` and `SetDeviceProperty`, 10 for the batch actions; never
    /// above it).
    pub qps: Option<f64>,
    /// Stops starting calls when it fires: the calls in flight settle, the rest are `not_sent`.
    pub signal: Option<AbortSignal>,
    /// Called with the progress at most every 100 ms, and once at the end.
    pub on_progress: Option<OnProgress>,
    /// One `InvokeThingsService` / `SetDevicesProperty` per 100 devices (every target given
    /// by `productKey` + `deviceName` of one product; asynchronous services only).
    pub batch: bool,
    /// The deadline of each call, ms (the client's by default).
    pub timeout_ms: Option<u32>,
    /// Checks the `Args`/`Items` against each product's thing model once, before any call
    /// (the client's setting when `None`).
    pub check_args: Option<bool>,
}

impl Default for BulkOptions {
    fn default() -> Self {
        Self {
            concurrency: DEFAULT_CONCURRENCY,
            qps: None,
            signal: None,
            on_progress: None,
            batch: false,
            timeout_ms: None,
            check_args: None,
        }
    }
}

impl core::fmt::Debug for BulkOptions {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("BulkOptions")
            .field("concurrency", &self.concurrency)
            .field("qps", &self.qps)
            .field("batch", &self.batch)
            .field("timeout_ms", &self.timeout_ms)
            .finish_non_exhaustive()
    }
}

/// The service call of [`Client::invoke_many`]: the same for every target.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceCall {
    /// The service's `Identifier`.
    pub identifier: String,
    /// `Args`: a JSON object, as text (`{}` when empty), sent exactly as given.
    pub args: String,
    /// `IotInstanceId` (the client's default when `None`).
    pub iot_instance_id: Option<String>,
}

/// The property set of [`Client::set_property_many`]: the same for every target.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PropertySet {
    /// `Items`: a JSON object, as text.
    pub items: String,
    /// `IotInstanceId` (the client's default when `None`).
    pub iot_instance_id: Option<String>,
}

/// One target's result: what its call returned, or why it failed (`not_sent` with code
/// `Aborted` when the bulk call was aborted before its call started).
#[derive(Clone, Debug)]
pub struct BulkEntry<T> {
    /// The target, as given.
    pub target: Device,
    /// Its result.
    pub result: Result<T, Error>,
}

/// One request's raw answer, or its error.
pub(crate) type Answered = Result<(CallMeta, Body), Error>;

/// Each target's raw answer (or error), in order.
pub(crate) type Settled = Vec<Answered>;

/// What a bulk call sends to every target: one action of the catalog (`InvokeThingService` or
/// `SetDeviceProperty`, whose batch partner `batch` uses) with the same `Identifier` and
/// `Args`, or `Items`, checked once.
#[derive(Clone, Debug)]
pub(crate) struct BulkWork {
    /// The single action.
    pub spec: &'static ActionSpec,
    /// The name errors give the bulk call (`invokeMany`).
    pub ctx: &'static str,
    /// `Identifier` (a service call), or empty.
    pub identifier: String,
    /// `Args` or `Items`, as text.
    pub text: String,
    /// How `text` was written.
    pub written: Payload,
    /// `IotInstanceId`.
    pub iot_instance_id: Option<String>,
}

impl BulkWork {
    /// `invokeMany`'s work.
    pub fn service(call: &ServiceCall, written: Payload) -> Self {
        Self {
            spec: &action::INVOKE_THING_SERVICE,
            ctx: "invokeMany",
            identifier: call.identifier.clone(),
            text: call.args.clone(),
            written,
            iot_instance_id: call.iot_instance_id.clone(),
        }
    }

    /// `setPropertyMany`'s work.
    pub fn properties(set: &PropertySet, written: Payload) -> Self {
        Self {
            spec: &action::SET_DEVICE_PROPERTY,
            ctx: "setPropertyMany",
            identifier: String::new(),
            text: set.items.clone(),
            written,
            iot_instance_id: set.iot_instance_id.clone(),
        }
    }

    fn is_service(&self) -> bool {
        self.spec.field("Identifier").is_some()
    }

    /// The request of `spec` (the single action or its batch partner) for `target`, with `text`.
    fn request(
        &self,
        spec: &'static ActionSpec,
        target: Target<'_>,
        text: &str,
        written: Payload,
    ) -> Result<Request, Error> {
        let payload = Some((text, written));
        let values = [
            Some((self.identifier.as_str(), Payload::AsWritten)),
            payload,
        ];
        let values: &[_] = if self.is_service() {
            &values
        } else {
            &values[1..]
        };
        Request::new(spec, target, self.iot_instance_id.as_deref(), values)
    }
}

fn aborted(signal: &Option<AbortSignal>) -> bool {
    signal.as_ref().is_some_and(|s| s.aborted())
}

fn not_sent() -> Error {
    Error::new(
        Failure::new(
            codes::ABORTED,
            "the bulk call was aborted before this target's call started.",
            Outcome::NotSent,
        ),
        &[],
    )
}

/// The shared state of one bulk call's workers.
struct Run {
    client: Client,
    action: &'static str,
    qps: f64,
    options: BulkOptions,
    call: CallOptions,
    /// The parameters of each request (a target, or a group of 100).
    requests: Vec<Result<Params, Error>>,
    next: Cell<usize>,
    settled: RefCell<Vec<Option<Answered>>>,
    pacer: RefCell<ProgressPacer>,
    /// How many targets each request carries (1, or the group's size).
    weight: fn(&Run, usize) -> u32,
    group_sizes: Vec<u32>,
    /// Workers still running, and the waker of the call waiting for them.
    left: Cell<usize>,
    waiting: RefCell<Option<Waker>>,
}

/// Waits until every worker of `run` has returned.
struct AllDone(Rc<Run>);

impl Future for AllDone {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0.left.get() == 0 {
            return Poll::Ready(());
        }
        self.0.waiting.replace(Some(cx.waker().clone()));
        Poll::Pending
    }
}

impl Run {
    /// A worker has returned.
    fn worker_done(&self) {
        self.left.set(self.left.get() - 1);
        if self.left.get() == 0 {
            if let Some(w) = self.waiting.take() {
                w.wake();
            }
        }
    }

    fn report(&self, p: Option<Progress>) {
        if let (Some(p), Some(f)) = (p, &self.options.on_progress) {
            f(p);
        }
    }

    fn settle(&self, i: usize, r: Result<(CallMeta, Body), Error>) {
        let ok = r.is_ok();
        self.settled.borrow_mut()[i] = Some(r);
        let mut last = None;
        for _ in 0..(self.weight)(self, i) {
            last = self.pacer.borrow_mut().settled(ok, now_ms()).or(last);
        }
        self.report(last);
    }

    /// Waits for the rate window to let one more call start; `None` when aborted first.
    async fn admitted(&self) -> Option<Admitted<'_>> {
        self.client
            .pace(self.action, self.qps, self.options.signal.as_ref())
            .await
    }

    async fn worker(&self) {
        loop {
            if aborted(&self.options.signal) {
                return;
            }
            let i = self.next.get();
            if i >= self.requests.len() {
                return;
            }
            self.next.set(i + 1);
            let params = match &self.requests[i] {
                Ok(p) => p.clone(),
                Err(e) => {
                    self.settle(i, Err(e.clone()));
                    continue;
                }
            };
            // A call still throttled after its own retries never ran (`rejected`): it goes
            // back through the rate window, which has slowed down meanwhile.
            let mut r;
            let mut requeued = 0;
            loop {
                let Some(admitted) = self.admitted().await else {
                    // Aborted before it started: counted with the rest that were not sent.
                    return;
                };
                let throttles = self.client.inner.throttles.get();
                r = self
                    .client
                    .send_with(self.action, params.clone(), &self.call, Some(&admitted))
                    .await;
                let now = now_ms();
                let throttled = self.client.inner.throttles.get() != throttles;
                let mut window = self.client.inner.windows.of(self.action);
                if throttled {
                    window.throttled(now);
                } else {
                    window.not_throttled(now);
                }
                drop(window);
                let again = matches!(&r, Err(e) if is_throttling(e.code()) && e.outcome() == Outcome::Rejected);
                if !again || requeued == MAX_REQUEUES {
                    break;
                }
                requeued += 1;
            }
            self.settle(i, r);
        }
    }
}

fn one(_: &Run, _: usize) -> u32 {
    1
}

fn group(run: &Run, i: usize) -> u32 {
    run.group_sizes[i]
}

impl Client {
    /// `InvokeThingService` on every target: one entry per target, in order. Rejects only for
    /// bad options (before anything is sent).
    pub async fn invoke_many(
        &self,
        targets: &[Device],
        call: &ServiceCall,
        options: &BulkOptions,
    ) -> Result<Vec<BulkEntry<InvokeResult>>, Error> {
        let work = BulkWork::service(call, Payload::AsWritten);
        let settled = self.run_many(&work, targets, options).await?;
        Ok(entries(targets, settled, InvokeResult::new))
    }

    /// `SetDeviceProperty` on every target: one entry per target, in order. Rejects only for
    /// bad options (before anything is sent).
    pub async fn set_property_many(
        &self,
        targets: &[Device],
        set: &PropertySet,
        options: &BulkOptions,
    ) -> Result<Vec<BulkEntry<CallResult>>, Error> {
        let work = BulkWork::properties(set, Payload::AsWritten);
        let settled = self.run_many(&work, targets, options).await?;
        Ok(entries(targets, settled, CallResult::new))
    }

    /// The requests of a bulk call, each sent under the rate window: every target's answer.
    pub(crate) async fn run_many(
        &self,
        work: &BulkWork,
        targets: &[Device],
        options: &BulkOptions,
    ) -> Result<Settled, Error> {
        let ctx = work.ctx;
        if !(1..=MAX_CONCURRENCY).contains(&options.concurrency) {
            return Err(Error::invalid(concat(&[
                ctx,
                ": options.concurrency must be a whole number from 1 to 256",
            ])));
        }
        let spec = match work.spec.batch.and_then(action::find) {
            Some(batch) if options.batch => batch,
            _ => work.spec,
        };
        let action = spec.name;
        let limit = platform_qps(action).unwrap_or(500.0);
        let qps = options.qps.unwrap_or(limit);
        if !(qps > 0.0 && qps <= limit) {
            let mut m = concat(&[ctx, ": options.qps must be above 0 and at most "]);
            push_u64(&mut m, limit as u64);
            m.push_str(concat(&[" (the platform's limit for ", action, ")"]).as_str());
            return Err(Error::invalid(m));
        }
        if let Some(ms) = options.timeout_ms {
            super::check_timeout(ms, "options.timeoutMs")?;
        }
        // The payload is the same for every target: checked once (by the request of an example
        // device, whose errors name the bulk call), then sent as checked.
        let example = Device::by_iot_id("x");
        if let Err(e) = work.request(
            work.spec,
            Target::Device(&example),
            &work.text,
            work.written,
        ) {
            let message = e.message();
            let field = crate::core::text::split_once(message, b'.').map_or(message, |(_, f)| f);
            return Err(Error::invalid(concat(&[ctx, ".", field])));
        }
        if targets.is_empty() {
            if let Some(f) = &options.on_progress {
                f(Progress::default());
            }
            return Ok(Vec::new());
        }
        // With checkArgs: checked once per product, before anything else is sent.
        let mut texts: Vec<(String, String)> = Vec::new();
        let checks = self.checks(&CallOptions {
            check_args: options.check_args,
            ..CallOptions::default()
        });
        if checks {
            let what = if work.is_service() {
                Checked::Args(&work.identifier)
            } else {
                Checked::Items
            };
            for (i, t) in targets.iter().enumerate() {
                let Some(pk) = t.product_key.as_deref().filter(|p| !p.is_empty()) else {
                    let mut m =
                        concat(&[ctx, ": checkArgs needs every target's productKey (targets["]);
                    push_u64(&mut m, i as u64);
                    m.push_str("] has none)");
                    return Err(Error::invalid(m));
                };
                if !texts.iter().any(|(p, _)| p == pk) {
                    let written = self.checked_for(ctx, pk, what, &work.text).await?;
                    texts.push((pk.into(), written));
                }
            }
        }
        // The text for a target: what the check wrote for its product, or as given.
        let text_for = |t: &Device| -> (&str, Payload) {
            t.product_key
                .as_deref()
                .and_then(|pk| texts.iter().find(|(p, _)| p == pk))
                .map_or((work.text.as_str(), work.written), |(_, w)| {
                    (w.as_str(), Payload::Serialized)
                })
        };
        let instance = self.iot_instance_id();
        let mut requests: Vec<Result<Params, Error>> = Vec::new();
        let mut group_sizes = Vec::new();
        if options.batch {
            let pk = one_product(targets, ctx)?;
            for g in groups(targets.len(), MAX_BATCH) {
                let mut device_names = Vec::new();
                for t in &targets[g.clone()] {
                    device_names.push(t.device_name.clone().unwrap_or_default());
                }
                group_sizes.push(g.len() as u32);
                let (text, written) = text_for(&targets[g.start]);
                let target = Target::Names {
                    product_key: pk,
                    device_names: &device_names,
                };
                requests.push(
                    work.request(spec, target, text, written)
                        .map(|r| r.into_params(instance)),
                );
            }
        } else {
            for t in targets {
                let (text, written) = text_for(t);
                requests.push(
                    work.request(spec, Target::Device(t), text, written)
                        .map(|r| r.into_params(instance)),
                );
            }
        }
        // A target given wrong (or, in batch mode, a bad identifier or product) is the caller's
        // mistake, not a device's failure: refused before anything is sent, naming it.
        if let Some((i, Err(e))) = requests.iter().enumerate().find(|(_, r)| r.is_err()) {
            let mut m = String::from(ctx);
            if !options.batch || requests.len() > 1 {
                m.push_str(if options.batch {
                    ": group "
                } else {
                    ": targets["
                });
                push_u64(&mut m, i as u64);
                m.push_str(if options.batch { " " } else { "] " });
            } else {
                m.push(' ');
            }
            m.push('(');
            m.push_str(e.message());
            m.push(')');
            return Err(Error::invalid(m));
        }
        let n = requests.len();
        let workers = (options.concurrency as usize).min(n).max(1);
        let mut settled = Vec::with_capacity(n);
        for _ in 0..n {
            settled.push(None);
        }
        let run = Rc::new(Run {
            client: self.clone(),
            action,
            qps,
            options: options.clone(),
            call: CallOptions {
                signal: None,
                timeout_ms: options.timeout_ms,
                check_args: Some(false),
            },
            requests,
            next: Cell::new(0),
            settled: RefCell::new(settled),
            pacer: RefCell::new(ProgressPacer::new(targets.len() as u32, now_ms())),
            weight: if options.batch { group } else { one },
            group_sizes,
            left: Cell::new(workers),
            waiting: RefCell::new(None),
        });
        // Each worker its own task: woken alone when its call settles (polling all of them on
        // every wake would cost a poll per worker per call).
        for _ in 0..workers {
            let r = run.clone();
            wasm_bindgen_futures::spawn_local(async move {
                r.worker().await;
                r.worker_done();
            });
        }
        AllDone(run.clone()).await;
        // Whatever was not started (an abort) is not sent.
        for i in 0..n {
            if run.settled.borrow()[i].is_none() {
                run.settle(i, Err(not_sent()));
            }
        }
        let last = run.pacer.borrow_mut().finish();
        run.report(last);
        let settled = run.settled.take();
        let mut out = Vec::with_capacity(targets.len());
        for (i, r) in settled.into_iter().enumerate() {
            let r = r.unwrap_or_else(|| Err(not_sent()));
            let copies = if run.group_sizes.is_empty() {
                1
            } else {
                run.group_sizes[i]
            };
            for _ in 1..copies {
                out.push(r.clone());
            }
            out.push(r);
        }
        Ok(out)
    }
}

/// The one product of a batch call's targets (each by `productKey` + `deviceName`).
fn one_product<'t>(targets: &'t [Device], ctx: &str) -> Result<&'t str, Error> {
    let mut pk: Option<&str> = None;
    for (i, t) in targets.iter().enumerate() {
        let this = t.product_key.as_deref().filter(|s| !s.is_empty());
        let ok = t.device_name.as_deref().is_some_and(|d| !d.is_empty())
            && this.is_some()
            && (pk.is_none() || pk == this);
        if !ok {
            let mut m = concat(&[ctx, ": options.batch needs every target as productKey + deviceName of one product (targets["]);
            push_u64(&mut m, i as u64);
            m.push_str("] is not)");
            return Err(Error::invalid(m));
        }
        pk = this;
    }
    Ok(pk.unwrap_or_default())
}

fn entries<T>(
    targets: &[Device],
    settled: Settled,
    shape: fn(CallMeta, Body) -> T,
) -> Vec<BulkEntry<T>> {
    targets
        .iter()
        .cloned()
        .zip(settled)
        .map(|(target, r)| BulkEntry {
            target,
            result: r.map(|(m, b)| shape(m, b)),
        })
        .collect()
}
