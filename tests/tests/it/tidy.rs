//! Workspace invariants as tests (rust-analyzer's "tidy"): dependencies point down only.
//! models <- transport <- bulk <- cli, and models <- mock <- cli; the mock never uses the client.

use jc_e2e::repo_root;

/// The `jc-*` crates named in the `[dependencies]` table of a crate's manifest.
fn jc_dependencies(manifest: &str) -> Vec<String> {
    let mut in_dependencies = false;
    let mut found = Vec::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_dependencies = line == "[dependencies]";
            continue;
        }
        if in_dependencies && line.starts_with("jc-") {
            if let Some(name) = line.split(['=', '.', ' ']).next() {
                found.push(name.to_owned());
            }
        }
    }
    found
}

#[test]
fn dependencies_point_down_only() {
    let allowed: &[(&str, &[&str])] = &[
        ("jc-models", &[]),
        ("jc-transport", &["jc-models"]),
        ("jc-bulk", &["jc-models", "jc-transport"]),
        ("jc-mock", &["jc-models"]),
        (
            "jc-cli",
            &["jc-models", "jc-transport", "jc-bulk", "jc-mock"],
        ),
    ];
    let crates = repo_root().join("crates");
    let mut seen = 0;
    for entry in std::fs::read_dir(&crates).unwrap() {
        let dir = entry.unwrap().path();
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        let Some((_, permitted)) = allowed.iter().find(|(crate_name, _)| *crate_name == name)
        else {
            panic!("crate {name} has no place in the layering: add it to this test");
        };
        for dependency in jc_dependencies(&manifest) {
            assert!(
                permitted.contains(&dependency.as_str()),
                "{name} must not depend on {dependency}"
            );
        }
        seen += 1;
    }
    assert!(seen >= 2);
}

#[test]
fn the_scanner_sees_dependencies() {
    let manifest = "[package]\nname = \"x\"\n[dependencies]\njc-models.workspace = true\njc-bulk = { path = \"../jc-bulk\" }\nserde = \"1\"\n[dev-dependencies]\njc-mock.workspace = true\n";
    assert_eq!(jc_dependencies(manifest), ["jc-models", "jc-bulk"]);
}
