//! Turns the global options into a client, an output format, and logging.

use crate::cli::{Format, Global, Logging};
use crate::exit::{CliError, CliResult};
use crate::profiles::{read_secret_file, Profile};
use jc_bulk::{Client, Credentials, HttpSettings, Region};
use std::io::IsTerminal;
use std::time::Duration;

/// The output format: the flag, else a table on a terminal and JSON otherwise.
pub fn format(global: &Global) -> Format {
    global.output.unwrap_or_else(|| {
        if std::io::stdout().is_terminal() {
            Format::Table
        } else {
            Format::Json
        }
    })
}

/// Logs to stderr: warnings by default, info with -v, debug with -vv (never the API key: no layer
/// of the SDK records headers).
pub fn init_logging(logging: &Logging) {
    let level = match (logging.quiet, logging.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, _) => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

/// Where the client goes and who it is, from the flags, the environment and the profile (in
/// that order of precedence).
#[derive(Debug, Clone)]
pub struct Target {
    /// The API base URL.
    pub base_url: String,
    /// The org, if any.
    pub org_id: Option<String>,
    /// The credentials.
    pub credentials: Credentials,
    /// The profile used, if any.
    pub profile: Option<String>,
}

fn nonempty(text: Option<&String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

/// An environment variable's value, trimmed; `None` when unset or blank.
fn env(name: &str) -> Option<String> {
    nonempty(std::env::var(name).ok().as_ref())
}

/// The service account's secret: `--client-secret-file`, then (for a client id of an explicit
/// profile) the profile's reference, then `JC_CLIENT_SECRET`, then the profile's reference.
fn client_secret(global: &Global, profile: &Profile, profile_first: bool) -> CliResult<String> {
    if let Some(file) = &global.client_secret_file {
        return read_secret_file("--client-secret-file", file);
    }
    let from_profile = || -> Option<CliResult<String>> {
        if let Some(name) = &profile.client_secret_env {
            return Some(env(name).ok_or_else(|| {
                CliError::invalid(format!("the profile's client_secret_env {name} is not set"))
            }));
        }
        let file = profile.client_secret_file.as_ref()?;
        Some(read_secret_file("the profile's client_secret_file", file))
    };
    if profile_first {
        if let Some(secret) = from_profile() {
            return secret;
        }
    }
    if let Some(secret) = env("JC_CLIENT_SECRET") {
        return Ok(secret);
    }
    from_profile().unwrap_or_else(|| {
        Err(CliError::invalid(
            "a client id needs its secret: set JC_CLIENT_SECRET or pass --client-secret-file FILE",
        ))
    })
}

/// Where the credentials come from, in order of precedence.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    /// `--api-key` or `--client-id`.
    Flag,
    /// The profile named by `--profile` or `JC_PROFILE` (it beats the environment).
    ChosenProfile,
    /// `JC_API_KEY` or `JC_CLIENT_ID`.
    Environment,
    /// The `default` profile.
    DefaultProfile,
}

/// The profile's own credentials, if it has any.
fn profile_credentials(
    global: &Global,
    profile: &Profile,
    token_url: Option<String>,
    chosen: bool,
) -> CliResult<Option<(Credentials, String)>> {
    match (&profile.api_key_env, &profile.client_id) {
        (Some(_), Some(_)) => Err(CliError::invalid(
            "the profile gives both api_key_env and client_id: keep one",
        )),
        (Some(name), None) => env(name)
            .map(|key| Some((Credentials::ApiKey(key.into()), format!("${name}"))))
            .ok_or_else(|| {
                CliError::invalid(format!("the profile's api_key_env {name} is not set"))
            }),
        (None, Some(client)) => Ok(Some((
            Credentials::ServiceAccount {
                client_id: client.clone(),
                client_secret: jc_bulk::Secret::new(client_secret(global, profile, chosen)?),
                token_url,
            },
            format!("client id {client}"),
        ))),
        (None, None) => Ok(None),
    }
}

/// The credentials and where they came from: `--api-key` / `--client-id`, then the profile
/// named by `--profile` / `JC_PROFILE` (when it has credentials: an explicit profile beats the
/// environment), then `JC_API_KEY` / `JC_CLIENT_ID`, then the `default` profile. An API key and
/// a client id at one level are a usage error.
fn credentials(
    global: &Global,
    profile: &Profile,
    chosen: bool,
) -> CliResult<(Credentials, Source, String)> {
    let token_url = nonempty(global.token_url.as_ref()).or(profile.token_url.clone());
    let account = |client_id: String, what: String, source| -> CliResult<_> {
        let secret = client_secret(global, profile, false)?;
        let credentials = Credentials::ServiceAccount {
            client_id,
            client_secret: jc_bulk::Secret::new(secret),
            token_url: token_url.clone(),
        };
        Ok((credentials, source, what))
    };
    let flag_key = global
        .api_key
        .clone()
        .filter(|k| !k.expose().trim().is_empty());
    match (flag_key, nonempty(global.client_id.as_ref())) {
        (Some(_), Some(_)) => {
            return Err(CliError::invalid(
                "give an API key or a service account's client id, not both",
            ))
        }
        (Some(key), None) => {
            return Ok((Credentials::ApiKey(key), Source::Flag, "--api-key".into()))
        }
        (None, Some(client)) => return account(client, "--client-id".into(), Source::Flag),
        (None, None) => {}
    }
    if chosen {
        if let Some((credentials, what)) =
            profile_credentials(global, profile, token_url.clone(), true)?
        {
            return Ok((credentials, Source::ChosenProfile, what));
        }
    }
    match (env("JC_API_KEY"), env("JC_CLIENT_ID")) {
        (Some(_), Some(_)) => {
            return Err(CliError::invalid(
                "JC_API_KEY and JC_CLIENT_ID are both set: unset one",
            ))
        }
        (Some(key), None) => {
            return Ok((
                Credentials::ApiKey(key.into()),
                Source::Environment,
                "JC_API_KEY".into(),
            ))
        }
        (None, Some(client)) => return account(client, "JC_CLIENT_ID".into(), Source::Environment),
        (None, None) => {}
    }
    match profile_credentials(global, profile, token_url, false)? {
        Some((credentials, what)) => Ok((credentials, Source::DefaultProfile, what)),
        None => Err(CliError::invalid(
            "no credentials: pass --api-key KEY or set JC_API_KEY (JumpCloud admin console > API Settings), or --client-id with JC_CLIENT_SECRET, or choose a profile",
        )),
    }
}

/// The base URL: `--base-url` / `JC_BASE_URL`, then `--region`, then the profile's `base_url`,
/// then its `region`, then the US.
fn base_url(global: &Global, profile: &Profile) -> String {
    nonempty(global.base_url.as_ref())
        .or_else(|| global.region.map(|r| r.base_url().to_owned()))
        .or_else(|| profile.base_url.clone())
        .or_else(|| profile.region.map(|r| r.base_url().to_owned()))
        .unwrap_or_else(|| Region::Us.base_url().to_owned())
}

/// Resolves the target of `global`.
///
/// # Errors
/// A bad or unknown profile, missing or conflicting credentials, an unreadable secret (exit 2).
pub fn target(global: &Global) -> CliResult<Target> {
    // An empty `JC_PROFILE=` (or `--profile ''`) is no profile.
    let chosen = nonempty(global.profile.as_ref());
    let selected = crate::profiles::select(chosen.as_deref())?;
    let (name, profile) = match selected {
        Some((name, profile)) => (Some(name), profile),
        None => (None, Profile::default()),
    };
    let base_url = base_url(global, &profile);
    let org_id = nonempty(global.org_id.as_ref()).or(profile.org_id.clone());
    let (credentials, source, what) = credentials(global, &profile, chosen.is_some())?;
    let profile_name = name.as_deref().unwrap_or("(none)");
    let credentials_from = match source {
        Source::Flag | Source::Environment => what,
        Source::ChosenProfile | Source::DefaultProfile => {
            format!("profile {profile_name} ({what})")
        }
    };
    let setting_from = |flag: &str, env: &str, given: bool, in_profile: bool| {
        if given && std::env::var(env).is_ok_and(|v| !v.trim().is_empty()) {
            format!("{flag} or {env}")
        } else if given {
            flag.to_owned()
        } else if in_profile {
            format!("profile {profile_name}")
        } else {
            "the default".to_owned()
        }
    };
    tracing::info!(
        credentials = %credentials.describe(),
        credentials_from = %credentials_from,
        profile = profile_name,
        base_url = %base_url,
        base_url_from = %setting_from("--base-url", "JC_BASE_URL", nonempty(global.base_url.as_ref()).is_some() || global.region.is_some(), profile.base_url.is_some() || profile.region.is_some()),
        org_id_from = %setting_from("--org-id", "JC_ORG_ID", nonempty(global.org_id.as_ref()).is_some(), profile.org_id.is_some()),
        "jcbulk target"
    );
    Ok(Target {
        base_url,
        org_id,
        credentials,
        profile: name,
    })
}

/// The API client from the global options.
///
/// # Errors
/// No credentials (a one-line error that says how to set them), or a bad setting.
pub fn client(global: &Global) -> Result<Client, CliError> {
    client_for(global, target(global)?)
}

/// The API client of `target`, with the global options' HTTP settings.
///
/// # Errors
/// A bad setting.
pub fn client_for(global: &Global, target: Target) -> Result<Client, CliError> {
    let invalid = |flag: &str, e: jc_bulk::InvalidSetting| {
        CliError::invalid(format!(
            "{flag}: {}",
            e.to_string().replace(e.setting, "it")
        ))
    };
    let http = HttpSettings::new()
        .with_attempt_timeout(Duration::from_secs(global.timeout))
        .map_err(|e| invalid("--timeout", e))?
        .with_max_attempts(global.max_retries.saturating_add(1))
        .map_err(|e| invalid("--max-retries", e))?
        .with_max_requests_per_second(global.max_rps)
        .map_err(|e| invalid("--max-rps", e))?
        .with_ca_files(global.ca_cert.clone())
        .with_allow_insecure_http(global.allow_insecure_http);
    let mut builder = Client::builder()
        .credentials(target.credentials)
        .base_url(target.base_url)
        .http(http);
    if let Some(v1) = global.v1_base_url.clone().filter(|u| !u.trim().is_empty()) {
        builder = builder.v1_base_url(v1);
    }
    if let Some(org) = target.org_id {
        builder = builder.org_id(org);
    }
    builder
        .build()
        .map_err(|e| CliError::invalid(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn global(args: &[&str]) -> Global {
        let mut all = vec!["jcbulk", "users"];
        all.extend_from_slice(args);
        all.extend(["template", "create"]);
        let cli = crate::cli::Cli::try_parse_from(all).unwrap();
        let crate::cli::Command::Users(group) = cli.command else {
            unreachable!("parsed as users")
        };
        Global::new(&group.connection, &cli.logging)
    }

    #[test]
    fn the_base_url_comes_from_flags_then_the_profile() {
        let profile = Profile {
            region: Some(Region::In),
            ..Profile::default()
        };
        let with_url = Profile {
            base_url: Some("http://127.0.0.1:1/api/v2".into()),
            ..profile.clone()
        };
        assert_eq!(
            base_url(&global(&[]), &Profile::default()),
            Region::Us.base_url()
        );
        assert_eq!(base_url(&global(&[]), &profile), Region::In.base_url());
        assert_eq!(
            base_url(&global(&[]), &with_url),
            "http://127.0.0.1:1/api/v2"
        );
        assert_eq!(
            base_url(&global(&["--region", "eu"]), &with_url),
            Region::Eu.base_url()
        );
        let flag = global(&["--region", "eu", "--base-url", "http://127.0.0.1:2/api/v2"]);
        assert_eq!(base_url(&flag, &with_url), "http://127.0.0.1:2/api/v2");
    }

    #[test]
    fn a_client_secret_file_flag_wins_over_the_profile() {
        let profile = Profile {
            client_id: Some("p-client".into()),
            client_secret_env: Some("JCBULK_TEST_UNSET_FOR_SURE".into()),
            ..Profile::default()
        };
        let flags = global(&[
            "--client-id",
            "f-client",
            "--client-secret-file",
            "/nonexistent/secret",
        ]);
        let error = credentials(&flags, &profile, false).unwrap_err();
        assert!(
            error.message.contains("--client-secret-file"),
            "{}",
            error.message
        );
        {
            // A chosen profile's own secret reference comes first, whatever the environment.
            let unset = credentials(&global(&[]), &profile, true).unwrap_err();
            let message = unset.message;
            assert!(
                message.contains("client_secret_env JCBULK_TEST_UNSET_FOR_SURE"),
                "{message}"
            );
        }
    }
}
