//! HTTP: the RPC endpoint at `/` (GET query, POST form body, or both), CORS, static files
//! (`www/` at `/`, `pkg/` at `/pkg/`), and the loopback-only test control under `/_emulator/`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use axum::Router;
use serde_json::{json, Map, Value};
use tower::ServiceExt as _;
use tower_http::services::ServeDir;

use crate::auth::{decode_form, param, Auth, Params};
use crate::clock::{format_http, format_iso, Clock};
use crate::config::{Config, Cors};
use crate::error::ApiError;
use crate::policy::{self, Policy};
use crate::world::{Faults, Reply, World};

/// The API version of the IoT actions.
pub const IOT_VERSION: &str = "2018-01-20";

/// The IoT actions the emulator implements (besides `AssumeRole`).
pub const IOT_ACTIONS: &[&str] = &[
    "InvokeThingService",
    "InvokeThingsService",
    "SetDeviceProperty",
    "SetDevicesProperty",
    "QueryDevicePropertyStatus",
    "QueryDeviceDetail",
    "QueryThingModel",
    "QueryProductList",
    "QueryDevice",
];

/// Where static files come from.
#[derive(Clone, Debug)]
pub struct StaticDirs {
    /// Served at `/`.
    pub www: PathBuf,
    /// Served at `/pkg/`.
    pub pkg: PathBuf,
}

impl Default for StaticDirs {
    fn default() -> Self {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        Self {
            www: root.join("www"),
            pkg: root.join("pkg"),
        }
    }
}

/// The emulator's whole state.
pub struct Emulator {
    world: World,
    /// API requests received (any answer), for tests that prove nothing was sent.
    requests: std::sync::atomic::AtomicU64,
    auth: Mutex<Auth>,
    clock: Clock,
    dirs: StaticDirs,
}

impl Emulator {
    /// An emulator of `config`, serving `dirs`.
    pub fn new(config: Config, dirs: StaticDirs) -> Arc<Self> {
        let clock = Clock::default();
        let auth = Auth::new(
            config
                .accounts
                .iter()
                .map(|a| (a.access_key_id.clone(), a.access_key_secret.clone())),
        );
        Arc::new(Self {
            world: World::new(config, clock.now_ms()),
            requests: Default::default(),
            auth: Mutex::new(auth),
            clock,
            dirs,
        })
    }
}

/// The HTTP application.
pub fn router(emu: Arc<Emulator>) -> Router {
    Router::new().fallback(handle).with_state(emu)
}

fn json_response(status: u16, body: &Value, emu: &Emulator) -> Response {
    let mut r = Response::new(Body::from(body.to_string()));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=utf-8"),
    );
    cors(h, emu);
    if let Ok(v) = HeaderValue::from_str(&format_http(emu.clock.now_ms())) {
        h.insert(header::DATE, v);
    }
    r
}

fn cors(h: &mut HeaderMap, emu: &Emulator) {
    if emu.world.config().cors == Cors::Off {
        return;
    }
    if let Ok(v) = HeaderValue::from_str(&emu.world.config().allow_origin) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
    }
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("Date"),
    );
}

fn request_id() -> String {
    uuid::Uuid::new_v4().to_string().to_uppercase()
}

fn error_response(e: &ApiError, emu: &Emulator) -> Response {
    let body = if e.business {
        json!({ "RequestId": request_id(), "Success": false, "Code": e.code, "ErrorMessage": e.message })
    } else {
        json!({ "RequestId": request_id(), "HostId": "iot.local.emulator", "Code": e.code, "Message": e.message, "Recommend": "" })
    };
    json_response(e.status, &body, emu)
}

async fn handle(
    State(emu): State<Arc<Emulator>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
) -> Response {
    let path = req.uri().path().to_string();
    let method = req.method().clone();
    if method == Method::OPTIONS {
        return preflight(&emu, req.headers());
    }
    if let Some(rest) = path.strip_prefix("/_emulator/") {
        if !peer.ip().is_loopback() {
            return json_response(
                403,
                &json!({ "error": "test control is loopback-only" }),
                &emu,
            );
        }
        let rest = rest.to_string();
        let body = axum::body::to_bytes(req.into_body(), 1 << 20)
            .await
            .unwrap_or_default();
        return control(&emu, &method, &rest, &body);
    }
    let query = req.uri().query().unwrap_or("").to_string();
    let is_api = path == "/"
        && (method == Method::POST || query.split('&').any(|p| p.starts_with("Action=")));
    if is_api {
        emu.requests
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let body = match axum::body::to_bytes(req.into_body(), 4 << 20).await {
            Ok(b) => b,
            Err(_) => {
                return error_response(
                    &ApiError::gateway(400, "InvalidParameter", "The request body is too large."),
                    &emu,
                )
            }
        };
        return api(&emu, method.as_str(), &query, &body).await;
    }
    if method != Method::GET && method != Method::HEAD {
        return json_response(405, &json!({ "error": "method not allowed" }), &emu);
    }
    let (dir, req) = match path.strip_prefix("/pkg") {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => {
            let mut req = req;
            let uri = format!(
                "{}{}",
                if rest.is_empty() { "/" } else { rest },
                req.uri()
                    .query()
                    .map(|q| format!("?{q}"))
                    .unwrap_or_default()
            );
            *req.uri_mut() = uri.parse().unwrap_or_default();
            (&emu.dirs.pkg, req)
        }
        _ => (&emu.dirs.www, req),
    };
    match ServeDir::new(dir).oneshot(req).await {
        Ok(r) => {
            let mut r = r.map(Body::new);
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            r
        }
        Err(_) => json_response(500, &json!({ "error": "static file error" }), &emu),
    }
}

fn preflight(emu: &Emulator, headers: &HeaderMap) -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::NO_CONTENT;
    if emu.world.config().cors == Cors::Off {
        // Answered, but with no grant: the browser refuses the request that would follow.
        return r;
    }
    let h = r.headers_mut();
    cors(h, emu);
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, OPTIONS"),
    );
    if let Some(v) = headers.get(header::ACCESS_CONTROL_REQUEST_HEADERS) {
        h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, v.clone());
    }
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    r
}

async fn api(emu: &Emulator, method: &str, query: &str, body: &Bytes) -> Response {
    let mut params = Params::new();
    decode_form(query, &mut params);
    if method == "POST" {
        decode_form(&String::from_utf8_lossy(body), &mut params);
    }
    match run(emu, method, &params).await {
        Ok(_) if emu.world.drop_fault() => {
            // The action ran; then the connection breaks before the answer's body.
            let stream = futures_util::stream::once(async {
                Err::<Bytes, std::io::Error>(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "dropped",
                ))
            });
            let mut r = Response::new(Body::from_stream(stream));
            cors(r.headers_mut(), emu);
            r
        }
        Ok(members) => {
            let action = param(&params, "Action").unwrap_or_default();
            let mut body = Map::new();
            body.insert("RequestId".into(), json!(request_id()));
            if action == "AssumeRole" {
                body.extend(members);
            } else {
                body.insert("Success".into(), json!(true));
                if !members.is_empty() {
                    body.insert("Data".into(), Value::Object(members));
                }
            }
            json_response(200, &Value::Object(body), emu)
        }
        Err(e) => error_response(&e, emu),
    }
}

async fn run(emu: &Emulator, method: &str, params: &Params) -> Result<Reply, ApiError> {
    let (latency, fault) = emu.world.gateway_fault();
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    if let Some(e) = fault {
        return Err(e);
    }
    let action = match param(params, "Action") {
        Some(a) if !a.is_empty() => a.to_string(),
        _ => return Err(ApiError::missing("Action")),
    };
    let principal = emu
        .auth
        .lock()
        .unwrap()
        .authenticate(method, params, &emu.clock)?;
    if emu.world.nonce_fault() {
        return Err(ApiError::gateway(
            400,
            "SignatureNonceUsed",
            "Specified signature nonce was used already.",
        ));
    }
    let now = emu.clock.now_ms();
    if action == "AssumeRole" {
        if principal.temporary {
            return Err(ApiError::gateway(
                403,
                "NoPermission",
                "Temporary credentials cannot assume a role here.",
            ));
        }
        let duration = match param(params, "DurationSeconds") {
            None | Some("") => 3600,
            Some(s) => match s.parse::<i64>() {
                Ok(d) if (900..=3600).contains(&d) => d,
                _ => {
                    return Err(ApiError::gateway(
                        400,
                        "InvalidParameter.DurationSeconds",
                        "DurationSeconds must be between 900 and 3600.",
                    ))
                }
            },
        };
        let policy = match param(params, "Policy") {
            None => None,
            Some(text) => Some(Policy::parse(text)?),
        };
        let (id, c) = emu.auth.lock().unwrap().assume_role(now, duration, policy);
        let session = param(params, "RoleSessionName").unwrap_or("thingcall");
        let mut m = Map::new();
        m.insert("AssumedRoleUser".into(), json!({ "Arn": format!("acs:ram::local:role/thingcall-demo/{session}"), "AssumedRoleId": format!("local:{session}") }));
        m.insert(
            "Credentials".into(),
            json!({
                "AccessKeyId": id, "AccessKeySecret": c.secret, "SecurityToken": c.token,
                "Expiration": format_iso(c.expires_at_ms),
            }),
        );
        return Ok(m);
    }
    if param(params, "Version") != Some(IOT_VERSION) {
        return Err(ApiError::gateway(
            400,
            "InvalidVersion",
            &format!("Specified parameter Version is not valid: use {IOT_VERSION}."),
        ));
    }
    if !IOT_ACTIONS.contains(&action.as_str()) {
        return Err(ApiError::gateway(
            404,
            "InvalidAction.NotFound",
            &format!("Specified api {action} is not found, please check your url and method."),
        ));
    }
    if let Some(policy) = &principal.policy {
        let product = emu.world.product_key_of(params);
        if !policy.allows(
            &format!("iot:{action}"),
            &policy::resource(product.as_deref()),
        ) {
            return Err(policy::denied(&action));
        }
    }
    emu.world.admit(&action, now)?;
    let w = &emu.world;
    match action.as_str() {
        "InvokeThingService" => w.invoke_thing_service(params, || emu.clock.now_ms()).await,
        "InvokeThingsService" => w.invoke_things_service(params, now),
        "SetDeviceProperty" => w.set_device_property(params, now),
        "SetDevicesProperty" => w.set_devices_property(params, now),
        "QueryDevicePropertyStatus" => w.query_device_property_status(params),
        "QueryDeviceDetail" => w.query_device_detail(params),
        "QueryThingModel" => w.query_thing_model(params),
        "QueryProductList" => w.query_product_list(),
        "QueryDevice" => w.query_device(params),
        other => unreachable!("{other} is in IOT_ACTIONS without a handler"),
    }
}

fn control(emu: &Emulator, method: &Method, what: &str, body: &[u8]) -> Response {
    let bad = |m: String| json_response(400, &json!({ "error": m }), emu);
    match (method.as_str(), what) {
        ("GET", "faults") => json_response(200, &json!(emu.world.faults()), emu),
        ("POST", "faults") => {
            match serde_json::from_slice::<Faults>(if body.is_empty() { b"{}" } else { body }) {
                Ok(f) => {
                    emu.world.set_faults(f);
                    json_response(200, &json!(emu.world.faults()), emu)
                }
                Err(e) => bad(format!("faults: {e}")),
            }
        }
        ("GET", "log") => json_response(200, &json!(emu.world.log()), emu),
        ("POST", "reset") => {
            emu.clock.set_offset_ms(0);
            emu.auth.lock().unwrap().reset();
            emu.world.reset(emu.clock.now_ms());
            json_response(200, &json!({ "reset": true }), emu)
        }
        ("GET", "clock") => json_response(
            200,
            &json!({ "offsetMs": emu.clock.offset_ms(), "now": format_iso(emu.clock.now_ms()) }),
            emu,
        ),
        ("POST", "clock") => match serde_json::from_slice::<Value>(body)
            .ok()
            .and_then(|v| v.get("offsetMs").and_then(Value::as_i64))
        {
            Some(ms) => {
                emu.clock.set_offset_ms(ms);
                json_response(
                    200,
                    &json!({ "offsetMs": ms, "now": format_iso(emu.clock.now_ms()) }),
                    emu,
                )
            }
            None => bad("clock: expected {\"offsetMs\": <integer>}".into()),
        },
        ("GET", "stats") => json_response(
            200,
            &json!({
                "nonces": emu.auth.lock().unwrap().nonce_count(),
                "log": emu.world.log().len(),
                "requests": emu.requests.load(std::sync::atomic::Ordering::Relaxed),
            }),
            emu,
        ),
        _ => json_response(
            404,
            &json!({ "error": format!("no control endpoint {method} /_emulator/{what}") }),
            emu,
        ),
    }
}
