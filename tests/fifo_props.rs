//! Property test of `core::fifo::Fifo`: any run of pushes and pops gives what `VecDeque` gives.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::VecDeque;

use proptest::prelude::*;
use thingcall::core::fifo::Fifo;

proptest! {
    #[test]
    fn pops_what_a_ring_buffer_pops(ops in proptest::collection::vec(any::<Option<u8>>(), 0..200)) {
        let mut q = Fifo::default();
        let mut model = VecDeque::new();
        let mut got = Vec::new();
        let mut want = Vec::new();
        for op in ops {
            match op {
                Some(v) => {
                    q.push(v);
                    model.push_back(v);
                }
                None => {
                    got.push(q.pop());
                    want.push(model.pop_front());
                }
            }
            prop_assert_eq!(q.len(), model.len());
            prop_assert_eq!(q.is_empty(), model.is_empty());
        }
        prop_assert_eq!(got, want);
    }
}
