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

/// The code lines of `source` before its test module: comments (docs included) and
/// `#[cfg(test)]` code are not the layering.
fn code_lines(source: &str) -> impl Iterator<Item = (usize, &str)> {
    source
        .lines()
        .enumerate()
        .take_while(|(_, line)| line.trim() != "#[cfg(test)]")
        .filter(|(_, line)| !line.trim_start().starts_with("//"))
        .map(|(i, line)| (i + 1, line))
}

/// Whether `line` names `word` as a whole identifier.
fn names(line: &str, word: &str) -> bool {
    line.match_indices(word).any(|(at, _)| {
        let ident = |c: char| c.is_alphanumeric() || c == '_';
        let before = line[..at].chars().next_back().is_none_or(|c| !ident(c));
        let after = line[at + word.len()..]
            .chars()
            .next()
            .is_none_or(|c| !ident(c));
        before && after
    })
}

/// Issue 18 point 1: jc-bulk's layers. `Client` is the façade on top: nothing below `client/`
/// names it (operations, waits, imports, pacing and paging take the `Session`); `region.rs` is a
/// leaf; the session knows nothing of the layers above it.
#[test]
fn jc_bulk_modules_keep_their_layers() {
    let root = repo_root().join("crates/jc-bulk/src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut broken = Vec::new();
    let above_session = [
        "crate::client",
        "crate::ops",
        "crate::import",
        "crate::wait",
        "crate::pace",
        "crate::refresh",
        "crate::paginate",
        "crate::control",
        "crate::driven",
    ];
    for file in files {
        let relative = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if relative.ends_with("/tests.rs") {
            continue; // a unit-test module in its own file
        }
        let source = std::fs::read_to_string(&file).unwrap();
        for (number, line) in code_lines(&source) {
            let at = format!("{relative}:{number}: {}", line.trim());
            let facade = relative.starts_with("client/") || relative == "lib.rs";
            if !facade && names(line, "Client") {
                broken.push(format!("{at} (names the façade below client/)"));
            }
            if relative == "region.rs" && line.contains("crate::") {
                broken.push(format!("{at} (region.rs is a leaf)"));
            }
            if relative == "session.rs" && above_session.iter().any(|m| line.contains(m)) {
                broken.push(format!("{at} (the session uses a layer above it)"));
            }
        }
    }
    assert!(broken.is_empty(), "layering broken:\n{}", broken.join("\n"));
}

#[test]
fn the_layer_scanner_sees_identifiers_not_comments_or_tests() {
    assert!(names("use crate::client::Client;", "Client"));
    assert!(!names("ClientBuilder::default()", "Client"));
    assert!(!names("let client = x;", "Client"));
    let source =
        "//! [`Client`]\nfn a(c: Client) {}\n#[cfg(test)]\nmod tests { use crate::Client; }\n";
    let lines: Vec<_> = code_lines(source)
        .filter(|(_, l)| names(l, "Client"))
        .collect();
    assert_eq!(lines, [(2, "fn a(c: Client) {}")]);
}

/// Issue 18: no source file of the workspace's crates is longer than this.
const MAX_FILE_LINES: usize = 500;

#[test]
fn no_source_file_is_longer_than_500_lines() {
    let root = repo_root();
    let mut files = Vec::new();
    for dir in ["crates", "xtask/src", "tests/src", "tests/tests"] {
        rust_files(&root.join(dir), &mut files);
    }
    let long: Vec<String> = files
        .iter()
        .filter(|f| !f.components().any(|c| c.as_os_str() == "target"))
        .filter_map(|file| {
            let lines = std::fs::read_to_string(file).unwrap().lines().count();
            let relative = file.strip_prefix(&root).unwrap().display().to_string();
            (lines > MAX_FILE_LINES).then(|| format!("{relative}: {lines} lines"))
        })
        .collect();
    assert!(long.is_empty(), "split these files:\n{}", long.join("\n"));
}

/// Issue 18 point 8: docs.rs readers cannot follow a bare file name, so rustdoc of the library
/// crates that cites the contract links to it in the repository.
#[test]
fn library_rustdoc_links_the_contract() {
    let root = repo_root();
    let mut files = Vec::new();
    for krate in ["jc-models", "jc-transport", "jc-bulk", "jc-mock"] {
        rust_files(&root.join("crates").join(krate).join("src"), &mut files);
    }
    let mut bare = Vec::new();
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        for (number, line) in source.lines().enumerate() {
            let doc = line.trim_start();
            let is_doc = doc.starts_with("///") || doc.starts_with("//!");
            if is_doc && doc.contains("CONTRACT.md") && !doc.contains("[CONTRACT.md](https://") {
                bare.push(format!("{}:{}: {doc}", file.display(), number + 1));
            }
        }
    }
    assert!(bare.is_empty(), "link the contract:\n{}", bare.join("\n"));
}

/// Issue 18 point 2: the chunk pipeline runs in one direction. Its driver (`chunk/mod.rs`) moves
/// from stage to stage; a stage file uses no later stage, and none calls back into the driver's
/// stages (`wait` reads `submit`'s result type; what a record's outcome is, is decided in
/// `import/verdict.rs`, checked below).
#[test]
fn the_chunk_stages_never_call_each_other_back() {
    let dir = repo_root().join("crates/jc-bulk/src/import/chunk");
    let allowed: &[(&str, &[&str])] = &[
        ("submit.rs", &["Shared", "KnownJob"]),
        ("wait.rs", &["submit", "Shared"]),
        ("reconcile.rs", &["Shared"]),
    ];
    let mut broken = Vec::new();
    for (file, uses) in allowed {
        let source = std::fs::read_to_string(dir.join(file)).unwrap();
        for (number, line) in code_lines(&source) {
            let Some(rest) = line.trim().strip_prefix("use super::") else {
                continue;
            };
            let module = rest.split([':', ';', ' ']).next().unwrap_or_default();
            if !uses.contains(&module) {
                broken.push(format!("chunk/{file}:{number}: {}", line.trim()));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "stages calling back:\n{}",
        broken.join("\n")
    );
}

/// Issue 18 point 2: whether a record is applied, failed, not submitted or unknown is decided
/// in one function (`import/verdict.rs`): no other file of the import builds an `Outcome`.
#[test]
fn only_the_verdict_builds_an_outcome() {
    let root = repo_root().join("crates/jc-bulk/src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let variants = ["Applied", "Failed", "NotSubmitted", "Unknown"];
    let mut built = Vec::new();
    for file in files.iter().filter(|f| !f.ends_with("import/verdict.rs")) {
        let source = std::fs::read_to_string(file).unwrap();
        for (number, line) in code_lines(&source) {
            let line = line.trim();
            // The membership changes' own `ChangeOutcome` is another type.
            let builds = !line.contains("ChangeOutcome::")
                && variants.iter().any(|v| {
                    line.ends_with(&format!("Outcome::{v} {{"))
                        || line.contains(&format!("Outcome::{v} {{ reason }}"))
                });
            if builds {
                built.push(format!("{}:{number}: {line}", file.display()));
            }
        }
    }
    assert!(
        built.is_empty(),
        "outcomes built outside verdict.rs:\n{}",
        built.join("\n")
    );
}

/// Issue 18 point 7: in jc-cli, commands sit on top: no module below `commands/` (the CSV
/// convention, config, reports, journal, ...) reaches up into a command.
#[test]
fn no_jc_cli_module_below_the_commands_uses_them() {
    let root = repo_root().join("crates/jc-cli/src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut broken = Vec::new();
    for file in files {
        let relative = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if relative.starts_with("commands/") || relative == "lib.rs" || relative == "main.rs" {
            continue;
        }
        let source = std::fs::read_to_string(&file).unwrap();
        for (number, line) in code_lines(&source) {
            if line.contains("crate::commands") {
                broken.push(format!("{relative}:{number}: {}", line.trim()));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "lower modules using commands:\n{}",
        broken.join("\n")
    );
}
