//! Decoding a page of 100 job results, as every poll does.

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use jc_models::JobWorkresult;

fn decode(c: &mut Criterion) {
    let page: Vec<serde_json::Value> = (0..100)
        .map(|i| serde_json::json!({
            "id": format!("c3{i:022x}"), "status": "finished", "statusMsg": "",
            "meta": {"index": i, "username": format!("user{i}"), "email": format!("user{i}@example.com"), "userId": format!("a1{i:022x}")},
            "persistedFields": {"username": format!("user{i}"), "email": format!("user{i}@example.com"), "firstname": "First", "lastname": "Last"},
            "createdAt": "2026-11-23T10:00:00.000Z", "updatedAt": "2026-11-23T10:00:01.000Z"
        }))
        .collect();
    let body = Bytes::from(serde_json::to_vec(&page).expect("JSON"));
    let mut group = c.benchmark_group("results");
    group.throughput(Throughput::Elements(100));
    group.bench_function("decode_page_of_100", |b| {
        b.iter(|| {
            let response = http::Response::new(body.clone());
            let results: Vec<JobWorkresult> =
                jc_bulk::response::decode_json("results", &response).expect("a page");
            results.len()
        });
    });
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
