//! Bad input never panics (issue 7): the CSV reader and every response decoder take arbitrary
//! and structured random input. `cargo xtask fuzz` runs these with 20,000 cases per round for a
//! bounded time (`JC_FUZZ_CASES`, `JC_FUZZ_SEED`); the inputs under `tests/fuzz-corpus/` are
//! replayed on every run, and proptest keeps any failing seed in `fuzz.proptest-regressions`.

use bytes::Bytes;
use jc_bulk::response;
use jc_cli::csv::{CsvFile, Kind};
use jc_models::*;
use proptest::prelude::*;
use std::io::Write;

fn cases() -> u32 {
    std::env::var("JC_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

/// Reads every row of `bytes` as each kind of file; must not panic.
fn read_csv(bytes: &[u8]) {
    let mut file = tempfile_with(bytes);
    file.flush().unwrap();
    for kind in [Kind::Create, Kind::Update, Kind::Target] {
        if let Ok(mut csv) = CsvFile::open(file.path(), kind) {
            let mut rows = 0;
            match kind {
                Kind::Create => {
                    while csv.next_row::<BulkUserCreate>().is_some() {
                        rows += 1
                    }
                }
                Kind::Update => {
                    while csv.next_row::<BulkUserUpdate>().is_some() {
                        rows += 1
                    }
                }
                Kind::Target => {
                    while csv.next_row::<BulkUserExpire>().is_some() {
                        rows += 1
                    }
                }
            }
            assert!(rows <= bytes.len() + 1);
        }
    }
}

fn tempfile_with(bytes: &[u8]) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(bytes).unwrap();
    file
}

/// Decodes `body` with `status` and `headers` through every decoder; must not panic.
fn decode_all(status: u16, body: &[u8], headers: &[(String, String)]) {
    let mut answer = http::Response::new(Bytes::copy_from_slice(body));
    if let Ok(status) = http::StatusCode::from_u16(status) {
        *answer.status_mut() = status;
    }
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_str(value),
        ) {
            answer.headers_mut().append(name, value);
        }
    }
    if let Err(error) = response::decode_empty(&answer) {
        let _ = (error.to_string(), error.api().map(|api| api.summary()));
    }
    if let Ok(results) = response::decode_json::<Vec<JobWorkresult>>("results", &answer) {
        for result in &results {
            let _ = (
                result.index(),
                result.is_terminal(),
                result.is_failure(),
                result.user_id(),
                result.email(),
            );
        }
    }
    let _ = response::decode_json::<JobDetails>("job", &answer);
    let _ = response::decode_json::<Vec<ScheduledUserstateResult>>("scheduled", &answer);
    let _ = response::decode_json::<NextScheduled>("next", &answer);
    let _ = response::decode_json::<ErrorDetails>("error", &answer);
    let _ = response::decode_job_id("job id", &answer);
    let _ = response::decode_empty(&answer);
    let _ = response::fuzzing::next_link(&answer);
    let _ = jc_transport::retry_after(answer.headers(), std::time::SystemTime::now());
    let _ = jc_transport::request_id(answer.headers());
}

/// Columns a create file may have (the header is rejected as a whole on an unknown column, so
/// unknown ones are only added now and then).
const COLUMNS: &[&str] = &[
    "username",
    "email",
    "firstname",
    "sudo",
    "unix_uid",
    "state",
    "attributes",
    "attributes.x",
    "phoneNumbers.work",
    "addresses.home.locality",
    "mfa.exclusionDays",
    "recoveryEmail.address",
    "delegatedAuthority",
    "mfa",
    "mfa.configured",
    "addresses",
    "addresses.work.locality",
    "recoveryEmail",
];
const UNKNOWN_FOR_CREATE: &[&str] = &["id", "organization", "ssh_keys", "bogus"];

fn cell() -> impl Strategy<Value = String> {
    // Weighted towards values that parse (booleans, numbers, JSON), which reach the deeper paths.
    prop_oneof![
        2 => Just(String::new()),
        2 => "[a-z]{1,8}",
        2 => "[a-z]{1,5}@[a-z]{1,5}\\.com",
        3 => prop_oneof![Just("true"), Just("no"), Just("1")].prop_map(str::to_owned),
        1 => Just("maybe".to_owned()),
        2 => "-?[0-9]{1,22}",
        3 => prop_oneof![
            Just("[{\"name\":\"a\",\"value\":\"b\"}]"),
            Just("[1,\"x\",{\"type\":\"work\"}]"),
            Just("{\"configured\":true}"),
            Just("\"text\""),
            Just("null"),
        ]
        .prop_map(str::to_owned),
        1 => Just("\"quoted, with comma\"".to_owned()),
        2 => any::<String>(),
    ]
}

fn structured_csv() -> impl Strategy<Value = Vec<u8>> {
    (
        proptest::sample::subsequence(COLUMNS.to_vec(), 1..8),
        proptest::option::weighted(0.1, proptest::sample::select(UNKNOWN_FOR_CREATE.to_vec())),
    )
        .prop_map(|(mut header, unknown)| {
            header.extend(unknown);
            header
        })
        .prop_flat_map(|header| {
            let width = header.len();
            // Mostly rows of the header's width (they reach the deep paths), some ragged.
            let row = prop_oneof![
                9 => proptest::collection::vec(cell(), width..=width),
                1 => proptest::collection::vec(cell(), 0..9),
            ];
            (Just(header), proptest::collection::vec(row, 0..6))
        })
        .prop_map(|(header, rows)| {
            // Written with the csv crate, so that quoted cells (JSON, commas) reach the parser's
            // deeper paths instead of only making rows ragged.
            let mut writer = csv::WriterBuilder::new()
                .flexible(true)
                .from_writer(Vec::new());
            writer.write_record(&header).unwrap();
            for row in rows {
                writer.write_record(&row).unwrap();
            }
            writer.into_inner().unwrap()
        })
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f)
            .map_or(serde_json::Value::Null, serde_json::Value::Number)),
        prop_oneof![
            Just("pending"),
            Just("finished"),
            Just("failed"),
            Just("index"),
            Just("2026-01-01T00:00:00Z")
        ]
        .prop_map(serde_json::Value::from),
        any::<String>().prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(serde_json::Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("status".to_owned()),
                    Just("meta".to_owned()),
                    Just("index".to_owned()),
                    Just("jobId".to_owned()),
                    Just("results".to_owned()),
                    Just("events_count".to_owned()),
                    Just("message".to_owned()),
                    "[a-zA-Z]{1,6}"
                ],
                inner,
                0..8,
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    proptest::collection::vec(
        (
            prop_oneof![
                Just("link".to_owned()),
                Just("retry-after".to_owned()),
                Just("x-request-id".to_owned()),
                Just("content-length".to_owned())
            ],
            any::<String>(),
        ),
        0..4,
    )
}

fn token_lifetime_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::json;
    prop_oneof![
        any::<u64>().prop_map(|n| json!(n)),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(
            |n| serde_json::Number::from_f64(n).map_or(json!(null), serde_json::Value::Number)
        ),
        any::<String>().prop_map(|t| json!(t)),
        Just(json!(9_223_372_036_854_775_808u64)),
        Just(json!("18446744073709551616")),
        json_value(),
    ]
}

/// Two requests through a service account whose token endpoint answers `status` with
/// `expires_in` and `token`; must not panic.
fn token_cache(status: u16, expires_in: &serde_json::Value, token: &str) {
    use jc_transport::test_util::{json_response, FnTransport};
    use jc_transport::{BearerAuth, Secret, ServiceAccount, Transport};
    let body = serde_json::json!({"access_token": token, "expires_in": expires_in}).to_string();
    let fetches = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = fetches.clone();
    let inner = FnTransport(move |request: http::Request<Bytes>| {
        let body = body.clone();
        let counted = counted.clone();
        async move {
            if request.uri().path().ends_with("/token") {
                counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                Ok(json_response(status, body))
            } else {
                Ok(json_response(200, "{}"))
            }
        }
    });
    let auth = BearerAuth::new(
        inner,
        ServiceAccount {
            client_id: "id".into(),
            client_secret: Secret::new("secret"),
            token_url: "http://127.0.0.1:9/oauth2/token".into(),
        },
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        for _ in 0..2 {
            let request = http::Request::get("http://127.0.0.1:9/api/v2/x")
                .body(Bytes::new())
                .unwrap();
            let response = auth.send(request).await.unwrap();
            assert!(response.status().as_u16() >= 200);
        }
    });
    if status == 200 && !token.is_empty() {
        let fetched = fetches.load(std::sync::atomic::Ordering::SeqCst);
        assert_eq!(
            fetched, 1,
            "one token for two requests (expires_in {expires_in})"
        );
    }
}

fn config() -> ProptestConfig {
    let mut config = ProptestConfig::with_cases(cases());
    if let Some(seed) = std::env::var("JC_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
    {
        config.rng_seed = proptest::test_runner::RngSeed::Fixed(seed);
    }
    config
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_csv_reader_takes_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        read_csv(&bytes);
    }

    #[test]
    fn the_csv_reader_takes_any_plausible_file(bytes in structured_csv()) {
        read_csv(&bytes);
    }

    #[test]
    fn decoders_take_any_bytes(status in 100u16..600, body in proptest::collection::vec(any::<u8>(), 0..300), headers in headers()) {
        decode_all(status, &body, &headers);
    }

    /// Issue 19 defect 9: whatever the token endpoint answers (`expires_in` of any JSON value,
    /// 2^63 included), fetching and caching a token never panics and every request gets an
    /// answer; the token is never fetched twice for two requests in a row.
    #[test]
    fn the_token_cache_takes_any_token_response(expires_in in token_lifetime_value(), status in prop_oneof![Just(200u16), Just(400), Just(401), Just(500)], token in "[a-zA-Z0-9]{0,12}") {
        token_cache(status, &expires_in, &token);
    }

    #[test]
    fn decoders_take_any_json(status in prop_oneof![Just(200u16), Just(201), Just(400), Just(500)], value in json_value(), headers in headers()) {
        decode_all(status, &serde_json::to_vec(&value).unwrap(), &headers);
    }
}

#[test]
fn the_corpus_of_found_cases_stays_fixed() {
    let corpus = jc_e2e::repo_root().join("tests/fuzz-corpus");
    let mut seen = 0;
    for entry in std::fs::read_dir(corpus.join("csv")).unwrap() {
        read_csv(&std::fs::read(entry.unwrap().path()).unwrap());
        seen += 1;
    }
    for entry in std::fs::read_dir(corpus.join("responses")).unwrap() {
        let body = std::fs::read(entry.unwrap().path()).unwrap();
        for status in [200, 201, 204, 400, 401, 404, 429, 500, 502] {
            decode_all(
                status,
                &body,
                &[
                    ("link".into(), "<>; rel=next".into()),
                    ("retry-after".into(), "99999999999999999999".into()),
                ],
            );
        }
        seen += 1;
    }
    assert!(seen >= 10);
}
