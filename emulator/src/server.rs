//! HTTP: the RPC endpoint at `/` (GET query, POST form body, or both), CORS, static files
//! (`www/` at `/`, `pkg/` at `/pkg/`), and the loopback-only test control under `/_emulator/`,
//! on axum and tower-http (`CorsLayer`, `ServeDir`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Map, Value};
use tower::ServiceExt as _;
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::auth::{decode_form, hmac_b64, param, server_string_to_sign, Auth, Params};
use crate::clock::{format_http, format_iso, Clock};
use crate::config::{Config, Cors};
use crate::error::ApiError;
use crate::gateway::{Faults, Gateway};
use crate::policy::{self, Policy};
use crate::world::{Reply, World};

/// The API version of the IoT actions.
pub const IOT_VERSION: &str = "2018-01-20";

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
    gateway: Gateway,
    /// API requests received (any answer), for tests that prove nothing was sent.
    requests: AtomicU64,
    auth: Mutex<Auth>,
    clock: Clock,
    dirs: StaticDirs,
    jobs: crate::jobs::Jobs,
    /// The server-side subscription's consumer groups.
    amqp: crate::amqp::Groups,
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
            gateway: Gateway::new(config.qps_limits.clone()),
            world: World::new(config, clock.now_ms()),
            requests: Default::default(),
            auth: Mutex::new(auth),
            clock,
            dirs,
            jobs: Default::default(),
            amqp: Default::default(),
        })
    }

    /// The device world.
    pub fn world(&self) -> &World {
        &self.world
    }

    /// The emulator's clock.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The secret of a long-lived key.
    pub fn secret_of(&self, access_key_id: &str) -> Option<String> {
        self.auth.lock().unwrap().account_secret(access_key_id)
    }

    pub(crate) fn amqp_groups(&self) -> &crate::amqp::Groups {
        &self.amqp
    }
}

/// The longest request target (path and query) the gateway reads, in bytes: a longer URL is
/// refused before anything else, as the platform's gateway refuses one (thingcall refuses to
/// send one: the client's `MAX_GET_URL`).
pub const MAX_URL: usize = 8192;

/// The largest form body read, in bytes (the platform documents none; this is the emulator's).
pub const MAX_BODY: usize = 4 << 20;

/// The HTTP application: the API at `/`, the test control under `/_emulator/`, `pkg/` at
/// `/pkg/` and `www/` for everything else, with CORS (when on) from tower-http's `CorsLayer`.
pub fn router(emu: Arc<Emulator>) -> Router {
    let no_cache = SetResponseHeaderLayer::overriding(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache"),
    );
    let control = Router::new()
        .route("/faults", get(get_faults).post(set_faults))
        .route("/log", get(get_log))
        .route("/reset", post(reset))
        .route("/clock", get(get_clock).post(set_clock))
        .route("/stats", get(stats))
        .route("/verify", post(verify))
        .route("/presence", post(set_presence))
        .route("/amqp/cut", post(cut_amqp))
        .fallback(no_control)
        .route_layer(middleware::from_fn(loopback_only))
        .layer(DefaultBodyLimit::max(64 << 20));
    let cors = cors_layer(emu.world.config());
    let app = Router::new()
        .route("/", get(root_get).post(api_post).options(no_grant))
        .nest("/_emulator", control)
        .nest_service("/pkg", ServeDir::new(&emu.dirs.pkg))
        .fallback_service(ServeDir::new(&emu.dirs.www))
        .layer(no_cache)
        .with_state(emu);
    match cors {
        Some(layer) => app.layer(layer),
        None => app,
    }
}

/// With CORS on: preflights answered for `GET, POST, OPTIONS` and whatever headers were asked
/// for, `Access-Control-Allow-Origin` and `Expose-Headers: Date, x-acs-retry-after` on every
/// answer. Off: none.
fn cors_layer(config: &Config) -> Option<CorsLayer> {
    if config.cors == Cors::Off {
        return None;
    }
    let origin = match config.allow_origin.as_str() {
        "*" => AllowOrigin::any(),
        o => {
            AllowOrigin::exact(HeaderValue::from_str(o).unwrap_or(HeaderValue::from_static("null")))
        }
    };
    Some(
        CorsLayer::new()
            .allow_origin(origin)
            .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
            .allow_headers(AllowHeaders::mirror_request())
            .expose_headers([header::DATE, HeaderName::from_static("x-acs-retry-after")])
            .max_age(Duration::from_secs(600)),
    )
}

fn json_response(status: u16, body: &Value, emu: &Emulator) -> Response {
    let mut r = Response::new(Body::from(body.to_string()));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=utf-8"),
    );
    // The emulator's clock (offset included), so clock-skew tests see it in `Date`.
    if let Ok(v) = HeaderValue::from_str(&format_http(emu.clock.now_ms())) {
        h.insert(header::DATE, v);
    }
    r
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
    let mut r = json_response(e.status, &body, emu);
    // The platform's own back-off for a throttled call, when the faults set one.
    if let (true, Some(ms)) = (
        e.code.starts_with("Throttling"),
        emu.gateway.retry_after_ms(),
    ) {
        r.headers_mut()
            .insert("x-acs-retry-after", HeaderValue::from(ms));
    }
    r
}

/// `GET /`: an API call when the query names an `Action` (or the request names one in
/// `x-acs-action`, signature V3), the demo page otherwise.
async fn root_get(State(emu): State<Arc<Emulator>>, req: Request) -> Response {
    let query = req.uri().query().unwrap_or("");
    if form_urlencoded::parse(query.as_bytes()).any(|(k, _)| k == "Action")
        || req.headers().contains_key("x-acs-action")
    {
        return api(&emu, req).await;
    }
    match ServeDir::new(&emu.dirs.www).oneshot(req).await {
        Ok(r) => r.map(Body::new),
        Err(e) => match e {},
    }
}

/// `POST /`: always an API call.
async fn api_post(State(emu): State<Arc<Emulator>>, req: Request) -> Response {
    api(&emu, req).await
}

/// `OPTIONS /` with CORS off: answered, but with no grant, so the browser refuses the
/// request that would follow. (With CORS on, the `CorsLayer` answers preflights itself.)
async fn no_grant() -> StatusCode {
    StatusCode::NO_CONTENT
}

/// Whether a POST's `Content-Type` is a form (`application/x-www-form-urlencoded`, any
/// parameters such as `charset` after it).
fn is_form(headers: &HeaderMap) -> Option<bool> {
    let v = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let essence = v.split(';').next().unwrap_or("").trim();
    Some(essence.eq_ignore_ascii_case("application/x-www-form-urlencoded"))
}

/// The request as the gateway reads it: URL length, parameters of the query and the form body
/// (with their content type), each an error of the platform's when it is wrong.
async fn read_params(req: Request) -> Result<(Method, Params, Option<V3Parts>), ApiError> {
    let (parts, body) = req.into_parts();
    let mut v3 = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.starts_with("ACS3-"))
        .map(|authorization| V3Parts {
            authorization: authorization.to_string(),
            query: parts.uri.query().unwrap_or("").to_string(),
            headers: parts
                .headers
                .iter()
                .filter_map(|(n, v)| Some((n.as_str().to_string(), v.to_str().ok()?.to_string())))
                .collect(),
            body: Bytes::new(),
        });
    let target = parts.uri.path_and_query().map_or(0, |p| p.as_str().len());
    if target > MAX_URL {
        return Err(ApiError::gateway(
            414,
            "InvalidParameter",
            &format!("The request URL is longer than {MAX_URL} bytes: send the parameters in a POST form body."),
        ));
    }
    let mut params = Params::new();
    decode_form(parts.uri.query().unwrap_or("").as_bytes(), &mut params)?;
    if parts.method == Method::POST {
        let body = axum::body::to_bytes(body, MAX_BODY).await.map_err(|_| {
            ApiError::gateway(
                413,
                "InvalidParameter",
                &format!("The request body is larger than {MAX_BODY} bytes."),
            )
        })?;
        if let Some(v3) = v3.as_mut() {
            v3.body = body.clone();
        }
        if !body.is_empty() {
            match is_form(&parts.headers) {
                Some(true) => decode_form(&body, &mut params)?,
                found => {
                    let found = match found {
                        None => "none".to_string(),
                        Some(_) => format!("{:?}", parts.headers[header::CONTENT_TYPE]),
                    };
                    return Err(ApiError::gateway(
                        400,
                        "InvalidParameter",
                        &format!("A POST body is read as parameters only with Content-Type application/x-www-form-urlencoded; this one has {found}."),
                    ));
                }
            }
        }
    }
    Ok((parts.method, params, v3))
}

/// What signature V3 covers of a request, kept as it came.
pub(crate) struct V3Parts {
    authorization: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Bytes,
}

impl V3Parts {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

async fn api(emu: &Arc<Emulator>, req: Request) -> Response {
    emu.requests.fetch_add(1, Ordering::Relaxed);
    let (method, mut params, v3) = match read_params(req).await {
        Ok(p) => p,
        Err(e) => return error_response(&e, emu),
    };
    // Signature V3: the action and version come as headers.
    if let Some(v3) = &v3 {
        for (name, header) in [("Action", "x-acs-action"), ("Version", "x-acs-version")] {
            if let Some(v) = v3.header(header) {
                params.entry(name.into()).or_insert_with(|| v.to_string());
            }
        }
    }
    match run(emu, method.as_str(), &params, v3.as_ref()).await {
        Ok(_) if emu.gateway.drop_answer() => {
            // The action ran; then the connection breaks before the answer's body.
            let stream = futures_util::stream::once(async {
                Err::<Bytes, std::io::Error>(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "dropped",
                ))
            });
            Response::new(Body::from_stream(stream))
        }
        Ok(members) => {
            let action = param(&params, "Action").unwrap_or_default();
            let mut body = Map::new();
            body.insert("RequestId".into(), json!(request_id()));
            // Actions whose answer is not all under Data: AssumeRole's is the body itself;
            // QueryDevice gives its paging beside Data; QueryDevicePropertiesData has no Data.
            if action == "AssumeRole" {
                body.extend(members);
            } else if action == "QueryDevice" || action == "QueryDevicePropertiesData" {
                body.insert("Success".into(), json!(true));
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

async fn run(
    emu: &Arc<Emulator>,
    method: &str,
    params: &Params,
    v3: Option<&V3Parts>,
) -> Result<Reply, ApiError> {
    let (latency, fault) = emu.gateway.before();
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
    let principal = match v3 {
        None => emu
            .auth
            .lock()
            .unwrap()
            .authenticate(method, params, &emu.clock)?,
        Some(v3) => emu.auth.lock().unwrap().authenticate_v3(
            &crate::auth::V3Request {
                method,
                query: &v3.query,
                headers: v3.headers.clone(),
                authorization: &v3.authorization,
                body: &v3.body,
            },
            &emu.clock,
        )?,
    };
    if emu.gateway.nonce_used() {
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
    if !crate::actions::known(&action) {
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
    let large = action == "QueryDevice"
        && param(params, "ProductKey")
            .is_some_and(|pk| emu.world.device_count(pk) >= crate::gateway::LARGE_PRODUCT_DEVICES);
    emu.gateway.admit(&action, now, large)?;
    let w = &emu.world;
    match action.as_str() {
        "InvokeThingService" => w.invoke_thing_service(params, || emu.clock.now_ms()).await,
        "InvokeThingsService" => w.invoke_things_service(params, now),
        "SetDeviceProperty" => w.set_device_property(params, now),
        "SetDevicesProperty" => w.set_devices_property(params, now),
        "QueryDevicePropertyStatus" => w.query_device_property_status(params, now),
        "QueryDevicePropertyData" => w.query_device_property_data(params, now),
        "QueryDevicePropertiesData" => w.query_device_properties_data(params, now),
        "QueryDeviceServiceData" => w.query_device_service_data(params, now),
        "QueryDeviceEventData" => w.query_device_event_data(params, now),
        "QueryDeviceDetail" => w.query_device_detail(params),
        "QueryThingModel" => w.query_thing_model(params),
        "QueryProductList" => w.query_product_list(),
        "QueryDevice" => w.query_device(params),
        "BatchQueryDeviceDetail" => w.batch_query_device_detail(params),
        "CreateJob" => {
            let (reply, id) = emu.jobs.create(w, params, now)?;
            tokio::spawn(drive(emu.clone(), id));
            Ok(reply)
        }
        "QueryJob" => emu.jobs.query(params),
        "QueryJobStatistics" => emu.jobs.statistics(params),
        "ListTask" => emu.jobs.list(w, params),
        "CancelJob" => emu.jobs.cancel(params, now),
        other => unreachable!("{other} is in actions::ACTIONS without a handler"),
    }
}

/// Runs job `id` on the emulator's clock: task `i` is SENT at `i * 60000 / maximumPerMinute`
/// ms, IN_PROGRESS a step later and ends a step after that; a cancel stops it.
async fn drive(emu: Arc<Emulator>, id: String) {
    use crate::jobs::TaskStatus;
    let Some((n, interval)) = emu.jobs.schedule(&id) else {
        return;
    };
    let step = emu.world.config().job_step_ms;
    let start = tokio::time::Instant::now();
    let mut events: Vec<(u64, usize, TaskStatus)> = (0..n)
        .flat_map(|i| {
            let sent = i as u64 * interval;
            [
                (sent, i, TaskStatus::Sent),
                (sent + step, i, TaskStatus::InProgress),
                (sent + 2 * step, i, TaskStatus::Succeeded),
            ]
        })
        .collect();
    events.sort_by_key(|e| e.0);
    for (at, i, to) in events {
        tokio::time::sleep_until(start + Duration::from_millis(at)).await;
        if !emu.jobs.advance(&emu.world, &id, i, to, emu.clock.now_ms()) {
            return;
        }
    }
}

/// The test control answers only to loopback peers.
async fn loopback_only(
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
    next: Next,
) -> Response {
    if peer.ip().is_loopback() {
        next.run(req).await
    } else {
        let mut r = Response::new(Body::from(
            json!({ "error": "test control is loopback-only" }).to_string(),
        ));
        *r.status_mut() = StatusCode::FORBIDDEN;
        r
    }
}

type Emu = State<Arc<Emulator>>;

fn bad(emu: &Emulator, m: String) -> Response {
    json_response(400, &json!({ "error": m }), emu)
}

fn faults(emu: &Emulator) -> Faults {
    Faults {
        gateway: emu.gateway.faults(),
        devices: emu.world.faults(),
    }
}

async fn get_faults(State(emu): Emu) -> Response {
    json_response(200, &json!(faults(&emu)), &emu)
}

async fn set_faults(State(emu): Emu, body: Bytes) -> Response {
    match serde_json::from_slice::<Faults>(if body.is_empty() { b"{}" } else { &body }) {
        Ok(f) => {
            emu.gateway.set_faults(f.gateway);
            emu.world.set_faults(f.devices);
            json_response(200, &json!(faults(&emu)), &emu)
        }
        Err(e) => bad(&emu, format!("faults: {e}")),
    }
}

async fn get_log(State(emu): Emu) -> Response {
    json_response(200, &json!(emu.world.log()), &emu)
}

async fn reset(State(emu): Emu) -> Response {
    emu.clock.set_offset_ms(0);
    emu.auth.lock().unwrap().reset();
    emu.gateway.reset();
    emu.world.reset(emu.clock.now_ms());
    emu.jobs.reset();
    json_response(200, &json!({ "reset": true }), &emu)
}

/// `{ productKey, deviceName, online }`: the device connects or disconnects; its status
/// message goes to the subscription when the state changes.
async fn set_presence(State(emu): Emu, body: Bytes) -> Response {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Presence {
        product_key: String,
        device_name: String,
        online: bool,
    }
    let Ok(p) = serde_json::from_slice::<Presence>(&body) else {
        return bad(
            &emu,
            "presence: expected {\"productKey\", \"deviceName\", \"online\": true|false}".into(),
        );
    };
    match emu
        .world
        .set_online(&p.product_key, &p.device_name, p.online, emu.clock.now_ms())
    {
        Ok(changed) => json_response(
            200,
            &json!({ "online": p.online, "changed": changed }),
            &emu,
        ),
        Err(e) => bad(&emu, e.message.clone()),
    }
}

/// Cuts every AMQP connection now, as a network fault would: what was sent and not yet
/// settled is pushed again to the group's next member.
async fn cut_amqp(State(emu): Emu) -> Response {
    let cut = emu.amqp_groups().cut();
    json_response(200, &json!({ "cut": cut }), &emu)
}

async fn get_clock(State(emu): Emu) -> Response {
    json_response(
        200,
        &json!({ "offsetMs": emu.clock.offset_ms(), "now": format_iso(emu.clock.now_ms()) }),
        &emu,
    )
}

async fn set_clock(State(emu): Emu, body: Bytes) -> Response {
    match serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("offsetMs").and_then(Value::as_i64))
    {
        Some(ms) => {
            emu.clock.set_offset_ms(ms);
            get_clock(State(emu)).await
        }
        None => bad(&emu, "clock: expected {\"offsetMs\": <integer>}".into()),
    }
}

/// One request signed elsewhere, for `/_emulator/verify`: what was signed, and the wire text
/// (the query or form body, `Signature` included) that would carry it.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Signed {
    method: String,
    params: Vec<(String, String)>,
    wire: String,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifyBatch {
    secret: String,
    requests: Vec<Signed>,
}

/// What is wrong with one signed request, as the emulator's own decoder and verifier see it.
fn check_signed(secret: &str, r: &Signed) -> Option<String> {
    let mut decoded = Params::new();
    if let Err(e) = decode_form(r.wire.as_bytes(), &mut decoded) {
        return Some(format!("the wire text does not decode: {}", e.message));
    }
    let Some(signature) = decoded.remove("Signature") else {
        return Some("the wire text has no Signature".into());
    };
    let signed: Params = r.params.iter().cloned().collect();
    if signed.len() != r.params.len() {
        return Some("params names a parameter twice".into());
    }
    if decoded != signed {
        let (k, v) = signed
            .iter()
            .find(|(k, v)| decoded.get(*k) != Some(v))
            .or_else(|| decoded.iter().find(|(k, _)| !signed.contains_key(*k)))
            .expect("the maps differ");
        return Some(format!(
            "the wire carries other parameters than were signed: {k:?} is {:?} on the wire, {:?} signed",
            decoded.get(k),
            signed.get(k).map(|_| v)
        ));
    }
    let sts = server_string_to_sign(&r.method, &decoded);
    let expected = hmac_b64(secret, &sts);
    (expected != signature)
        .then(|| format!("signature {signature} where the emulator computes {expected} over {sts}"))
}

/// Verifies a batch of requests signed elsewhere (the signature robustness test signs them in a
/// browser) with the emulator's own decoder, canonicalizer and HMAC: `{ checked, mismatches,
/// first }` (the first ten problems, with their index).
async fn verify(State(emu): Emu, body: Bytes) -> Response {
    let batch: VerifyBatch = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => return bad(&emu, format!("verify: {e}")),
    };
    let problems: Vec<(usize, String)> = batch
        .requests
        .iter()
        .enumerate()
        .filter_map(|(i, r)| check_signed(&batch.secret, r).map(|p| (i, p)))
        .collect();
    json_response(
        200,
        &json!({
            "checked": batch.requests.len(),
            "mismatches": problems.len(),
            "first": problems.iter().take(10).map(|(i, p)| json!({ "index": i, "problem": p })).collect::<Vec<_>>(),
        }),
        &emu,
    )
}

/// Counters for tests and the soak: remembered nonces (they expire with the Timestamp window),
/// log entries, API requests received, and the process's resident memory where it can be read.
async fn stats(State(emu): Emu) -> Response {
    json_response(
        200,
        &json!({
            "nonces": emu.auth.lock().unwrap().nonce_count(),
            "nonceWindowMs": crate::auth::TIMESTAMP_WINDOW.as_millis() as u64,
            "log": emu.world.log().len(),
            "requests": emu.requests.load(Ordering::Relaxed),
            "rssBytes": resident_bytes(),
        }),
        &emu,
    )
}

/// Resident set size from `/proc/self/statm` (Linux); `None` elsewhere.
fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

async fn no_control(State(emu): Emu, method: Method, uri: axum::http::Uri) -> Response {
    json_response(
        404,
        &json!({ "error": format!("no control endpoint {method} {}", uri.path()) }),
        &emu,
    )
}
