//! What the package's second entry (`thingcall/extras`) holds besides the fleet features:
//! `presign`, `toCurl`, `explain` and `selfTest`, and the way into the thing-model check.
//!
//! The npm build splits one wasm into two modules (`scripts/split.mjs`): the first holds what a
//! page that makes calls runs, the second this code, the fleet features and all they alone
//! use. Until the second is loaded its functions are placeholders that throw; [`split`] tells
//! the first module which case it is in, so a call that asks for the check is refused with an
//! error that says what to load, not half run. In any other build (a Rust app, the crate's
//! tests) everything is in one module and the state stays "loaded".

use core::sync::atomic::{AtomicBool, Ordering};

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::error::to_js;
use super::iot_client::Shape;
use crate::client::{CallOptions, Client, Error, Request};
use crate::core::action::ActionSpec;
#[cfg(feature = "fleet")]
use {
    super::iot_client::{params_or_empty, IotClient},
    super::{options as input, output, promise},
    crate::client::Params,
    alloc::string::String,
};

/// Whether this is the first of two modules and the second is not loaded yet.
static SECOND_MISSING: AtomicBool = AtomicBool::new(false);

/// Called by the package's glue: `false` right after the first module is instantiated, `true`
/// once `loadExtras()` has instantiated the second.
#[wasm_bindgen(js_name = __thingcallExtras, skip_typescript)]
pub fn split(loaded: bool) {
    SECOND_MISSING.store(!loaded, Ordering::Relaxed);
}

/// Whether the package's second entry is still to load (always false outside the package).
pub(super) fn second_missing() -> bool {
    SECOND_MISSING.load(Ordering::Relaxed)
}

/// A device call whose arguments are checked against the thing model first. The check is
/// reached through a pointer the optimizer cannot see through, so that nothing of it is in
/// the first module.
pub(super) fn checked(
    client: &Client,
    spec: &'static ActionSpec,
    request: Request,
    options: CallOptions,
    shape: Shape,
) -> Promise {
    #[cfg(feature = "fleet")]
    {
        if !SECOND_MISSING.load(Ordering::Relaxed) {
            let run: fn(Client, &'static ActionSpec, Request, CallOptions, Shape) -> Promise =
                core::hint::black_box(checked_call);
            return run(client.clone(), spec, request, options, shape);
        }
    }
    let _ = (client, request, options, shape);
    Promise::reject(&to_js(&Error::invalid(crate::core::attempts::concat(&[
        spec.method.unwrap_or(spec.name),
        ": checkArgs needs the thing-model check, in the package's second entry: `import { loadExtras } from 'thingcall/extras'` and `await loadExtras()` first",
    ]))))
}

#[cfg(feature = "fleet")]
fn checked_call(
    client: Client,
    spec: &'static ActionSpec,
    request: Request,
    options: CallOptions,
    shape: Shape,
) -> Promise {
    promise(alloc::boxed::Box::pin(async move {
        let sent = match client.checked_request(request).await {
            Ok(params) => client.send(spec.name, params, &options).await,
            Err(e) => Err(e),
        };
        match sent {
            Ok((meta, body)) => Ok(shape(meta, body)),
            Err(e) => Err(to_js(&e)),
        }
    }))
}

#[cfg(feature = "fleet")]
#[wasm_bindgen]
impl IotClient {
    /// Returns a signed GET URL for `action` with `params`. Deterministic when both `nonce` and
    /// `timestamp` (a `Date` or the wire string `YYYY-MM-DDThh:mm:ssZ`) are given. Uses the
    /// static credentials, or the provider's current ones (after a first call or
    /// `refreshCredentials()`). The URL carries the SecurityToken: treat it as a secret.
    #[wasm_bindgen(unchecked_return_type = "string")]
    pub fn presign(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] action: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Params")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "PresignOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        self.presigned(Presigned::Url, &action, &params, options)
    }

    /// Returns a ready `curl` command line for `action` with `params`, with the client's method (POST with a form body by default). Same options as `presign`.
    #[wasm_bindgen(js_name = toCurl, unchecked_return_type = "string")]
    pub fn to_curl(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] action: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Params")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "PresignOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        self.presigned(Presigned::Curl, &action, &params, options)
    }

    /// Shows how a request is signed, for display: the sorted parameters, canonical query,
    /// string-to-sign, signature and signed URL, with the SecurityToken (and the secret, were
    /// it anywhere) replaced by `** redacted **`. Same options as `presign`.
    #[wasm_bindgen(unchecked_return_type = "SigningExplanation")]
    pub fn explain(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] action: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Params")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "PresignOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        self.presigned(Presigned::Explain, &action, &params, options)
    }

    /// Checks the endpoint, CORS or the relay, the clock, the credentials and one signed request (`QueryProductList` with `PageSize=1`: read-only, the least a key can be allowed), each with advice. Never rejects: failures are in the checks.
    #[wasm_bindgen(js_name = selfTest, unchecked_return_type = "Promise<SelfTestReport>")]
    pub fn self_test(&self) -> Promise {
        let client = self.client.clone();
        promise(Box::pin(async move {
            Ok(output::self_test(&client.self_test().await))
        }))
    }
}

#[cfg(feature = "fleet")]
/// What `presign`, `toCurl` and `explain` return.
#[derive(Clone, Copy)]
enum Presigned {
    Url,
    Curl,
    Explain,
}

#[cfg(feature = "fleet")]
impl IotClient {
    #[inline(never)]
    fn presigned(
        &self,
        what: Presigned,
        action: &JsValue,
        params: &JsValue,
        options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let (a, p, o) = presign_args(action, params, options).map_err(|e| to_js(&e))?;
        let c = &self.client;
        match what {
            Presigned::Url => c.presign(&a, &p, &o).map(|s| JsValue::from_str(&s)),
            Presigned::Curl => c.to_curl(&a, &p, &o).map(|s| JsValue::from_str(&s)),
            Presigned::Explain => c.explain(&a, &p, &o).map(|x| output::explanation(&x)),
        }
        .map_err(|e| to_js(&e))
    }
}

#[cfg(feature = "fleet")]
fn presign_args(
    action: &JsValue,
    params: &JsValue,
    options: JsValue,
) -> Result<(String, Params, crate::client::PresignOptions), Error> {
    let o = input::presign_options(&options)?;
    let p = params_or_empty(params)?;
    let a = action.as_string().unwrap_or_default();
    if a.is_empty() {
        return Err(super::js::invalid("action is required"));
    }
    Ok((a, p, o))
}
