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

/// The longest function body jc-cli and jc-bulk may have (issue 10).
const MAX_FUNCTION_LINES: usize = 80;

/// Functions allowed to be longer, as `file:function`, because they read as a script.
const LONG_SCRIPTS: &[&str] = &["crates/jc-cli/src/commands/demo.rs:run"];

/// Every function of rustfmt-formatted `source` with its name, first line and length in lines
/// (signature to closing brace). A function ends at the first line that is its indentation
/// followed by `}`.
fn function_lengths(source: &str) -> Vec<(String, usize, usize)> {
    let lines: Vec<&str> = source.lines().collect();
    let mut found = Vec::new();
    for (start, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let Some(at) = trimmed.find("fn ") else {
            continue;
        };
        let prefix = &trimmed[..at];
        let is_item = prefix.split_whitespace().all(|word| {
            [
                "pub",
                "pub(crate)",
                "pub(super)",
                "async",
                "const",
                "unsafe",
                "extern",
            ]
            .contains(&word)
                || word.starts_with("pub(")
        });
        if !is_item || trimmed.starts_with("//") {
            continue;
        }
        let name: String = trimmed[at + 3..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let indent = &line[..line.len() - trimmed.len()];
        let closing = format!("{indent}}}");
        // A declaration without a body (a trait method) ends with `;` before any `{`.
        let body = lines[start..]
            .iter()
            .position(|l| l.trim_end().ends_with('{'));
        let declaration = lines[start..]
            .iter()
            .position(|l| l.trim_end().ends_with(';'));
        if matches!((body, declaration), (Some(b), Some(d)) if d < b) || body.is_none() {
            continue;
        }
        if let Some(end) = lines[start..]
            .iter()
            .position(|l| l.trim_end() == closing || l.trim_end() == format!("{closing};"))
        {
            found.push((name, start + 1, end + 1));
        }
    }
    found
}

fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_function_of_jc_cli_or_jc_bulk_is_longer_than_80_lines() {
    let root = repo_root();
    let mut files = Vec::new();
    for krate in ["crates/jc-cli/src", "crates/jc-bulk/src"] {
        rust_files(&root.join(krate), &mut files);
    }
    assert!(files.len() > 20, "the sources were found");
    let mut long = Vec::new();
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        let relative = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        for (name, line, length) in function_lengths(&source) {
            let key = format!("{relative}:{name}");
            if length > MAX_FUNCTION_LINES && !LONG_SCRIPTS.contains(&key.as_str()) {
                long.push(format!("{relative}:{line}: fn {name} is {length} lines"));
            }
        }
    }
    assert!(
        long.is_empty(),
        "split these functions:\n{}",
        long.join("\n")
    );
}

#[test]
fn the_function_scanner_measures_bodies_and_skips_declarations() {
    let source = "trait T {\n    fn declared(&self);\n}\n\npub async fn f(\n    a: u8,\n) -> u8 {\n    a\n}\n\nimpl X {\n    pub(crate) fn g() {\n        let x = 1;\n    }\n}\n";
    assert_eq!(
        function_lengths(source),
        [("f".to_owned(), 5, 5), ("g".to_owned(), 12, 3)]
    );
}
