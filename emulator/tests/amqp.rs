//! The server-side subscription over AMQP 1.0, with fe2o3-amqp's client as a business server:
//! the platform's login (user name and signed password; a wrong key, an old timestamp and an
//! unknown consumer group refused), the messages of what the API did (a property set, a
//! service's event) with the platform's topics and bodies, and at-least-once delivery (a
//! message not settled before the connection ends comes again).

mod common;

use std::time::Duration;

use common::*;
use fe2o3_amqp::connection::ConnectionHandle;
use fe2o3_amqp::sasl_profile::SaslProfile;
use fe2o3_amqp::session::SessionHandle;
use fe2o3_amqp::types::messaging::{Body, Message};
use fe2o3_amqp::types::primitives::{Binary, SimpleValue};
use fe2o3_amqp::{Connection, Receiver, Session};
use serde_json::Value;

fn user(group: &str, timestamp: i64, id: &str) -> String {
    format!("thingcall-test|authMode=aksign,signMethod=hmacsha1,timestamp={timestamp},authId={id},iotInstanceId=,consumerGroupId={group}|")
}

fn now_ms() -> i64 {
    now_s() * 1000
}

async fn open(
    e: &Emu,
    group: &str,
    timestamp: i64,
    secret: &str,
) -> Result<ConnectionHandle<()>, String> {
    let password = thingcall_emulator::amqp::password(secret, ID, &timestamp.to_string());
    Connection::builder()
        .container_id("thingcall-test")
        .sasl_profile(SaslProfile::Plain {
            username: user(group, timestamp, ID),
            password,
        })
        .open(e.amqp.as_str())
        .await
        .map_err(|e| e.to_string())
}

/// A consumer of the `DEFAULT` group with its receiver link attached.
async fn subscribe(e: &Emu) -> (ConnectionHandle<()>, SessionHandle<()>, Receiver) {
    let mut conn = open(e, "DEFAULT", now_ms(), SECRET).await.expect("login");
    let mut session = Session::begin(&mut conn).await.unwrap();
    let r = Receiver::attach(&mut session, "receiver", "")
        .await
        .unwrap();
    (conn, session, r)
}

/// The next message: its topic and its JSON body.
async fn next(r: &mut Receiver, settle: bool) -> (String, Value) {
    let d = tokio::time::timeout(Duration::from_secs(5), r.recv::<Body<Value>>())
        .await
        .expect("a message within 5 s")
        .expect("received");
    let message: &Message<Body<Value>> = d.message();
    let topic = match message
        .application_properties
        .as_ref()
        .and_then(|p| p.0.get("topic"))
    {
        Some(SimpleValue::String(t)) => t.clone(),
        other => panic!("topic: {other:?}"),
    };
    let body = match &message.body {
        Body::Data(data) => {
            let bytes: &Binary = &data[0].0;
            serde_json::from_slice(bytes).expect("a JSON body")
        }
        other => panic!("body: {other:?}"),
    };
    if settle {
        r.accept(&d).await.unwrap();
    }
    (topic, body)
}

#[tokio::test]
async fn a_consumer_gets_what_the_api_did_with_the_platforms_topics() {
    let e = start().await;
    let (mut conn, mut session, mut r) = subscribe(&e).await;
    // Give the acceptor a moment to start the group's feed.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (st, b) = e
        .call(
            "SetDeviceProperty",
            &[
                ("ProductKey", PK),
                ("DeviceName", "lamp-02"),
                ("Items", r#"{"Brightness":42}"#),
            ],
        )
        .await;
    assert_eq!(st, 200, "{b}");
    let (topic, body) = next(&mut r, true).await;
    assert_eq!(topic, format!("/{PK}/lamp-02/thing/event/property/post"));
    assert_eq!(body["deviceName"], "lamp-02");
    assert_eq!(body["productKey"], PK);
    assert_eq!(body["items"]["Brightness"]["value"], 42);
    assert!(body["items"]["Brightness"]["time"].as_i64().unwrap() > 0);
    // A Blink raises the lamps' Blinked event.
    let (st, b) = e
        .call(
            "InvokeThingService",
            &[
                ("ProductKey", PK),
                ("DeviceName", "lamp-03"),
                ("Identifier", "Blink"),
                ("Args", r#"{"times":2}"#),
            ],
        )
        .await;
    assert_eq!(st, 200, "{b}");
    let (topic, body) = next(&mut r, true).await;
    assert_eq!(topic, format!("/{PK}/lamp-03/thing/event/Blinked/post"));
    assert_eq!(body["identifier"], "Blinked");
    assert_eq!(body["type"], "info");
    assert_eq!(body["value"]["times"], 2);
    // Blink is asynchronous: the device's reply comes under the call's MessageId.
    let (topic, body) = next(&mut r, true).await;
    assert_eq!(topic, format!("/{PK}/lamp-03/thing/downlink/reply/message"));
    assert_eq!(body["requestId"], b["Data"]["MessageId"]);
    assert_eq!(body["code"], 200);
    assert_eq!(
        body["topic"],
        format!("/sys/{PK}/lamp-03/thing/service/Blink")
    );
    assert_eq!(body["deviceName"], "lamp-03");
    r.close().await.unwrap();
    session.end().await.unwrap();
    conn.close().await.unwrap();
}

#[tokio::test]
async fn a_message_not_settled_comes_again_after_a_reconnect() {
    let e = start().await;
    let (conn, session, mut r) = subscribe(&e).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    e.call(
        "SetDeviceProperty",
        &[
            ("ProductKey", PK),
            ("DeviceName", "lamp-04"),
            ("Items", r#"{"Brightness":7}"#),
        ],
    )
    .await;
    let (_, first) = next(&mut r, false).await;
    assert_eq!(first["items"]["Brightness"]["value"], 7);
    // Gone without settling it.
    drop(r);
    drop(session);
    drop(conn);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (mut conn, _session, mut r) = subscribe(&e).await;
    let (_, again) = next(&mut r, true).await;
    assert_eq!(again, first, "the same message, pushed again");
    conn.close().await.unwrap();
}

#[tokio::test]
async fn a_cut_connection_gets_what_it_had_not_settled_again() {
    let e = start().await;
    let (_conn, _session, mut r) = subscribe(&e).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    e.call(
        "SetDeviceProperty",
        &[
            ("ProductKey", PK),
            ("DeviceName", "lamp-05"),
            ("Items", r#"{"Brightness":9}"#),
        ],
    )
    .await;
    let (_, first) = next(&mut r, false).await;
    let cut = e.control("amqp/cut", serde_json::json!({})).await;
    assert_eq!(cut["cut"], 1, "{cut}");
    // The socket is gone: the old link gets nothing more.
    let gone = tokio::time::timeout(Duration::from_secs(5), r.recv::<Body<Value>>()).await;
    assert!(
        matches!(gone, Ok(Err(_))),
        "the cut link ends with an error"
    );
    // Pushed again, among the lamps' reports made since.
    let (mut conn, _session, mut r) = subscribe(&e).await;
    loop {
        let (_, again) = next(&mut r, true).await;
        if again["deviceName"] == "lamp-05" {
            assert_eq!(again, first, "the same message, pushed again");
            break;
        }
    }
    conn.close().await.unwrap();
}

#[tokio::test]
async fn a_device_that_connects_or_disconnects_pushes_its_status() {
    let e = start().await;
    let (mut conn, _session, mut r) = subscribe(&e).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let presence = |online: bool| serde_json::json!({ "productKey": PK, "deviceName": "lamp-02", "online": online });
    let off = e.control("presence", presence(false)).await;
    assert_eq!(off["changed"], true, "{off}");
    let (topic, body) = next(&mut r, true).await;
    assert_eq!(topic, format!("/as/mqtt/status/{PK}/lamp-02"));
    assert_eq!(body["status"], "offline");
    assert!(body["utcTime"].as_str().unwrap().ends_with('Z'), "{body}");
    // Unchanged: nothing pushed; then back online.
    assert_eq!(
        e.control("presence", presence(false)).await["changed"],
        false
    );
    e.control("presence", presence(true)).await;
    let (_, body) = next(&mut r, true).await;
    assert_eq!(body["status"], "online");
    // An offline device answers the API as the platform does.
    e.control("presence", presence(false)).await;
    let (_, b) = e
        .call(
            "InvokeThingService",
            &[
                ("ProductKey", PK),
                ("DeviceName", "lamp-02"),
                ("Identifier", "Blink"),
                ("Args", r#"{"times":1}"#),
            ],
        )
        .await;
    assert_eq!(code(&b), "iot.messagebroker.OFFLINE", "{b}");
    conn.close().await.unwrap();
}

#[tokio::test]
async fn wrong_logins_are_refused() {
    let e = start().await;
    assert!(
        open(&e, "DEFAULT", now_ms(), "not-the-secret")
            .await
            .is_err(),
        "a wrong password"
    );
    assert!(
        open(&e, "DEFAULT", now_ms() - 20 * 60 * 1000, SECRET)
            .await
            .is_err(),
        "an old timestamp"
    );
    assert!(
        open(&e, "NO-SUCH-GROUP", now_ms(), SECRET).await.is_err(),
        "an unknown group"
    );
    assert!(
        open(&e, "DEFAULT", now_ms(), SECRET).await.is_ok(),
        "the right one"
    );
}

#[test]
fn the_user_name_is_read_as_the_platform_writes_it() {
    let (client, pairs) =
        thingcall_emulator::amqp::parse_user_name(&user("DEFAULT", 1, "k")).unwrap();
    assert_eq!(client, "thingcall-test");
    assert!(pairs.contains(&("consumerGroupId".into(), "DEFAULT".into())));
    assert!(thingcall_emulator::amqp::parse_user_name("x|a=b").is_err());
    assert!(thingcall_emulator::amqp::parse_user_name("|a=b|").is_err());
}

#[tokio::test]
async fn reported_values_are_pushed_as_the_device_reports_them() {
    let mut c = thingcall_emulator::Config::default_fixture();
    for p in &mut c.products[0].properties {
        if let Some(r) = &mut p.report {
            r.every_ms = 300;
        }
    }
    let e = start_with(c).await;
    let (mut conn, _session, mut r) = subscribe(&e).await;
    let (topic, body) = next(&mut r, true).await;
    assert!(topic.ends_with("/thing/event/property/post"), "{topic}");
    let t = &body["items"]["Temperature"];
    assert!(t["value"].as_f64().is_some(), "{body}");
    assert_eq!(t["time"].as_i64().unwrap() % 300, 0, "at a report time");
    // Reports keep coming while it closes: the close may race them, which is not the test.
    let _ = conn.close().await;
}
