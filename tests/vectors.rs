//! The brief's public test vectors, checked stage by stage: canonical query, string-to-sign, signature.
#![cfg(not(target_arch = "wasm32"))]

use thingcall::core::{sign, HttpMethod, SigningKey};

const VECTOR_A: [(&str, &str); 8] = [
    ("AccessKeyId", "testid"),
    ("Action", "DescribeRegions"),
    ("Format", "XML"),
    ("SignatureMethod", "HMAC-SHA1"),
    ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
    ("SignatureVersion", "1.0"),
    ("Timestamp", "2016-02-23T12:46:24Z"),
    ("Version", "2014-05-26"),
];

const A_CANONICAL: &str =
    "AccessKeyId=testid&Action=DescribeRegions&Format=XML&SignatureMethod=HMAC-SHA1\
&SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf&SignatureVersion=1.0\
&Timestamp=2016-02-23T12%3A46%3A24Z&Version=2014-05-26";

const A_STRING_TO_SIGN: &str =
    "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML\
%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf\
%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26";

#[test]
fn vector_a_get_stage_by_stage() {
    // Given out of order: the canonical stage sorts.
    let mut params = VECTOR_A;
    params.reverse();
    let s = sign(HttpMethod::Get, params, &SigningKey::new("testsecret"));
    assert_eq!(s.canonical.to_string(), A_CANONICAL);
    assert_eq!(s.string_to_sign.to_string(), A_STRING_TO_SIGN);
    assert_eq!(s.signature.to_string(), "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
}

#[test]
fn vector_a_post_stage_by_stage() {
    let s = sign(HttpMethod::Post, VECTOR_A, &SigningKey::new("testsecret"));
    assert_eq!(s.canonical.to_string(), A_CANONICAL);
    assert_eq!(
        s.string_to_sign.to_string(),
        A_STRING_TO_SIGN.replacen("GET&", "POST&", 1)
    );
    assert_eq!(s.signature.to_string(), "MxbnVAM4w6sft9xjVpe/GCKueuk=");
}

#[test]
fn vector_a_ignores_a_signature_param() {
    let mut params = VECTOR_A.to_vec();
    params.push(("Signature", "whatever"));
    let s = sign(HttpMethod::Get, params, &SigningKey::new("testsecret"));
    assert_eq!(s.signature.as_str(), "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
    assert_eq!(
        s.canonical.with_signature(&s.signature),
        format!("{A_CANONICAL}&Signature=OLeaidS1JvxuMvnyHOwuJ%2BuX5qY%3D")
    );
}

#[test]
fn vector_b() {
    let params = [
        ("AccessKeyId", "testid"),
        ("Action", "DescribeDedicatedHosts"),
        ("Format", "JSON"),
        ("RegionId", "cn-beijing"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureNonce", "edb2b34af0af9a6d14deaf7c1a5315eb"),
        ("SignatureVersion", "1.0"),
        ("Timestamp", "2023-03-13T08:34:30Z"),
        ("Version", "2014-05-26"),
    ];
    let s = sign(HttpMethod::Get, params, &SigningKey::new("testsecret"));
    assert_eq!(
        s.canonical.as_str(),
        "AccessKeyId=testid&Action=DescribeDedicatedHosts&Format=JSON&RegionId=cn-beijing\
         &SignatureMethod=HMAC-SHA1&SignatureNonce=edb2b34af0af9a6d14deaf7c1a5315eb\
         &SignatureVersion=1.0&Timestamp=2023-03-13T08%3A34%3A30Z&Version=2014-05-26"
    );
    assert!(s
        .string_to_sign
        .as_str()
        .starts_with("GET&%2F&AccessKeyId%3Dtestid%26"));
    assert_eq!(s.signature.as_str(), "9NaGiOspFP5UPcwX8Iwt2YJXXuk=");
}

#[test]
fn vector_c() {
    let s = sign(
        HttpMethod::Get,
        [("query", "test"), ("body", "test")],
        &SigningKey::new("secret"),
    );
    assert_eq!(s.canonical.as_str(), "body=test&query=test");
    assert_eq!(
        s.string_to_sign.as_str(),
        "GET&%2F&body%3Dtest%26query%3Dtest"
    );
    assert_eq!(s.signature.as_str(), "XlUyV4sXjOuX5FnjUz9IF9tm5rU=");
}

#[test]
fn signing_key_is_reusable() {
    let key = SigningKey::new("testsecret");
    let a = sign(HttpMethod::Get, VECTOR_A, &key);
    let b = sign(HttpMethod::Get, VECTOR_A, &key);
    assert_eq!(a, b);
}
