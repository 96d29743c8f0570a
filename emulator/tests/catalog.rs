//! The emulator's table of actions and the client's catalog are written apart (each checks the
//! other): both list the same actions, with the same documented QPS.

#[test]
fn the_emulator_and_the_client_know_the_same_actions_with_the_same_qps() {
    let client: Vec<(&str, u32)> = thingcall::core::action::ACTIONS
        .iter()
        .map(|a| (a.name, a.qps))
        .collect();
    let mut emulator: Vec<(&str, u32)> = thingcall_emulator::actions::ACTIONS
        .iter()
        .map(|a| (a.name, a.documented_qps))
        .collect();
    let mut sorted = client.clone();
    sorted.sort();
    emulator.sort();
    assert_eq!(sorted, emulator);
}
