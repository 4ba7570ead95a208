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
    /// The environment variable that holds the API key.
    pub api_key_env: Option<String>,
    /// A service account's client id.
    pub client_id: Option<String>,
    /// The environment variable that holds its secret.
    pub client_secret_env: Option<String>,
    /// The file that holds its secret (readable by its owner only).
    pub client_secret_file: Option<PathBuf>,
    /// The token endpoint, when not the region's.
    pub token_url: Option<String>,
}

/// A profile's `region`: us, eu or in, as the SDK's one [`Region`] type.
fn region<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Region>, D::Error> {
    let text: Option<String> = Option::deserialize(deserializer)?;
    text.map(|t| t.parse().map_err(serde::de::Error::custom))
        .transpose()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    profiles: BTreeMap<String, Profile>,
}

/// The config file's path: `$JCBULK_CONFIG`, else the platform's config directory.
pub fn path() -> Option<PathBuf> {
    match std::env::var_os("JCBULK_CONFIG") {
        Some(path) if !path.is_empty() => Some(PathBuf::from(path)),
        _ => dirs::config_dir().map(|dir| dir.join("jcbulk").join("config.toml")),
    }
}

/// Every profile of the file at `path`; none when it does not exist.
///
/// # Errors
/// A file that cannot be read, or any unknown table, key or value, named with the file and
/// the line (exit 2).
pub fn load(path: &Path) -> CliResult<BTreeMap<String, Profile>> {
    if !path.exists() && std::fs::symlink_metadata(path).is_err() {
        return Ok(BTreeMap::new());
    }
    let cap = crate::regular_file::MAX_CONFIG;
    let text = crate::regular_file::read_text("the config file", path, cap)?;
    toml::from_str::<File>(&text)
        .map(|file| file.profiles)
        .map_err(|error| {
            let line = error.span().map_or(1, |span| {
                text[..span.start.min(text.len())].matches('\n').count() + 1
            });
            let message = error.message().trim().replace('\n', " ");
            CliError::invalid(format!("{}:{line}: {message}", path.display()))
        })
}

/// The profile to use: `name` (`--profile` / `JC_PROFILE`), else `default` if the file has
/// one, else none.
///
/// # Errors
/// A named profile the file does not have, or a bad file (exit 2).
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
    match name {
        Some(name) => profiles.remove_entry(name).map(Some).ok_or_else(|| {
            let known: Vec<&String> = profiles.keys().collect();
            CliError::invalid(format!(
                "--profile {name}: {} has no such profile (it has: {known:?})",
                path.display()
            ))
        }),
        None => Ok(profiles.remove_entry("default")),
    }
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
        let error = load(&file).unwrap_err();
        assert!(
            error.message.contains("config.toml:5:"),
            "{}",
            error.message
        );
        std::fs::write(&file, "[profiles.a]\nregion = \"mars\"\n").unwrap();
        assert!(load(&file).unwrap_err().message.contains(":2:"));
        std::fs::write(&file, "[profiles.a]\nregion = \"in\"\norg_id = \"x\"\n").unwrap();
        assert_eq!(load(&file).unwrap()["a"].region, Some(Region::In));
    }
}
