//! CSV row -> `BulkUserCreate` (typed, validated) -> JSON, the path every imported row takes.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use jc_cli::csv::{CsvFile, Kind};
use jc_models::BulkUserCreate;
use std::io::Write;

const ROWS: usize = 10_000;

fn csv_to_json(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("users.csv");
    let mut file = std::fs::File::create(&path).expect("a file");
    writeln!(file, "username,email,firstname,lastname,department,jobTitle,employeeIdentifier,sudo,phoneNumbers.work,attributes.costCenter").unwrap();
    for i in 0..ROWS {
        writeln!(file, "user{i},user{i}@example.com,First{i},Last{i},Engineering,Analyst,E-{i:06},no,+1 555 {i:04},CC-{}", i % 97).unwrap();
    }
    drop(file);
    let mut group = c.benchmark_group("csv");
    group.throughput(Throughput::Elements(ROWS as u64));
    group.bench_function("row_to_json", |b| {
        b.iter(|| {
            let mut csv = CsvFile::open(&path, Kind::Create).expect("a valid file");
            let mut bytes = 0;
            while let Some(row) = csv.next_row::<BulkUserCreate>() {
                let record = row.record.expect("a valid row");
                bytes += serde_json::to_vec(&record).expect("JSON").len();
            }
            bytes
        });
    });
    group.finish();
}

criterion_group!(benches, csv_to_json);
criterion_main!(benches);
