//! The crate on the host (a server-rendered app compiles it natively): the requests, results and
//! errors are the same types, requests are checked the same way, and the client refuses to
//! start with `Unsupported` instead of calling into an engine that is not there.

use thingcall::core::action;
use thingcall::core::Credentials;
use thingcall::{
    Client, ClientOptions, CredentialsSource, Device, ErrorKind, InvokeThingService, Outcome,
    Payload, Request, SetDeviceProperty, Target,
};

#[test]
fn the_client_does_not_start_off_wasm32() {
    let key = Credentials::new("id", "secret", None).unwrap();
    let e = Client::new(ClientOptions::new(
        "https://iot.cn-shanghai.aliyuncs.com/",
        CredentialsSource::Static(key),
    ))
    .unwrap_err();
    assert_eq!(e.code(), "Unsupported");
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert_eq!(e.outcome(), Outcome::NotSent);
    assert!(!format!("{e:?}").contains("secret"));
}

#[test]
fn requests_are_checked_by_the_catalog_on_the_host_too() {
    let r = InvokeThingService {
        device: Device::by_name("a1LampDemo0", "lamp-01"),
        identifier: "Echo".into(),
        args: r#"{"text":"hi","n":12345678901234567890}"#.into(),
        iot_instance_id: None,
    }
    .request()
    .unwrap();
    assert_eq!(r.spec().name, "InvokeThingService");
    assert_eq!(
        r.param("Args"),
        Some(r#"{"text":"hi","n":12345678901234567890}"#)
    );
    assert_eq!(r.param("Identifier"), Some("Echo"));

    let bad = |args: &str| {
        InvokeThingService {
            device: Device::by_iot_id("x"),
            identifier: "Echo".into(),
            args: args.into(),
            iot_instance_id: None,
        }
        .request()
        .unwrap_err()
        .message()
        .to_string()
    };
    assert!(bad("[1]").contains("invokeThingService.args: the string is not a JSON object"));
    assert!(bad("{text:1}").contains("invokeThingService.args: the string is not a JSON object"));

    let e = SetDeviceProperty {
        device: Device::by_iot_id("x"),
        items: String::new(),
        iot_instance_id: None,
    }
    .request()
    .unwrap_err();
    assert!(
        e.message().contains("setDeviceProperty.items is required"),
        "{}",
        e.message()
    );

    let e = Request::new(&action::QUERY_DEVICE_DETAIL, Target::None, None, &[]).unwrap_err();
    assert!(e
        .message()
        .contains("queryDeviceDetail: the devices are not given"));

    let e = Request::new(
        &action::QUERY_DEVICE,
        Target::None,
        None,
        &[
            Some(("a1LampDemo0", Payload::AsWritten)),
            Some(("51", Payload::AsWritten)),
        ],
    )
    .unwrap_err();
    assert!(
        e.message()
            .contains("QueryDevice.pageSize: must be a whole number from 1 to 50"),
        "{}",
        e.message()
    );
}
