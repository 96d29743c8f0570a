//! The emulator's request parser on any bytes: an answer (the parameters, or a platform error),
//! never a panic; and what it accepts, written again by the core's encoder, reads back the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use thingcall::core::encode::percent_encode;
use thingcall_emulator::auth::{decode_form, Params};

fuzz_target!(|data: &[u8]| {
    let mut p = Params::new();
    if decode_form(data, &mut p).is_err() {
        return;
    }
    let again: Vec<String> = p
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect();
    let mut q = Params::new();
    decode_form(again.join("&").as_bytes(), &mut q).expect("the core's encoding reads back");
    assert_eq!(p, q);
});
