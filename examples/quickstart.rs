//! The quick start: invoke `Echo` on a lamp of the local emulator (`npm run emulator`) and log
//! the device's answer in the browser's console.
//!
//! Build: `cargo build --example quickstart --target wasm32-unknown-unknown` (`npm test` does);
//! in an app of your own, `wasm-pack build --target web` and load it as any Rust wasm app.

#[cfg(target_arch = "wasm32")]
mod app {
    use thingcall::{
        CallOptions, Client, ClientOptions, Credentials, CredentialsSource, Device, Error,
        InvokeThingService,
    };
    use wasm_bindgen::prelude::*;

    async fn echo() -> Result<String, Error> {
        // The emulator's demo key. A page holds temporary keys from its backend instead
        // (docs/deploying.md): CredentialsSource::Provider.
        let key = Credentials::new("thingcall-demo", "thingcall-demo-secret", None)?;
        let options = ClientOptions::new("http://127.0.0.1:8686/", CredentialsSource::Static(key));
        let client = Client::new(options)?;
        let request = InvokeThingService {
            device: Device::by_name("a1LampDemo0", "lamp-01"),
            identifier: "Echo".into(),
            args: r#"{"text":"hello from Rust"}"#.into(), // JSON text, sent as written
            iot_instance_id: None,
        };
        let answer = client
            .invoke_thing_service(&request, &CallOptions::default())
            .await?;
        // The device's Data.Result, as JSON text (for serde_json, say).
        Ok(answer.raw_result.unwrap_or_default())
    }

    #[wasm_bindgen(start)]
    pub fn start() {
        wasm_bindgen_futures::spawn_local(async {
            match echo().await {
                Ok(result) => log(&format!("Echo answered {result}")),
                // e.code(), e.outcome() (whether the device may have acted), e.kind() to match on
                Err(e) => log(&format!("Echo failed: {e}")),
            }
        });
    }

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = console)]
        fn log(s: &str);
    }
}

fn main() {
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("build this example for wasm32: cargo build --example quickstart --target wasm32-unknown-unknown");
}
