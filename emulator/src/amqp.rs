//! The platform's server-side subscription over AMQP 1.0 (fe2o3-amqp's acceptor): a business
//! server connects with the platform's user name and signed password, attaches one receiver
//! link, and gets the messages of the world (`live`): property reports (the API's sets and the
//! lamps' drifting `Temperature`), events. Delivery is at-least-once, as the platform's: a message
//! is done when the consumer settles it; one not settled when the connection ends is pushed again
//! to the next member of its consumer group. The members of a group share its stream.
//!
//! Authentication (the platform's "AMQP client access" page): user name
//! `${clientId}|authMode=aksign,signMethod=hmacsha1,timestamp=${ms},authId=${accessKeyId},iotInstanceId=${id},consumerGroupId=${group}|`,
//! password `base64(HMAC-SHA1(accessKeySecret, "authId=${accessKeyId}&timestamp=${ms}"))`; a
//! wrong key or password, a timestamp more than 15 minutes off, an unknown consumer group or a
//! user name of another form is refused (SASL `auth`: the connection fails to open).

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use fe2o3_amqp::acceptor::sasl_acceptor::SaslServerFrame;
use fe2o3_amqp::acceptor::{
    ConnectionAcceptor, LinkAcceptor, LinkEndpoint, SaslAcceptor, SessionAcceptor,
};
use fe2o3_amqp::types::messaging::{ApplicationProperties, Data, Message, Outcome};
use fe2o3_amqp::types::primitives::{Array, Binary, Symbol};
use fe2o3_amqp::types::sasl::{SaslCode, SaslInit, SaslOutcome, SaslResponse};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use tokio::net::TcpListener;
use tokio::sync::Notify;

use crate::live::Push;
use crate::server::Emulator;

/// How far a signed timestamp may be from the emulator's clock.
const TIMESTAMP_WINDOW_MS: i64 = 15 * 60 * 1000;

/// Who a connection authenticated as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Login {
    pub client_id: String,
    pub access_key_id: String,
    pub consumer_group: String,
    pub iot_instance_id: String,
}

/// A user name's `key=value` parameters, in order.
pub type UserParams = Vec<(String, String)>;

/// The parts of the platform's AMQP user name (its clientId and parameters), or why it is not
/// one.
pub fn parse_user_name(user: &str) -> Result<(String, UserParams), &'static str> {
    let mut parts = user.split('|');
    let client_id = parts
        .next()
        .filter(|c| !c.is_empty())
        .ok_or("no clientId")?;
    let params = parts.next().ok_or("no parameters")?;
    if parts.next() != Some("") || parts.next().is_some() {
        return Err("the user name must end with |");
    }
    let pairs = params
        .split(',')
        .map(|kv| {
            kv.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .ok_or("a parameter without =")
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((client_id.to_string(), pairs))
}

/// The password the platform expects for `access_key_id` at `timestamp`.
pub fn password(secret: &str, access_key_id: &str, timestamp: &str) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(format!("authId={access_key_id}&timestamp={timestamp}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Checks a SASL PLAIN login against the accounts, the consumer groups and the clock.
fn check_login(emu: &Emulator, user: &str, pass: &str) -> Option<Login> {
    let (client_id, pairs) = parse_user_name(user).ok()?;
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    if get("authMode") != Some("aksign") || get("signMethod") != Some("hmacsha1") {
        return None;
    }
    let timestamp = get("timestamp")?;
    let ms: i64 = timestamp.parse().ok()?;
    if (ms - emu.clock().now_ms()).abs() > TIMESTAMP_WINDOW_MS {
        return None;
    }
    let id = get("authId")?;
    let secret = emu.secret_of(id)?;
    if password(&secret, id, timestamp) != pass {
        return None;
    }
    let group = get("consumerGroupId")?;
    if !emu.world().consumer_groups().iter().any(|g| g == group) {
        return None;
    }
    Some(Login {
        client_id,
        access_key_id: id.into(),
        consumer_group: group.into(),
        iot_instance_id: get("iotInstanceId").unwrap_or("").into(),
    })
}

/// SASL PLAIN checked as the platform checks it; the login is left in `slot`.
#[derive(Clone)]
struct PlatformSasl {
    emu: Arc<Emulator>,
    slot: Arc<Mutex<Option<Login>>>,
}

impl std::fmt::Debug for PlatformSasl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PlatformSasl")
    }
}

impl SaslAcceptor for PlatformSasl {
    fn mechanisms(&self) -> Array<Symbol> {
        Array::from(vec![Symbol::from("PLAIN")])
    }

    fn on_init(&mut self, init: SaslInit) -> SaslServerFrame {
        let login = init.initial_response.and_then(|r| {
            let bytes = r.into_vec();
            let mut split = bytes.split(|b| *b == 0);
            let _authzid = split.next()?;
            let user = std::str::from_utf8(split.next()?).ok()?;
            let pass = std::str::from_utf8(split.next()?).ok()?;
            check_login(&self.emu, user, pass)
        });
        let code = if login.is_some() {
            SaslCode::Ok
        } else {
            SaslCode::Auth
        };
        *self.slot.lock().unwrap() = login;
        SaslServerFrame::Outcome(SaslOutcome {
            code,
            additional_data: None,
        })
    }

    fn on_response(&mut self, _response: SaslResponse) -> SaslServerFrame {
        SaslServerFrame::Outcome(SaslOutcome {
            code: SaslCode::Sys,
            additional_data: None,
        })
    }
}

/// A consumer group's stream: the messages not yet settled by one of its members.
#[derive(Default)]
struct Group {
    queue: Mutex<VecDeque<Push>>,
    ready: Notify,
}

/// The consumer groups that have connected, each fed from the world from its first member on,
/// and the connections' wires (which `/_emulator/amqp/cut` cuts).
#[derive(Default)]
pub struct Groups {
    groups: Mutex<HashMap<String, Arc<Group>>>,
    cuts: Arc<Notify>,
    open: Arc<AtomicUsize>,
}

impl Groups {
    /// Cuts every connection's TCP stream now, with no AMQP close (as a network fault would);
    /// how many there were.
    pub fn cut(&self) -> usize {
        let open = self.open.load(Ordering::SeqCst);
        self.cuts.notify_waiters();
        open
    }

    fn group(&self, emu: &Arc<Emulator>, name: &str) -> Arc<Group> {
        let mut all = self.groups.lock().unwrap();
        if let Some(g) = all.get(name) {
            return g.clone();
        }
        let g = Arc::new(Group::default());
        all.insert(name.into(), g.clone());
        // The group's feed: every message of the world from now on, kept until settled.
        let mut rx = emu.world().live().subscribe();
        let feed = g.clone();
        tokio::spawn(async move {
            loop {
                match rx.recv().await {
                    Ok(push) => {
                        feed.queue.lock().unwrap().push_back(push);
                        feed.ready.notify_waiters();
                        feed.ready.notify_one();
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                }
            }
        });
        g
    }
}

/// The platform's message: the JSON body as data, the topic, id and time as application
/// properties.
fn message(p: &Push) -> Message<Data> {
    let props = ApplicationProperties::builder()
        .insert("topic", p.topic.clone())
        .insert("messageId", p.message_id.clone())
        .insert("generateTime", p.generate_time)
        .build();
    Message::builder()
        .application_properties(props)
        .data(Binary::from(p.body.to_string().into_bytes()))
        .build()
}

/// Serves the subscription on `listener` until the process ends; prints nothing.
pub async fn serve(listener: TcpListener, emu: Arc<Emulator>) {
    // The lamps' reports, published while anyone listens (a report every `everyMs`).
    let ticker = emu.clone();
    tokio::spawn(async move {
        let mut last = ticker.clock().now_ms();
        loop {
            tokio::time::sleep(Duration::from_millis(10)).await;
            let now = ticker.clock().now_ms();
            if ticker.world().live().listening() {
                let due = ticker.world().reports_due(last, now);
                ticker.world().publish_reports(&due);
            }
            last = now;
        }
    });
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let emu = emu.clone();
        tokio::spawn(async move {
            let _ = connection(stream, emu).await;
        });
    }
}

/// Counts a connection while its wire is up.
struct Open(Arc<AtomicUsize>);

impl Drop for Open {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn connection(stream: tokio::net::TcpStream, emu: Arc<Emulator>) -> Result<(), String> {
    // The AMQP engine talks over a pipe whose other end is copied to the socket until the peer
    // leaves or the connection is cut: then the socket closes with no AMQP close frame.
    let (ours, theirs) = tokio::io::duplex(256 * 1024);
    let groups = emu.amqp_groups();
    let cuts = groups.cuts.clone();
    groups.open.fetch_add(1, Ordering::SeqCst);
    let open = Open(groups.open.clone());
    let (down, wire_down) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _open = open;
        let (mut stream, mut theirs) = (stream, theirs);
        tokio::select! {
            _ = tokio::io::copy_bidirectional(&mut stream, &mut theirs) => {}
            _ = cuts.notified() => {}
        }
        let _ = down.send(());
    });
    // What was sent and not settled when the wire went down goes back to the group.
    let in_flight: Mutex<Option<Push>> = Mutex::new(None);
    let group_slot: Mutex<Option<Arc<Group>>> = Mutex::new(None);
    let served = serve_link(ours, &emu, &in_flight, &group_slot);
    let end = tokio::select! {
        r = served => r,
        _ = wire_down => Err("the connection was cut".into()),
    };
    if let (Some(push), Some(group)) = (
        in_flight.lock().unwrap().take(),
        group_slot.lock().unwrap().clone(),
    ) {
        group.queue.lock().unwrap().push_front(push);
        group.ready.notify_one();
    }
    end
}

/// Opens the connection, session and link over `stream`, then pushes the group's messages.
async fn serve_link(
    stream: tokio::io::DuplexStream,
    emu: &Arc<Emulator>,
    in_flight: &Mutex<Option<Push>>,
    group_slot: &Mutex<Option<Arc<Group>>>,
) -> Result<(), String> {
    let slot = Arc::new(Mutex::new(None));
    let acceptor = ConnectionAcceptor::builder()
        .container_id("thingcall-emulator")
        .sasl_acceptor(PlatformSasl {
            emu: emu.clone(),
            slot: slot.clone(),
        })
        .build();
    let mut conn = acceptor.accept(stream).await.map_err(|e| e.to_string())?;
    let login = slot.lock().unwrap().clone().ok_or("no login")?;
    let mut session = SessionAcceptor::new()
        .accept(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    let link = LinkAcceptor::new()
        .accept(&mut session)
        .await
        .map_err(|e| e.to_string())?;
    let LinkEndpoint::Sender(mut sender) = link else {
        return Err("the consumer attached a sender: the subscription only pushes".into());
    };
    let group = emu.amqp_groups().group(emu, &login.consumer_group);
    *group_slot.lock().unwrap() = Some(group.clone());
    loop {
        let next = group.queue.lock().unwrap().pop_front();
        let Some(push) = next else {
            group.ready.notified().await;
            continue;
        };
        let m = message(&push);
        *in_flight.lock().unwrap() = Some(push);
        let outcome = sender.send(m).await;
        let push = in_flight.lock().unwrap().take().expect("in flight");
        match outcome {
            Ok(Outcome::Accepted(_)) | Ok(Outcome::Rejected(_)) => {}
            // Released, modified, or the link gone: the message goes back for the next member.
            Ok(_) => group.queue.lock().unwrap().push_front(push),
            Err(e) => {
                group.queue.lock().unwrap().push_front(push);
                group.ready.notify_one();
                return Err(e.to_string());
            }
        }
    }
}
