//! The JavaScript strings of the names the client reads and writes (an answer's fields, a
//! result's keys, a request's method), each made once: made on every call, each would be
//! decoded from the wasm's memory again (they were 21 of the 26 strings a call decoded).

use wasm_bindgen::JsValue;

std::thread_local! {
    /// Each name's JavaScript string, found again by the address and length of its
    /// `&'static str` literal.
    static NAMES: core::cell::RefCell<alloc::vec::Vec<(usize, usize, JsValue)>> =
        const { core::cell::RefCell::new(alloc::vec::Vec::new()) };
}

/// `key` as a JavaScript string, made once. (A scan: there are about a hundred names, and no
/// hash table to link.)
pub(crate) fn js_name(key: &'static str) -> JsValue {
    let at = (key.as_ptr() as usize, key.len());
    NAMES.with(|names| {
        let mut names = names.borrow_mut();
        for (ptr, len, js) in names.iter() {
            if (*ptr, *len) == at {
                return js.clone();
            }
        }
        let js = JsValue::from_str(key);
        names.push((at.0, at.1, js.clone()));
        js
    })
}
