//! What the platform pushes to a server-side subscription: a message per property report,
//! event and status change, with the platform's topics and JSON bodies. The world publishes
//! them here as its devices change; `amqp` delivers them to consumer groups.

use serde_json::{json, Value};
use tokio::sync::broadcast;

/// One message of the subscription.
#[derive(Clone, Debug)]
pub struct Push {
    /// The device's product (a consumer sees the products of its account: all, here).
    pub product_key: String,
    /// The platform's topic, e.g. `/{productKey}/{deviceName}/thing/event/property/post`.
    pub topic: String,
    /// The message's id (digits, as the platform's).
    pub message_id: String,
    /// When the platform made it, Unix ms.
    pub generate_time: i64,
    /// The JSON body.
    pub body: Value,
}

/// The world's outlet: a broadcast channel (a consumer that falls behind by more than its
/// capacity loses the oldest, as the platform's queue would drop for a stalled group).
pub struct Live {
    tx: broadcast::Sender<Push>,
}

impl Default for Live {
    fn default() -> Self {
        Self {
            tx: broadcast::channel(65_536).0,
        }
    }
}

/// A device as a message names it.
pub struct DeviceRef<'a> {
    pub product_key: &'a str,
    pub device_name: &'a str,
    pub iot_id: &'a str,
}

impl Live {
    /// Whether anyone receives (a consumer group has connected).
    pub fn listening(&self) -> bool {
        self.tx.receiver_count() > 0
    }

    /// A receiver of every message from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Push> {
        self.tx.subscribe()
    }

    fn publish(&self, d: &DeviceRef<'_>, topic: String, message_id: String, t: i64, body: Value) {
        // No receiver: nobody subscribed, nothing to keep.
        let _ = self.tx.send(Push {
            product_key: d.product_key.into(),
            topic,
            message_id,
            generate_time: t,
            body,
        });
    }

    /// A property report: `items` `{ identifier: { value, time } }`.
    pub fn property_post(&self, d: &DeviceRef<'_>, items: &[(&str, &Value)], t: i64, id: String) {
        let items: serde_json::Map<String, Value> = items
            .iter()
            .map(|(k, v)| ((*k).to_string(), json!({ "value": v, "time": t })))
            .collect();
        let body = json!({
            "deviceType": "CustomCategory",
            "iotId": d.iot_id,
            "requestId": id,
            "checkFailedData": {},
            "productKey": d.product_key,
            "gmtCreate": t,
            "deviceName": d.device_name,
            "items": items,
        });
        let topic = format!(
            "/{}/{}/thing/event/property/post",
            d.product_key, d.device_name
        );
        self.publish(d, topic, id, t, body);
    }

    /// An event the device raised.
    #[allow(clippy::too_many_arguments)]
    pub fn event_post(
        &self,
        d: &DeviceRef<'_>,
        identifier: &str,
        name: &str,
        kind: &str,
        output: &Value,
        t: i64,
        id: String,
    ) {
        let body = json!({
            "identifier": identifier,
            "name": name,
            "type": kind,
            "iotId": d.iot_id,
            "requestId": id,
            "productKey": d.product_key,
            "deviceName": d.device_name,
            "time": t,
            "value": output,
        });
        let topic = format!(
            "/{}/{}/thing/event/{identifier}/post",
            d.product_key, d.device_name
        );
        self.publish(d, topic, id, t, body);
    }

    /// The reply of an asynchronous service call (the device's answer to the platform's
    /// downlink): its request id (the call's `MessageId`), code and data.
    #[allow(clippy::too_many_arguments)]
    pub fn downlink_reply(
        &self,
        d: &DeviceRef<'_>,
        request_id: &str,
        service: &str,
        code: u16,
        data: &Value,
        t: i64,
        id: String,
    ) {
        let body = json!({
            "gmtCreate": t,
            "iotId": d.iot_id,
            "productKey": d.product_key,
            "deviceName": d.device_name,
            "requestId": request_id,
            "code": code,
            "message": if code == 200 { "success" } else { "failed" },
            "topic": format!("/sys/{}/{}/thing/service/{service}", d.product_key, d.device_name),
            "data": data,
        });
        let topic = format!(
            "/{}/{}/thing/downlink/reply/message",
            d.product_key, d.device_name
        );
        self.publish(d, topic, id, t, body);
    }

    /// A device's connection state changed.
    pub fn status(&self, d: &DeviceRef<'_>, online: bool, t: i64, id: String) {
        let body = json!({
            "status": if online { "online" } else { "offline" },
            "iotId": d.iot_id,
            "productKey": d.product_key,
            "deviceName": d.device_name,
            "time": crate::clock::format_iso(t),
            "utcTime": crate::clock::format_iso(t),
            "lastTime": crate::clock::format_iso(t),
            "utcLastTime": crate::clock::format_iso(t),
            "clientIp": "127.0.0.1",
        });
        let topic = format!("/as/mqtt/status/{}/{}", d.product_key, d.device_name);
        self.publish(d, topic, id, t, body);
    }
}
