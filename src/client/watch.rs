//! Live values: a snapshot of devices' properties (`QueryDevicePropertyStatus`) followed by the
//! dashboard backend's stream of the platform's messages (Server-Sent Events over web-sys
//! `EventSource`), merged by `core::live` so that nothing between the two is lost and an older
//! value never overwrites a newer one.
//!
//! The stream is opened first and what it delivers waits in a queue while the snapshot is read.
//! `EventSource` reconnects by itself after a network error, resuming with `Last-Event-ID`; when
//! it gives up (an HTTP error from a proxy, a closed backend) the watch opens a new one after
//! the connection's back-off, resuming with `?lastEventId=`. A `gap` (the relay dropped
//! messages for this page) reads the snapshot again.

use alloc::rc::{Rc, Weak};
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{EventSource, MessageEvent};

use super::{CallOptions, Client, Device, Error};
use crate::core::fifo::Fifo;
use crate::core::live::{Applied, Change, Connection, ConnectionState, LiveView, Message};

/// The stream's event types the relay sends (`deploy/backend/live.mjs`).
const KINDS: [&str; 5] = ["property", "status", "event", "reply", "gap"];

/// What [`Client::watch`] follows.
#[derive(Clone, Debug)]
pub struct WatchOptions {
    /// The relay's stream (`GET`, Server-Sent Events): the dashboard backend's `/events`.
    pub url: String,
    /// The devices whose properties are read first and followed; none: every device the
    /// stream carries, with no snapshot.
    pub devices: Vec<Device>,
    /// Only these properties; none: all.
    pub properties: Vec<String>,
    /// Pass on events and asynchronous services' replies ([`WatchItem::Message`]).
    pub messages: bool,
    /// The first delay before opening a stream that failed, ms (doubling up to `max_retry_ms`).
    pub retry_ms: u32,
    /// The longest delay between two openings, ms.
    pub max_retry_ms: u32,
    /// The snapshot's reads: deadline, cancellation.
    pub call: CallOptions,
}

impl WatchOptions {
    /// The stream at `url`, every device and property, reconnecting after 1 s to 30 s.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            devices: Vec::new(),
            properties: Vec::new(),
            messages: false,
            retry_ms: 1_000,
            max_retry_ms: 30_000,
            call: CallOptions::default(),
        }
    }
}

/// One thing a watch shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WatchItem {
    /// A property's newer value, or a device's new state (from the snapshot or the stream).
    Change(Change),
    /// The stream's connection changed state.
    State(ConnectionState),
    /// The relay dropped messages for this page (too slow, or away longer than it keeps):
    /// values may be stale. The watch reads its devices' properties again; one that follows
    /// every device (none given) leaves that to the caller.
    Gap,
    /// An event a device raised (`kind` `"event"`) or an asynchronous call's reply (`"reply"`),
    /// with the stream's event id and its JSON data as the relay sent it.
    Message {
        /// `"event"` or `"reply"`.
        kind: String,
        /// `productKey/deviceName`.
        device: String,
        /// The stream's event id.
        id: u64,
        /// The relay's JSON data.
        data: String,
    },
}

/// What the stream's callbacks and the reconnect timer hand to the watch.
enum Incoming {
    Opened,
    Failed { gave_up: bool },
    Event { kind: String, id: u64, data: String },
    Reopen,
}

/// A listener of the stream's events, with the event type it listens to.
type Listener = (&'static str, Closure<dyn FnMut(web_sys::Event)>);

/// A pending timer: its id and the function it calls.
type Timer = (JsValue, Closure<dyn FnMut()>);

/// The stream: its `EventSource` and the listeners it calls (removed, and the stream closed,
/// when dropped).
struct Source {
    es: EventSource,
    listeners: Vec<Listener>,
}

impl Drop for Source {
    fn drop(&mut self) {
        self.es.close();
        for (kind, f) in &self.listeners {
            let _ = self
                .es
                .remove_event_listener_with_callback(kind, f.as_ref().unchecked_ref());
        }
    }
}

/// What the watch shares with its callbacks and its [`WatchHandle`]s.
struct Shared {
    queue: RefCell<Fifo<Incoming>>,
    waker: RefCell<Option<Waker>>,
    connection: RefCell<Connection>,
    source: RefCell<Option<Source>>,
    timer: RefCell<Option<Timer>>,
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &js_sys::Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

impl Shared {
    fn push(&self, incoming: Incoming) {
        self.queue.borrow_mut().push(incoming);
        if let Some(w) = self.waker.borrow_mut().take() {
            w.wake();
        }
    }

    /// Opens the stream at `url`, from `last_event_id` when not 0.
    fn open(self: &Rc<Self>, url: &str, last_event_id: u64) -> Result<(), Error> {
        let mut target = String::from(url);
        if last_event_id > 0 {
            target.push(if crate::core::text::contains(url, b'?') {
                '&'
            } else {
                '?'
            });
            target.push_str("lastEventId=");
            crate::core::attempts::push_u64(&mut target, last_event_id);
        }
        let es = EventSource::new(&target)
            .map_err(|_| Error::invalid("watch: url is not a URL EventSource can open"))?;
        let mut listeners: Vec<Listener> = Vec::new();
        let weak = Rc::downgrade(self);
        let on = |weak: Weak<Shared>, f: fn(&Shared, web_sys::Event)| {
            Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
                if let Some(s) = weak.upgrade() {
                    f(&s, e);
                }
            })
        };
        listeners.push(("open", on(weak.clone(), |s, _| s.push(Incoming::Opened))));
        listeners.push((
            "error",
            on(weak.clone(), |s, e| {
                let gave_up = e
                    .target()
                    .and_then(|t| t.dyn_into::<EventSource>().ok())
                    .is_some_and(|es| es.ready_state() == EventSource::CLOSED);
                s.push(Incoming::Failed { gave_up });
            }),
        ));
        for kind in KINDS {
            listeners.push((
                kind,
                on(weak.clone(), |s, e| {
                    let Ok(m) = e.dyn_into::<MessageEvent>() else {
                        return;
                    };
                    s.push(Incoming::Event {
                        kind: m.type_(),
                        // The relay's ids count up from 1 (an id past i64::MAX reads as 0).
                        id: crate::core::attempts::parse_i64(&m.last_event_id())
                            .and_then(|n| u64::try_from(n).ok())
                            .unwrap_or(0),
                        data: m.data().as_string().unwrap_or_default(),
                    });
                }),
            ));
        }
        for (kind, f) in &listeners {
            let _ = es.add_event_listener_with_callback(kind, f.as_ref().unchecked_ref());
        }
        *self.source.borrow_mut() = Some(Source { es, listeners });
        Ok(())
    }

    /// Opens the stream again in `ms`.
    fn reopen_in(self: &Rc<Self>, ms: u32) {
        let weak = Rc::downgrade(self);
        let f = Closure::<dyn FnMut()>::new(move || {
            if let Some(s) = weak.upgrade() {
                s.timer.borrow_mut().take();
                s.push(Incoming::Reopen);
            }
        });
        let id = set_timeout(f.as_ref().unchecked_ref(), f64::from(ms));
        if let Some((old, _)) = self.timer.borrow_mut().replace((id, f)) {
            clear_timeout(&old);
        }
    }

    fn state(&self) -> ConnectionState {
        self.connection.borrow().state()
    }

    fn close(&self) {
        self.connection.borrow_mut().close();
        self.source.borrow_mut().take();
        if let Some((id, _)) = self.timer.borrow_mut().take() {
            clear_timeout(&id);
        }
        if let Some(w) = self.waker.borrow_mut().take() {
            w.wake();
        }
    }
}

/// The next thing the stream or the timer handed over; `None` once closed.
struct NextIncoming<'a>(&'a Shared);

impl Future for NextIncoming<'_> {
    type Output = Option<Incoming>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if self.0.state() == ConnectionState::Closed {
            return Poll::Ready(None);
        }
        if let Some(i) = self.0.queue.borrow_mut().pop() {
            return Poll::Ready(Some(i));
        }
        *self.0.waker.borrow_mut() = Some(cx.waker().clone());
        Poll::Pending
    }
}

/// Closes a [`Watch`] from elsewhere (a button, a page's teardown), and reads its state.
#[derive(Clone)]
pub struct WatchHandle {
    shared: Rc<Shared>,
}

impl WatchHandle {
    /// The stream's connection state.
    pub fn state(&self) -> ConnectionState {
        self.shared.state()
    }

    /// Closes the stream for good: the watch's `next` ends (after a last
    /// `State(Closed)`).
    pub fn close(&self) {
        self.shared.close();
    }
}

impl core::fmt::Debug for WatchHandle {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("WatchHandle")
    }
}

/// Live values of devices ([`Client::watch`]): `next` gives the snapshot's values, then each
/// change the stream brings, and the connection's state changes.
pub struct Watch {
    client: Client,
    options: WatchOptions,
    /// `productKey/deviceName` of each device followed.
    keys: Vec<String>,
    shared: Rc<Shared>,
    view: LiveView,
    out: Fifo<WatchItem>,
    resync: bool,
    shown: Option<ConnectionState>,
    /// The highest event id the stream gave (followed devices or not): where a new stream
    /// resumes.
    last_id: u64,
}

impl core::fmt::Debug for Watch {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Watch")
            .field("url", &self.options.url)
            .field("devices", &self.keys)
            .field("state", &self.shared.state())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Follows devices' properties live: reads them (`QueryDevicePropertyStatus`), then applies
    /// the relay's stream at `options.url` (the dashboard backend's `/events`, same-origin).
    /// Devices are given by `productKey` and `deviceName`, as the stream names them.
    pub fn watch(&self, options: WatchOptions) -> Result<Watch, Error> {
        if options.url.is_empty() {
            return Err(Error::invalid(
                "watch: url is required (the relay's /events)",
            ));
        }
        let mut keys = Vec::new();
        for d in &options.devices {
            match (&d.product_key, &d.device_name) {
                (Some(pk), Some(dn)) if !pk.is_empty() && !dn.is_empty() => {
                    keys.push(crate::core::attempts::concat(&[pk, "/", dn]))
                }
                _ => {
                    return Err(Error::invalid(
                        "watch: each device is given by productKey and deviceName (the stream names devices so)",
                    ))
                }
            }
        }
        let shared = Rc::new(Shared {
            queue: RefCell::default(),
            waker: RefCell::default(),
            connection: RefCell::new(Connection::new(options.retry_ms, options.max_retry_ms)),
            source: RefCell::default(),
            timer: RefCell::default(),
        });
        shared.open(&options.url, 0)?;
        Ok(Watch {
            client: self.clone(),
            resync: !keys.is_empty(),
            keys,
            options,
            shared,
            view: LiveView::new(),
            out: Fifo::default(),
            shown: None,
            last_id: 0,
        })
    }
}

impl Watch {
    /// The next value, state change or message; `None` once closed. A snapshot read that
    /// fails is an `Err` (the watch goes on: the next `next` follows the stream).
    pub async fn next(&mut self) -> Option<Result<WatchItem, Error>> {
        loop {
            let state = self.shared.state();
            if self.shown != Some(state) {
                self.shown = Some(state);
                return Some(Ok(WatchItem::State(state)));
            }
            if let Some(item) = self.out.pop() {
                return Some(Ok(item));
            }
            if state == ConnectionState::Closed {
                return None;
            }
            if self.resync {
                self.resync = false;
                if let Err(e) = self.snapshot().await {
                    return Some(Err(e));
                }
                continue;
            }
            let Some(incoming) = NextIncoming(&self.shared).await else {
                continue;
            };
            self.take(incoming);
        }
    }

    /// The merged view: each followed property's newest value, each device's state.
    pub fn view(&self) -> &LiveView {
        &self.view
    }

    /// The stream's connection state.
    pub fn state(&self) -> ConnectionState {
        self.shared.state()
    }

    /// A handle that closes this watch from elsewhere.
    pub fn handle(&self) -> WatchHandle {
        WatchHandle {
            shared: self.shared.clone(),
        }
    }

    /// Closes the stream for good.
    pub fn close(&self) {
        self.shared.close();
    }

    fn follows(&self, device: &str) -> bool {
        self.keys.is_empty() || self.keys.iter().any(|k| k == device)
    }

    fn wanted(&self, identifier: &str) -> bool {
        self.options.properties.is_empty()
            || self.options.properties.iter().any(|p| p == identifier)
    }

    fn show(&mut self, changes: Vec<Change>) {
        for c in changes {
            self.out.push(WatchItem::Change(c));
        }
    }

    /// Reads every followed device's properties and merges them.
    async fn snapshot(&mut self) -> Result<(), Error> {
        for i in 0..self.options.devices.len() {
            let status = self
                .client
                .query_device_property_status(&self.options.devices[i], None, &self.options.call)
                .await?;
            let mut items = Vec::new();
            for p in status.properties {
                if p.time.is_finite() && self.wanted(&p.identifier) {
                    items.push((p.identifier, p.time as i64, p.raw_value));
                }
            }
            let changes = self.view.apply_snapshot(&self.keys[i], items);
            self.show(changes);
        }
        Ok(())
    }

    fn take(&mut self, incoming: Incoming) {
        match incoming {
            Incoming::Opened => self.shared.connection.borrow_mut().opened(),
            Incoming::Failed { gave_up } => {
                let delay = self.shared.connection.borrow_mut().broke();
                if gave_up {
                    // EventSource stopped trying: a new one, after the back-off.
                    self.shared.source.borrow_mut().take();
                    if let Some(ms) = delay {
                        self.shared.reopen_in(ms);
                    }
                }
            }
            Incoming::Reopen => {
                if self.shared.state() != ConnectionState::Closed {
                    let from = self.last_id;
                    if self.shared.open(&self.options.url, from).is_err() {
                        let delay = self.shared.connection.borrow_mut().broke();
                        if let Some(ms) = delay {
                            self.shared.reopen_in(ms);
                        }
                    }
                }
            }
            Incoming::Event { kind, id, data } => {
                self.last_id = self.last_id.max(id);
                let Some(message) = Message::from_relay(&kind, &data) else {
                    return;
                };
                let message = match message {
                    Message::Gap => Message::Gap,
                    Message::Properties { device, items } => {
                        if !self.follows(&device) {
                            return;
                        }
                        let mut wanted = Vec::new();
                        for item in items {
                            if self.wanted(&item.0) {
                                wanted.push(item);
                            }
                        }
                        Message::Properties {
                            device,
                            items: wanted,
                        }
                    }
                    Message::Status { ref device, .. } if !self.follows(device) => return,
                    Message::Other { device } => {
                        if self.options.messages && self.follows(&device) {
                            self.out.push(WatchItem::Message {
                                kind,
                                device: device.clone(),
                                id,
                                data,
                            });
                        }
                        Message::Other { device }
                    }
                    status => status,
                };
                match self.view.apply(id, message) {
                    Applied::Changes(changes) => self.show(changes),
                    Applied::Resync => {
                        self.out.push(WatchItem::Gap);
                        self.resync = !self.keys.is_empty();
                    }
                }
            }
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.shared.close();
    }
}
