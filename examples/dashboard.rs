//! A Rust wasm front-end (the way a Leptos, Yew or Dioxus component would) using
//! [`thingcall::Client`] directly: typed requests, typed results, typed errors, no `JsValue`.
//!
//! Build: `cargo build --example dashboard --target wasm32-unknown-unknown` (`npm test` does),
//! then load it with `wasm-bindgen --target web` as any Rust wasm app. It calls the emulator on
//! the page's own origin with temporary credentials from `AssumeRole`, as a dashboard would from
//! its backend.

#[cfg(target_arch = "wasm32")]
mod app {
    use thingcall::core::Credentials;
    use thingcall::{
        CallOptions, Client, ClientOptions, CredentialsProvider, CredentialsSource, Device, Error,
        InvokeThingService, Outcome, PropertyValue, ProvidedCredentials, SetDeviceProperty,
    };
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = console)]
        fn log(s: &str);
    }

    const PK: &str = "a1LampDemo0";

    /// Temporary credentials, as the dashboard's backend would hand them out. Here the demo key
    /// asks the emulator's `AssumeRole` itself; a real page would fetch them from its backend.
    fn sts(endpoint: &str) -> CredentialsProvider {
        let key = Credentials::new("thingcall-demo", "thingcall-demo-secret", None).unwrap();
        let admin = Client::new(ClientOptions::new(endpoint, CredentialsSource::Static(key)));
        CredentialsProvider::new(move || {
            let admin = admin.clone();
            async move {
                let admin = admin.map_err(|e| e.to_string())?;
                let params = vec![
                    (
                        "RoleArn".into(),
                        "acs:ram::local:role/thingcall-demo".into(),
                    ),
                    ("RoleSessionName".into(), "rust-dashboard".into()),
                ];
                let r = admin
                    .call("AssumeRole", params, &CallOptions::default())
                    .await
                    .map_err(|e| e.to_string())?;
                ProvidedCredentials::from_assume_role(&r.body)
                    .ok_or_else(|| String::from("AssumeRole answered without credentials"))
            }
        })
    }

    /// One panel's worth of work: echo, set the brightness, read it back.
    async fn lamp_panel(client: &Client, lamp: &str) -> Result<String, Error> {
        let none = CallOptions::default();
        let echo = client
            .invoke_thing_service(
                &InvokeThingService {
                    device: Device::by_name(PK, lamp),
                    identifier: "Echo".into(),
                    // Args as JSON text, sent exactly as written: a float keeps its `.0`.
                    args: r#"{"text":"hello from Rust"}"#.into(),
                    iot_instance_id: None,
                },
                &none,
            )
            .await?;
        client
            .set_device_property(
                &SetDeviceProperty {
                    device: Device::by_name(PK, lamp),
                    items: r#"{"Brightness":42}"#.into(),
                    iot_instance_id: None,
                },
                &none,
            )
            .await?;
        let status = client
            .query_device_property_status(&Device::by_name(PK, lamp), None, &none)
            .await?;
        let brightness = status
            .properties
            .iter()
            .find(|p| p.identifier == "Brightness")
            .map(|p| match &p.value {
                PropertyValue::Number(n) => *n,
                PropertyValue::Text(_) => f64::NAN,
            });
        Ok(format!(
            "{lamp}: echo {} in {} attempt(s); Brightness {brightness:?}",
            echo.raw_result.unwrap_or_default(),
            echo.meta.attempts
        ))
    }

    pub fn main() {
        let origin = js_sys::Reflect::get(&js_sys::global(), &"location".into())
            .and_then(|l| js_sys::Reflect::get(&l, &"origin".into()))
            .ok()
            .and_then(|o| o.as_string())
            .unwrap_or_else(|| "http://127.0.0.1:8686".into());
        let options = ClientOptions::new(&origin, CredentialsSource::Provider(sts(&origin)));
        let client = match Client::new(options) {
            Ok(c) => c,
            Err(e) => return log(&format!("bad options: {e}")),
        };
        wasm_bindgen_futures::spawn_local(async move {
            for lamp in ["lamp-01", "lamp-offline"] {
                match lamp_panel(&client, lamp).await {
                    Ok(line) => log(&line),
                    // The outcome says whether the lamp may have switched.
                    Err(e) if e.outcome() == Outcome::Unknown => {
                        log(&format!("{lamp}: may have acted: {e}"))
                    }
                    Err(e) => log(&format!("{lamp}: nothing ran: {e}")),
                }
            }
        });
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {
    app::main();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("build this example for wasm32: cargo build --example dashboard --target wasm32-unknown-unknown");
}
