//! Live values, sans I/O: a snapshot of devices' properties (`QueryDevicePropertyStatus`) merged
//! with a stream of messages (the platform's server-side subscription, relayed to the page), so
//! that nothing between the snapshot and the stream is lost, a message that comes twice or late
//! changes nothing, and an older value never overwrites a newer one. And the state of the
//! stream's connection, with its reconnect delays.
//!
//! The driver (the client's `watch`) does the I/O: it reads the snapshot, opens the stream with
//! [`LiveView::last_event_id`], hands each message to [`LiveView::apply`] and each snapshot to
//! [`LiveView::apply_snapshot`], shows the [`Change`]s they return, and reads the snapshot again
//! when [`LiveView::apply`] returns [`Applied::Resync`] (the relay dropped messages for a slow
//! page).
//!
//! Order: a value is newer than another when its platform time is later; at the same time, the
//! one that came later in the stream (a higher event id) wins, and the stream wins over a
//! snapshot. So whatever order messages arrive in, each property ends at the value with the
//! greatest `(time, event id)`, and the values shown for a property only ever move forward.

use alloc::string::String;
use alloc::vec::Vec;

use super::json::{self, Json};

/// Where a value came from, in the order that breaks a tie of times.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    /// The platform's time of the value, Unix ms.
    pub time_ms: i64,
    /// The stream's event id (0 for a snapshot: the stream wins a tie).
    pub event_id: u64,
}

/// One value of a device's property.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Value {
    /// The value as the platform sent it (text; JSON for a struct or array).
    pub value: String,
    /// Its version.
    pub version: Version,
}

/// A device's connection state, as the platform reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Presence {
    /// Connected.
    pub online: bool,
    /// Its version.
    pub version: Version,
}

/// What one message of the stream says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// A property report (`/{productKey}/{deviceName}/thing/event/property/post`): each
    /// property's identifier, time and value.
    Properties {
        /// The device, as `productKey/deviceName`.
        device: String,
        /// `(identifier, time_ms, value)`.
        items: Vec<(String, i64, String)>,
    },
    /// A status change (`/as/mqtt/status/{productKey}/{deviceName}`).
    Status {
        /// The device, as `productKey/deviceName`.
        device: String,
        /// Connected.
        online: bool,
        /// When, Unix ms.
        time_ms: i64,
    },
    /// An event or a service reply: passed on as it is, nothing merged.
    Other {
        /// The device, as `productKey/deviceName`.
        device: String,
    },
    /// The relay dropped messages for this page (its queue was full): what it shows may be
    /// stale until the snapshot is read again.
    Gap,
}

impl Message {
    /// One event of the relay's stream (the backend's `GET /events`: its event type and its
    /// JSON data), or `None` for a type this version does not know or data it cannot read.
    /// `property`: `{ device: { productKey, deviceName }, items: { id: { value, time } } }`;
    /// `status`: `{ device, status: "online" | "offline", time }`; `event` and `reply` are
    /// passed on; `gap` says messages were dropped.
    pub fn from_relay(kind: &str, data: &str) -> Option<Message> {
        if kind == "gap" {
            return Some(Message::Gap);
        }
        let v = json::parse(data).ok()?;
        let d = v.get("device")?;
        let mut device = String::from(d.get("productKey")?.as_str()?);
        device.push('/');
        device.push_str(d.get("deviceName")?.as_str()?);
        match kind {
            "property" => {
                let Json::Object(members) = v.get("items")? else {
                    return None;
                };
                let mut items = Vec::new();
                for (id, item) in members {
                    let (Some(time), Some(value)) =
                        (item.get("time").and_then(integer), item.get("value"))
                    else {
                        continue;
                    };
                    items.push((id.clone(), time, value.to_platform_text()));
                }
                Some(Message::Properties { device, items })
            }
            "status" => Some(Message::Status {
                device,
                online: v.get("status")?.as_str()? == "online",
                time_ms: integer(v.get("time")?)?,
            }),
            "event" | "reply" => Some(Message::Other { device }),
            _ => None,
        }
    }
}

/// An integer number's value (Unix ms).
fn integer(v: &Json) -> Option<i64> {
    match v {
        Json::Number { text, .. } => super::attempts::parse_i64(text),
        _ => None,
    }
}

/// What a view shows that changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// A property has a newer value.
    Property {
        /// `productKey/deviceName`.
        device: String,
        /// The property's identifier.
        identifier: String,
        /// Its new value.
        value: Value,
    },
    /// A device's state changed.
    Presence {
        /// `productKey/deviceName`.
        device: String,
        /// Its new state.
        presence: Presence,
    },
}

/// What [`LiveView::apply`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Applied {
    /// These changes (none when the message was old news or came twice).
    Changes(Vec<Change>),
    /// Messages were lost: read the snapshot again ([`LiveView::apply_snapshot`]).
    Resync,
}

/// The merged view of what the page shows: each property's newest value and each device's
/// state. Small linear tables: a page watches tens of devices, not millions.
#[derive(Clone, Debug, Default)]
pub struct LiveView {
    properties: Vec<((String, String), Value)>,
    presence: Vec<(String, Presence)>,
    last_event_id: u64,
}

impl LiveView {
    /// An empty view.
    pub fn new() -> Self {
        Self::default()
    }

    /// The id to resume the stream from (`Last-Event-ID`): the highest event id applied, 0
    /// before the first.
    pub fn last_event_id(&self) -> u64 {
        self.last_event_id
    }

    /// A property's value in the view.
    pub fn property(&self, device: &str, identifier: &str) -> Option<&Value> {
        self.properties
            .iter()
            .find(|((d, i), _)| d == device && i == identifier)
            .map(|(_, v)| v)
    }

    /// A device's state in the view.
    pub fn presence(&self, device: &str) -> Option<&Presence> {
        self.presence
            .iter()
            .find(|(d, _)| d == device)
            .map(|(_, p)| p)
    }

    /// Every property in the view: `(device, identifier, value)`.
    pub fn properties(&self) -> impl Iterator<Item = (&str, &str, &Value)> {
        self.properties
            .iter()
            .map(|((d, i), v)| (d.as_str(), i.as_str(), v))
    }

    /// A snapshot of `device`'s properties, `(identifier, time_ms, value)`: each one newer than
    /// the view's is taken.
    pub fn apply_snapshot(
        &mut self,
        device: &str,
        items: impl IntoIterator<Item = (String, i64, String)>,
    ) -> Vec<Change> {
        let mut changes = Vec::new();
        for (identifier, time_ms, value) in items {
            let version = Version {
                time_ms,
                event_id: 0,
            };
            self.offer(device, identifier, value, version, &mut changes);
        }
        changes
    }

    /// One message of the stream, with its event id (ids rise along the stream; a message
    /// seen before, or an older value, changes nothing).
    pub fn apply(&mut self, event_id: u64, message: Message) -> Applied {
        self.last_event_id = self.last_event_id.max(event_id);
        let mut changes = Vec::new();
        match message {
            Message::Properties { device, items } => {
                for (identifier, time_ms, value) in items {
                    let version = Version { time_ms, event_id };
                    self.offer(&device, identifier, value, version, &mut changes);
                }
            }
            Message::Status {
                device,
                online,
                time_ms,
            } => {
                let presence = Presence {
                    online,
                    version: Version { time_ms, event_id },
                };
                match self.presence.iter_mut().find(|(d, _)| *d == device) {
                    Some((_, p)) if p.version >= presence.version => {}
                    Some((_, p)) => {
                        *p = presence.clone();
                        changes.push(Change::Presence { device, presence });
                    }
                    None => {
                        self.presence.push((device.clone(), presence.clone()));
                        changes.push(Change::Presence { device, presence });
                    }
                }
            }
            Message::Other { .. } => {}
            Message::Gap => return Applied::Resync,
        }
        Applied::Changes(changes)
    }

    fn offer(
        &mut self,
        device: &str,
        identifier: String,
        value: String,
        version: Version,
        changes: &mut Vec<Change>,
    ) {
        let slot = self
            .properties
            .iter_mut()
            .find(|((d, i), _)| d == device && *i == identifier);
        let new = Value { value, version };
        match slot {
            Some((_, old)) if old.version >= version => return,
            // The report a snapshot already showed (same platform time, same value), now seen
            // on the stream: its event id is kept, nothing shown changes.
            Some((_, old)) if old.version.time_ms == version.time_ms && old.value == new.value => {
                *old = new;
                return;
            }
            Some((_, old)) => *old = new.clone(),
            None => self
                .properties
                .push(((device.into(), identifier.clone()), new.clone())),
        }
        changes.push(Change::Property {
            device: device.into(),
            identifier,
            value: new,
        });
    }
}

/// The state of the stream's connection, as a page shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectionState {
    /// Opening the stream (the first time).
    Connecting,
    /// Messages flow.
    Live,
    /// The stream broke: waiting, then opening it again from the last event id.
    Reconnecting,
    /// Closed by the page (or for good).
    Closed,
}

/// The connection's state machine and its reconnect delays: exponential from `base_ms` to
/// `max_ms`, reset once the stream is live again.
#[derive(Clone, Debug)]
pub struct Connection {
    state: ConnectionState,
    failures: u32,
    base_ms: u32,
    max_ms: u32,
}

impl Connection {
    /// A connection about to open, with its reconnect delays.
    pub fn new(base_ms: u32, max_ms: u32) -> Self {
        Self {
            state: ConnectionState::Connecting,
            failures: 0,
            base_ms: base_ms.max(1),
            max_ms: max_ms.max(base_ms.max(1)),
        }
    }

    /// The state now.
    pub fn state(&self) -> ConnectionState {
        self.state
    }

    /// The stream opened.
    pub fn opened(&mut self) {
        if self.state != ConnectionState::Closed {
            self.state = ConnectionState::Live;
            self.failures = 0;
        }
    }

    /// The stream broke: how long to wait before opening it again (`None` once closed).
    pub fn broke(&mut self) -> Option<u32> {
        if self.state == ConnectionState::Closed {
            return None;
        }
        self.state = ConnectionState::Reconnecting;
        let shift = self.failures.min(16);
        self.failures = self.failures.saturating_add(1);
        Some(self.base_ms.saturating_mul(1 << shift).min(self.max_ms))
    }

    /// Closed by the page: no more reconnects.
    pub fn close(&mut self) {
        self.state = ConnectionState::Closed;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(device: &str, id: &str, t: i64, v: &str) -> Message {
        Message::Properties {
            device: device.into(),
            items: alloc::vec![(id.into(), t, v.into())],
        }
    }

    #[test]
    fn the_stream_after_a_snapshot_moves_values_forward_only() {
        let mut view = LiveView::new();
        let c = view.apply_snapshot("pk/lamp-01", [("Brightness".into(), 1000, "40".into())]);
        assert_eq!(c.len(), 1);
        // Older than the snapshot: nothing.
        assert_eq!(
            view.apply(1, report("pk/lamp-01", "Brightness", 900, "10")),
            Applied::Changes(alloc::vec![])
        );
        // Newer: shown.
        let Applied::Changes(c) = view.apply(2, report("pk/lamp-01", "Brightness", 1100, "50"))
        else {
            panic!()
        };
        assert_eq!(c.len(), 1);
        assert_eq!(
            view.property("pk/lamp-01", "Brightness").unwrap().value,
            "50"
        );
        // The same message again: nothing.
        assert_eq!(
            view.apply(2, report("pk/lamp-01", "Brightness", 1100, "50")),
            Applied::Changes(alloc::vec![])
        );
        // A snapshot read again that is older than the stream: nothing.
        assert!(view
            .apply_snapshot("pk/lamp-01", [("Brightness".into(), 1050, "45".into())])
            .is_empty());
        assert_eq!(view.last_event_id(), 2);
        assert_eq!(view.apply(3, Message::Gap), Applied::Resync);
    }

    #[test]
    fn the_report_a_snapshot_showed_is_not_shown_twice() {
        let mut view = LiveView::new();
        view.apply_snapshot("pk/lamp-02", [("Brightness".into(), 1000, "21".into())]);
        // The stream brings the report the snapshot read: same time, same value.
        assert_eq!(
            view.apply(5, report("pk/lamp-02", "Brightness", 1000, "21")),
            Applied::Changes(alloc::vec![])
        );
        assert_eq!(
            view.property("pk/lamp-02", "Brightness")
                .unwrap()
                .version
                .event_id,
            5
        );
        // Another value at the same time is still taken from the stream.
        let Applied::Changes(c) = view.apply(6, report("pk/lamp-02", "Brightness", 1000, "22"))
        else {
            panic!()
        };
        assert_eq!(c.len(), 1);
    }

    #[test]
    fn the_relays_events_are_read_as_messages() {
        let m = Message::from_relay(
            "property",
            r#"{"type":"property","device":{"productKey":"pk","deviceName":"lamp-01","iotId":"x"},"items":{"Brightness":{"value":61,"time":1700000000123},"Label":{"value":"a \"b\"","time":5},"Bad":{"value":1}}}"#,
        );
        assert_eq!(
            m,
            Some(Message::Properties {
                device: "pk/lamp-01".into(),
                items: alloc::vec![
                    ("Brightness".into(), 1_700_000_000_123, "61".into()),
                    ("Label".into(), 5, "a \"b\"".into()),
                ],
            })
        );
        assert_eq!(
            Message::from_relay(
                "status",
                r#"{"device":{"productKey":"pk","deviceName":"d"},"status":"offline","time":7}"#
            ),
            Some(Message::Status {
                device: "pk/d".into(),
                online: false,
                time_ms: 7
            })
        );
        assert_eq!(
            Message::from_relay(
                "reply",
                r#"{"device":{"productKey":"pk","deviceName":"d"}}"#
            ),
            Some(Message::Other {
                device: "pk/d".into()
            })
        );
        assert_eq!(Message::from_relay("gap", ""), Some(Message::Gap));
        assert_eq!(Message::from_relay("property", "not json"), None);
        assert_eq!(
            Message::from_relay(
                "other",
                r#"{"device":{"productKey":"pk","deviceName":"d"}}"#
            ),
            None
        );
    }

    #[test]
    fn presence_follows_the_newest_status() {
        let mut view = LiveView::new();
        let status = |online, t| Message::Status {
            device: "pk/d".into(),
            online,
            time_ms: t,
        };
        assert!(matches!(view.apply(1, status(true, 10)), Applied::Changes(c) if c.len() == 1));
        assert!(matches!(view.apply(2, status(false, 5)), Applied::Changes(c) if c.is_empty()));
        assert!(view.presence("pk/d").unwrap().online);
        assert!(matches!(view.apply(3, status(false, 20)), Applied::Changes(c) if c.len() == 1));
        assert!(!view.presence("pk/d").unwrap().online);
    }

    #[test]
    fn reconnect_delays_grow_to_their_cap_and_reset_when_live() {
        let mut c = Connection::new(500, 4_000);
        assert_eq!(c.state(), ConnectionState::Connecting);
        c.opened();
        assert_eq!(c.state(), ConnectionState::Live);
        let delays: Vec<_> = (0..6).map(|_| c.broke().unwrap()).collect();
        assert_eq!(delays, [500, 1000, 2000, 4000, 4000, 4000]);
        assert_eq!(c.state(), ConnectionState::Reconnecting);
        c.opened();
        assert_eq!(c.broke(), Some(500));
        c.close();
        assert_eq!(c.broke(), None);
        c.opened();
        assert_eq!(c.state(), ConnectionState::Closed);
    }
}
