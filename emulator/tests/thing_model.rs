//! thingcall's thing-model check (the core's, in the client) against the emulator's: the core
//! reads the TSL the emulator serves, and any Args or Items the core accepts (and writes, with
//! floats given their decimal point), the emulator accepts too. Native, with the fixture models.

use proptest::prelude::*;
use serde_json::{json, Value};
use thingcall::core::thing_model::ThingModel;
use thingcall_emulator::auth::Params;
use thingcall_emulator::model::{check_object, parse_object};
use thingcall_emulator::world::World;
use thingcall_emulator::Config;

const PK: &str = "a1LampDemo0";

fn number(s: &str) -> Option<f64> {
    s.parse().ok()
}

fn world() -> World {
    World::new(Config::default_fixture(), 0)
}

/// The core's model of the fixture product, read from the emulator's own `QueryThingModel`.
fn model(w: &World) -> ThingModel {
    let mut p = Params::new();
    p.insert("ProductKey".into(), PK.into());
    let reply = w.query_thing_model(&p).unwrap();
    let tsl = reply["ThingModelJson"].as_str().unwrap();
    ThingModel::from_tsl_text(tsl, &number).unwrap()
}

/// Whether the emulator accepts `args` for service `identifier` (its own check).
fn emulator_accepts_args(identifier: &str, args: &str) -> Result<(), String> {
    let config = Config::default_fixture();
    let service = config.products[0]
        .services
        .iter()
        .find(|s| s.identifier == identifier)
        .unwrap();
    let obj = parse_object(args).ok_or("not an object")?;
    check_object(&obj, |k| {
        service
            .input_data
            .iter()
            .find(|p| p.identifier == k)
            .map(|p| &p.data_type)
    })
}

/// Whether the emulator sets `items` on a lamp (the whole `SetDeviceProperty`).
fn emulator_sets(w: &World, items: &str) -> Result<(), String> {
    let mut p = Params::new();
    p.insert("ProductKey".into(), PK.into());
    p.insert("DeviceName".into(), "lamp-01".into());
    p.insert("Items".into(), items.into());
    w.set_device_property(&p, 0)
        .map(|_| ())
        .map_err(|e| e.message)
}

#[test]
fn the_fixture_model_as_the_core_reads_it() {
    let w = world();
    let m = model(&w);
    assert_eq!(m.product_key, PK);
    assert!(m.property("Temperature").unwrap().read_only);
    assert!(m.service("Echo").unwrap().sync);
    assert!(!m.service("Blink").unwrap().sync);
    // 10 for a double: the core writes 10.0, which the emulator needs.
    assert!(emulator_accepts_args("Echo", r#"{"x":10}"#).is_err());
    let written = m.check_args("Echo", r#"{"x":10,"n":3}"#, &number).unwrap();
    assert_eq!(written, r#"{"x":10.0,"n":3}"#);
    emulator_accepts_args("Echo", &written).unwrap();
    // Refused by both: out of range, read-only, unknown.
    for items in [
        r#"{"Brightness":101}"#,
        r#"{"Temperature":20.5}"#,
        r#"{"Color":1}"#,
    ] {
        assert!(m.check_items(items, &number).is_err(), "{items}");
        assert!(emulator_sets(&w, items).is_err(), "{items}");
    }
    let written = m
        .check_items(r#"{"LightSwitch":1,"Brightness":40}"#, &number)
        .unwrap();
    emulator_sets(&w, &written).unwrap();
}

/// JSON values of every kind, shaped like thing-model values and not.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-3i64..=3).prop_map(|n| json!(n)),
        (-200i64..=200).prop_map(|n| json!(n)),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |x| x.is_finite())
            .prop_map(|x| json!(x)),
        (-150.0f64..150.0).prop_map(|x| json!(x)),
        "[0-9]{0,14}".prop_map(Value::String),
        ".{0,8}".prop_map(Value::String),
        "[a-z灯😀]{0,2100}".prop_map(Value::String),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z]{1,3}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// An object whose keys are mostly the model's identifiers.
fn object(keys: &'static [&'static str]) -> impl Strategy<Value = String> {
    proptest::collection::vec(
        (
            prop_oneof![4 => proptest::sample::select(keys).prop_map(String::from), 1 => "[A-Za-z]{1,6}"],
            value(),
        ),
        0..4,
    )
    .prop_map(|members| {
        let m: serde_json::Map<String, Value> = members.into_iter().collect();
        Value::Object(m).to_string()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn args_the_core_accepts_the_emulator_accepts(
        service in proptest::sample::select(&["Set", "Echo", "Blink"][..]),
        args in object(&["LightSwitch", "Brightness", "text", "n", "x", "times"]),
    ) {
        let m = model(&world());
        if let Ok(written) = m.check_args(service, &args, &number) {
            prop_assert!(emulator_accepts_args(service, &written).is_ok(),
                "core accepted {args} for {service} (wrote {written}); the emulator: {:?}",
                emulator_accepts_args(service, &written));
        }
    }

    #[test]
    fn items_the_core_accepts_the_emulator_sets(
        items in object(&["LightSwitch", "Brightness", "Temperature"]),
    ) {
        let w = world();
        let m = model(&w);
        if let Ok(written) = m.check_items(&items, &number) {
            prop_assert!(emulator_sets(&w, &written).is_ok(),
                "core accepted {items} (wrote {written}); the emulator: {:?}", emulator_sets(&w, &written));
        }
    }
}
