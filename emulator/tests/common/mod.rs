//! Shared by the emulator's HTTP tests: an emulator on a free port, requests signed with
//! thingcall's core (the emulator verifies them with its own code), and its test control.
#![allow(dead_code)]

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;
use thingcall::core::{sign_request, CommonParams, Credentials, HttpMethod, Nonce, Timestamp};
use thingcall_emulator::{Config, Emulator, StaticDirs};

pub const ID: &str = "thingcall-demo";
pub const SECRET: &str = "thingcall-demo-secret";
pub const PK: &str = "a1LampDemo0";

pub struct Emu {
    pub base: String,
    pub http: reqwest::Client,
    /// `amqp://127.0.0.1:PORT` of its server-side subscription.
    pub amqp: String,
}

pub async fn start() -> Emu {
    start_with(Config::default_fixture()).await
}

pub async fn start_with(config: Config) -> Emu {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let emu = Emulator::new(config, StaticDirs::default());
    let amqp_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let amqp = format!("amqp://{}", amqp_listener.local_addr().unwrap());
    tokio::spawn(thingcall_emulator::amqp::serve(amqp_listener, emu.clone()));
    tokio::spawn(thingcall_emulator::serve(
        listener,
        emu,
        std::future::pending(),
    ));
    Emu {
        base,
        http: reqwest::Client::new(),
        amqp,
    }
}

pub fn now_s() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

pub fn nonce() -> Nonce {
    Nonce::from_random_bytes(std::array::from_fn(|_| fastrand::u8(..)))
}

/// The wire form of a signed request: usable as a query or a form body.
pub fn sign(
    method: HttpMethod,
    creds: &Credentials,
    action: &str,
    params: &[(&str, &str)],
    ts: i64,
    nonce: &Nonce,
) -> String {
    let common = CommonParams {
        action,
        credentials: creds,
        region_id: None,
        nonce,
        timestamp: Timestamp::from_unix_seconds(ts),
    };
    let s = sign_request(method, &common, params, &creds.signing_key()).unwrap();
    s.canonical.with_signature(&s.signature)
}

/// A `QueryProductList` (the simplest action) signed with the demo key at `ts` with `nonce`.
pub fn list_request(ts: i64, nonce: &Nonce) -> String {
    sign(
        HttpMethod::Post,
        &demo(),
        "QueryProductList",
        &[],
        ts,
        nonce,
    )
}

pub fn demo() -> Credentials {
    Credentials::new(ID, SECRET, None).unwrap()
}

impl Emu {
    pub async fn send_raw(&self, method: HttpMethod, wire: &str) -> (u16, Value) {
        let r = match method {
            HttpMethod::Get => self
                .http
                .get(format!("{}/?{wire}", self.base))
                .send()
                .await
                .unwrap(),
            HttpMethod::Post => self
                .http
                .post(format!("{}/", self.base))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(wire.to_string())
                .send()
                .await
                .unwrap(),
        };
        let status = r.status().as_u16();
        (status, r.json().await.unwrap())
    }

    pub async fn call_as(
        &self,
        method: HttpMethod,
        creds: &Credentials,
        action: &str,
        params: &[(&str, &str)],
    ) -> (u16, Value) {
        let wire = sign(method, creds, action, params, now_s(), &nonce());
        self.send_raw(method, &wire).await
    }

    /// The `IotId` of the lamp `dn`, as `QueryDeviceDetail` gives it.
    pub async fn iot_id(&self, dn: &str) -> String {
        let (_, d) = self
            .call(
                "QueryDeviceDetail",
                &[("ProductKey", PK), ("DeviceName", dn)],
            )
            .await;
        d["Data"]["IotId"].as_str().unwrap().to_string()
    }

    pub async fn call(&self, action: &str, params: &[(&str, &str)]) -> (u16, Value) {
        self.call_as(HttpMethod::Post, &demo(), action, params)
            .await
    }

    pub async fn control(&self, path: &str, body: Value) -> Value {
        let r = self
            .http
            .post(format!("{}/_emulator/{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        r.json().await.unwrap()
    }

    pub async fn get_json(&self, path: &str) -> Value {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        r.json().await.unwrap()
    }

    pub async fn log(&self) -> Vec<Value> {
        self.get_json("/_emulator/log")
            .await
            .as_array()
            .unwrap()
            .clone()
    }
}

pub fn code(v: &Value) -> &str {
    v["Code"].as_str().unwrap_or("")
}
