//! Named profiles: a TOML file (`$JCBULK_CONFIG`, else `config.toml` in the platform's config
//! directory, `~/.config/jcbulk/` on Linux) whose `[profiles.NAME]` tables set the region, base
//! URL, org and credentials. Credentials are references only: the name of an environment
//! variable or of a file that holds the secret; jcbulk never writes a secret into the file.
//! Flags win over environment variables, which win over the profile.
//!
//! ```toml
//! [profiles.default]
//! region = "eu"
//! org_id = "5f0c1b2c3d4e5f6a7b8c9d0e"
//! api_key_env = "ACME_JC_KEY"
//!
//! [profiles.msp-globex]
//! client_id = "8f2a..."
//! client_secret_file = "~/.secrets/globex"
//! ```

use crate::exit::{CliError, CliResult};
use jc_bulk::Region;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One profile.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// `us`, `eu` or `in`.
    #[serde(default, deserialize_with = "region")]
    pub region: Option<Region>,
    /// The API base URL.
    pub base_url: Option<String>,
    /// The org id.
    pub org_id: Option<String>,
    /// The environment variable that holds the API key (a variable's name; a value that is not
    /// one is refused without being shown: it may be the key itself).
    #[serde(default, deserialize_with = "env_name")]
    pub api_key_env: Option<String>,
    /// A service account's client id.
    pub client_id: Option<String>,
    /// The environment variable that holds its secret (a variable's name, as for `api_key_env`).
    #[serde(default, deserialize_with = "env_name")]
    pub client_secret_env: Option<String>,
    /// The file that holds its secret (readable by its owner only).
    pub client_secret_file: Option<PathBuf>,
    /// The token endpoint, when not the region's.
    pub token_url: Option<String>,
    /// The orgs a command runs in, each in turn, when no `--org-id` or `--orgs` is given: a
    /// list of ids, or `"all"`.
    pub orgs: Option<ProfileOrgs>,
}

/// A profile's `orgs`: ids, or `"all"`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(untagged)]
pub enum ProfileOrgs {
    /// These org ids.
    Ids(Vec<String>),
    /// `"all"` (every org `jcbulk orgs list` shows).
    All(String),
}

impl ProfileOrgs {
    /// As the value of `--orgs`.
    pub fn spec(&self) -> String {
        match self {
            Self::Ids(ids) => ids.join(","),
            Self::All(text) => text.clone(),
        }
    }
}

/// A profile's `region`: us, eu or in, as the SDK's one [`Region`] type.
fn region<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Region>, D::Error> {
    let text: Option<String> = Option::deserialize(deserializer)?;
    text.map(|t| t.parse().map_err(serde::de::Error::custom))
        .transpose()
}

/// A `*_env` setting: the name of an environment variable (letters, digits and `_`, not starting
/// with a digit). Anything else is refused, and never echoed: it may be the secret itself.
fn env_name<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let text: Option<String> = Option::deserialize(deserializer)?;
    match text {
        Some(name) if is_env_name(&name) => Ok(Some(name)),
        Some(_) => Err(serde::de::Error::custom(
            "must be the name of an environment variable (letters, digits and _, not starting with a digit); the value given is not shown, as it may be the secret itself",
        )),
        None => Ok(None),
    }
}

/// Whether `name` looks like an environment variable's name.
fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    profiles: BTreeMap<String, Profile>,
}

/// The file read leniently: each profile's table, to be read on its own.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LooseFile {
    #[serde(default)]
    profiles: BTreeMap<String, toml::Value>,
}

/// Every profile of a file, each read on its own: a bad one is an error only for the commands
/// that use it (and `profiles list` says what is wrong with it).
pub type Profiles = BTreeMap<String, Result<Profile, String>>;

/// The config file's path: `$JCBULK_CONFIG`, else the platform's config directory.
pub fn path() -> Option<PathBuf> {
    match std::env::var_os("JCBULK_CONFIG") {
        Some(path) if !path.is_empty() => Some(PathBuf::from(path)),
        _ => dirs::config_dir().map(|dir| dir.join("jcbulk").join("config.toml")),
    }
}

/// Every profile of the file at `path` (none when it does not exist), each read on its own.
///
/// # Errors
/// A file that cannot be read, is not a regular file of at most 1 MiB, is not TOML, or has an
/// unknown top-level table or key, named with the file and the line (exit 2). A profile with an
/// unknown key or a bad value is not an error here: its entry holds the error, named with the
/// file and the line.
pub fn load(path: &Path) -> CliResult<Profiles> {
    if std::fs::symlink_metadata(path).is_err() {
        return Ok(BTreeMap::new());
    }
    let cap = crate::regular_file::MAX_CONFIG;
    let text = crate::regular_file::read_text("the config file", path, cap)?;
    let located = |error: &toml::de::Error| {
        let line = error.span().map_or(1, |span| {
            text[..span.start.min(text.len())].matches('\n').count() + 1
        });
        let message = error.message().trim().replace('\n', " ");
        (line, format!("{}:{line}: {message}", path.display()))
    };
    let strict = match toml::from_str::<File>(&text) {
        Ok(file) => return Ok(file.profiles.into_iter().map(|(n, p)| (n, Ok(p))).collect()),
        Err(error) => located(&error),
    };
    // Not every profile reads: the file itself must, then each profile on its own.
    let loose =
        toml::from_str::<LooseFile>(&text).map_err(|error| CliError::invalid(located(&error).1))?;
    let culprit = profile_at(&text, strict.0);
    Ok(loose
        .profiles
        .into_iter()
        .map(|(name, value)| {
            let read = value.try_into::<Profile>().map_err(|error| {
                if culprit.as_deref() == Some(name.as_str()) {
                    strict.1.clone()
                } else {
                    let message = error.message().trim().replace('\n', " ");
                    format!("{}: profile {name}: {message}", path.display())
                }
            });
            (name, read)
        })
        .collect())
}

/// The profile whose table holds line `line` of `text` (the last `[profiles.NAME]` header
/// before it).
fn profile_at(text: &str, line: usize) -> Option<String> {
    text.lines()
        .take(line)
        .filter_map(|l| {
            let header = l.trim().strip_prefix("[profiles.")?.strip_suffix(']')?;
            Some(header.trim().trim_matches('"').to_owned())
        })
        .last()
}

/// The profile to use: `name` (`--profile` / `JC_PROFILE`), else `default` if the file has
/// one, else none.
///
/// # Errors
/// A named profile the file does not have, a bad file, or a bad profile when it is the one
/// used (exit 2); other profiles' problems do not matter here.
pub fn select(name: Option<&str>) -> CliResult<Option<(String, Profile)>> {
    let Some(path) = path() else {
        return match name {
            Some(name) => Err(CliError::invalid(format!(
                "--profile {name}: no config directory on this system; set JCBULK_CONFIG"
            ))),
            None => Ok(None),
        };
    };
    let mut profiles = load(&path)?;
    let (name, profile) = match name {
        Some(name) => profiles.remove_entry(name).ok_or_else(|| {
            let known: Vec<&String> = profiles.keys().collect();
            CliError::invalid(format!(
                "--profile {name}: {} has no such profile (it has: {known:?})",
                path.display()
            ))
        })?,
        None => match profiles.remove_entry("default") {
            Some(entry) => entry,
            None => return Ok(None),
        },
    };
    profile
        .map(|profile| Some((name, profile)))
        .map_err(CliError::invalid)
}

/// Reads a secret from `file`, which its owner alone may read.
///
/// # Errors
/// A file readable by group or others, or that cannot be read (exit 2), named with `what`.
pub fn read_secret_file(what: &str, file: &Path) -> CliResult<String> {
    let file = expand_home(file);
    let metadata = std::fs::metadata(&file)
        .map_err(|e| CliError::invalid(format!("{what} {}: {e}", file.display())))?;
    // Only a regular file of at most 8 KiB (a FIFO would block, /dev/zero fill the memory).
    crate::regular_file::regular_if_present(what, &file)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(CliError::invalid(format!(
                "{what} {}: the file is readable by others (mode {mode:03o}): run `chmod 600 {}` first",
                file.display(),
                file.display()
            )));
        }
    }
    #[cfg(not(unix))]
    let _ = metadata;
    let cap = crate::regular_file::MAX_SECRET;
    let text = crate::regular_file::read_text(what, &file, cap)?;
    // A byte-order mark (Windows editors) is not part of the secret.
    Ok(text.trim_start_matches('\u{feff}').trim().to_owned())
}

fn expand_home(path: &Path) -> PathBuf {
    match (path.strip_prefix("~"), dirs::home_dir()) {
        (Ok(rest), Some(home)) => home.join(rest),
        _ => path.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_and_values_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        std::fs::write(
            &file,
            "[profiles.a]\nregion = \"eu\"\n\n[profiles.b]\napi_key = \"oops\"\n",
        )
        .unwrap();
        let profiles = load(&file).unwrap();
        let error = profiles["b"].as_ref().unwrap_err();
        assert!(error.contains("config.toml:5:"), "{error}");
        assert_eq!(
            profiles["a"].as_ref().unwrap().region,
            Some(Region::Eu),
            "a still reads"
        );
        std::fs::write(&file, "[profiles.a]\nregion = \"mars\"\n").unwrap();
        assert!(load(&file).unwrap()["a"]
            .as_ref()
            .unwrap_err()
            .contains(":2:"));
        std::fs::write(&file, "[profiles.a]\nregion = \"in\"\norg_id = \"x\"\n").unwrap();
        assert_eq!(
            load(&file).unwrap()["a"].as_ref().unwrap().region,
            Some(Region::In)
        );
        std::fs::write(&file, "[nonsense]\nx = 1\n").unwrap();
        assert!(
            load(&file).unwrap_err().message.contains(":1:"),
            "a bad file is an error"
        );
    }

    /// Issue 19 defect 12: a `*_env` value that is not a variable's name is refused, and
    /// never shown (it may be the key itself).
    #[test]
    fn env_settings_must_name_a_variable_and_are_never_echoed() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        for key in ["api_key_env", "client_secret_env"] {
            std::fs::write(
                &file,
                format!("[profiles.a]\n{key} = \"SECRET-k3y/value=\"\n"),
            )
            .unwrap();
            let profiles = load(&file).unwrap();
            let error = profiles["a"].as_ref().unwrap_err();
            assert!(error.contains("name of an environment variable"), "{error}");
            assert!(!error.contains("SECRET-k3y"), "{error}");
        }
        assert!(is_env_name("ACME_JC_KEY") && is_env_name("_x1"));
        assert!(!is_env_name("1X") && !is_env_name("") && !is_env_name("a-b"));
    }
}
