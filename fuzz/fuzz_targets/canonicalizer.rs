//! The core's canonicalizer and string-to-sign against the emulator's independent ones: any
//! parameters (NUL-separated names and values) give the same string-to-sign, GET and POST.
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use thingcall::core::{sign, HttpMethod, SigningKey};
use thingcall_emulator::auth::server_string_to_sign;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let mut parts = s.split('\0');
    let mut params = BTreeMap::new();
    while let (Some(k), Some(v)) = (parts.next(), parts.next()) {
        if k == "Signature" || params.insert(k.to_string(), v.to_string()).is_some() {
            return; // the emulator refuses a repeated name; Signature is never signed
        }
    }
    let key = SigningKey::new("fuzz-secret");
    for (method, name) in [(HttpMethod::Get, "GET"), (HttpMethod::Post, "POST")] {
        let core = sign(method, params.iter().map(|(k, v)| (k.as_str(), v.as_str())), &key);
        assert_eq!(core.string_to_sign.as_str(), server_string_to_sign(name, &params));
    }
});
