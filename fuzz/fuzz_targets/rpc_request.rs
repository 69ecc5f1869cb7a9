//! The RPC request parser and its accessors, then signature checking in strict, lenient and off
//! modes against the default fixtures' keys. Input format: see `common/mod.rs`.
#![no_main]

mod common;

use std::sync::OnceLock;

use axum::http::Method;
use libfuzzer_sys::fuzz_target;
use sas_mock::fixtures::default_document;
use sas_mock::model::clock::parse_rfc3339;
use sas_mock::protocol::{Format, RpcRequest};
use sas_mock::rpc::auth::{authenticate, AuthContext};
use sas_mock::settings::AuthMode;
use sas_mock::state::accounts::Keys;
use sas_mock::state::nonces::NonceStore;

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let (source, doc) = default_document().expect("default fixtures");
        Keys::default().merged(&source, &doc).expect("default keys")
    })
}

fuzz_target!(|data: &[u8]| {
    let input = common::read(data);
    let get_or_post = input.method == Method::GET || input.method == Method::POST;
    let req = match RpcRequest::parse(
        input.method,
        input.raw_query.as_deref(),
        input.headers,
        input.body,
    ) {
        Ok(req) => req,
        Err(err) => {
            assert!(!get_or_post, "GET/POST refused: {err}");
            assert_eq!(err.code, "UnsupportedHTTPMethod");
            return;
        }
    };
    assert!(get_or_post);

    for (name, _) in req.params() {
        let first = req.params().find(|(n, _)| *n == name).map(|(_, v)| v);
        assert_eq!(req.param(name), first);
        assert_eq!(
            req.non_empty_param(name).is_some(),
            !first.unwrap_or("").is_empty()
        );
    }
    assert!(req.action().is_none_or(|a| !a.is_empty()));
    assert!(req.version().is_none_or(|v| !v.is_empty()));
    assert!(req.access_key_id().is_none_or(|k| !k.is_empty()));
    assert_eq!(req.format_or_json(), req.format().unwrap_or(Format::Json));
    if let Some(id) = req.task_id() {
        let raw = req
            .param("TaskId")
            .expect("a task id comes from the TaskId parameter");
        assert_eq!(raw.trim().parse::<i64>().ok(), Some(id));
    }

    // Within the captures' 15-minute window, so captured requests get all the way through.
    let now = parse_rfc3339("2026-11-28T21:10:00Z").expect("valid time");
    for mode in [AuthMode::Strict, AuthMode::Lenient, AuthMode::Off] {
        let nonces = NonceStore::new(64, 1);
        let ctx = AuthContext {
            mode,
            keys: keys(),
            nonces: &nonces,
            now,
            stamp_now: Some(now),
        };
        match authenticate(&req, &ctx) {
            Ok(caller) => {
                assert!(!caller.account.is_empty());
                if mode == AuthMode::Strict {
                    let key = caller
                        .key
                        .as_ref()
                        .expect("strict mode admits only fixture keys");
                    assert!(key.active);
                    let again = authenticate(&req, &ctx).expect_err("a nonce is single-use");
                    assert_eq!(again.code, "SignatureNonceUsed");
                }
            }
            Err(err) => {
                assert_ne!(mode, AuthMode::Off, "auth off refused: {err}");
                assert!((400..500).contains(&err.status), "{err}");
                assert!(!err.code.is_empty() && !err.message.is_empty());
            }
        }
    }
});
