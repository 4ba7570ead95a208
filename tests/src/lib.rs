//! Helpers shared by the cross-crate tests: where the repository's files are, and the spec
//! loaded as JSON.

use serde_json::Value;
use std::path::PathBuf;

/// The repository's root directory.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// The wire contract, `spec/jumpcloud-v2-bulk.openapi.yaml`, as a JSON value.
///
/// # Panics
/// When the file is missing or is not YAML (a test setup error).
pub fn spec() -> Value {
    spec_file("jumpcloud-v2-bulk.openapi.yaml")
}

/// The v1 system-user subset (CONTRACT.md sections 19-23), parsed.
///
/// # Panics
/// When the file is missing or not YAML.
pub fn spec_v1() -> Value {
    spec_file("jumpcloud-v1-systemusers.openapi.yaml")
}

/// The v2 user-group subset (CONTRACT.md sections 25-35), parsed.
///
/// # Panics
/// When the file is missing or not YAML.
pub fn spec_groups() -> Value {
    spec_file("jumpcloud-v2-usergroups.openapi.yaml")
}

/// The v1 organizations subset (CONTRACT.md sections 32-34), parsed.
///
/// # Panics
/// When the file is missing or not YAML.
pub fn spec_orgs() -> Value {
    spec_file("jumpcloud-v1-organizations.openapi.yaml")
}

fn spec_file(name: &str) -> Value {
    let path = repo_root().join("spec").join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    serde_norway::from_str(&text)
        .unwrap_or_else(|error| panic!("{} is not YAML: {error}", path.display()))
}

/// A schema of `components.schemas` by its spec name.
///
/// # Panics
/// When the spec has no such schema.
pub fn schema<'a>(spec: &'a Value, name: &str) -> &'a Value {
    spec.pointer(&format!("/components/schemas/{name}"))
        .unwrap_or_else(|| panic!("the spec has no schema {name}"))
}

/// The JSON bodies of the `curl ... -d '<json>'` / `--data '<json>'` samples in `text`, in order.
/// Escaped quotes (`\"`, as the seed documents write them) are unescaped first.
///
/// # Panics
/// When a sample body is not JSON.
pub fn curl_bodies(text: &str) -> Vec<Value> {
    let text = text.replace("\\\"", "\"");
    let mut bodies = Vec::new();
    for marker in ["-d '", "--data '"] {
        let mut rest = text.as_str();
        while let Some(start) = rest.find(marker) {
            rest = &rest[start + marker.len()..];
            // The first complete JSON value; some seeds drop the closing quote.
            let mut values = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
            match values.next() {
                Some(Ok(value)) => bodies.push(value),
                Some(Err(error)) => panic!("sample body is not JSON ({error}): {rest}"),
                None => break,
            }
            rest = &rest[values.byte_offset()..];
        }
    }
    bodies
}

/// A file of `spec/seeds/` (the API documents the project started from), as text.
///
/// # Panics
/// When the file is missing.
pub fn seed(name: &str) -> String {
    let path = repo_root().join("spec/seeds").join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

pub mod api;
pub mod samples;
pub mod spec_check;
