//! JumpCloud's regions and the URLs they imply: a leaf module (it uses nothing of this crate).

/// JumpCloud's data centers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Region {
    /// `https://console.jumpcloud.com/api/v2` (the default).
    #[default]
    Us,
    /// `https://console.eu.jumpcloud.com/api/v2`.
    Eu,
    /// `https://console.in.jumpcloud.com/api/v2`.
    In,
}

impl Region {
    /// The API v2 base URL of the region.
    pub fn base_url(self) -> &'static str {
        match self {
            Self::Us => "https://console.jumpcloud.com/api/v2",
            Self::Eu => "https://console.eu.jumpcloud.com/api/v2",
            Self::In => "https://console.in.jumpcloud.com/api/v2",
        }
    }

    /// The service-account token endpoint of the region ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md) section 24).
    pub fn token_url(self) -> &'static str {
        match self {
            Self::Us => "https://admin-oauth.id.jumpcloud.com/oauth2/token",
            Self::Eu => "https://admin-oauth.id.eu.jumpcloud.com/oauth2/token",
            Self::In => "https://admin-oauth.id.in.jumpcloud.com/oauth2/token",
        }
    }
}

impl std::str::FromStr for Region {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.to_ascii_lowercase().as_str() {
            "us" => Ok(Self::Us),
            "eu" => Ok(Self::Eu),
            "in" => Ok(Self::In),
            _ => Err(format!("unknown region `{text}`: use us, eu or in")),
        }
    }
}

/// The token endpoint for `base_url`: the region's when it is a JumpCloud region's base URL,
/// else the base URL's origin with `/oauth2/token` (a local mock, a test server).
pub fn token_url_for(base_url: &str) -> String {
    for region in [Region::Us, Region::Eu, Region::In] {
        if base_url.trim_end_matches('/') == region.base_url() {
            return region.token_url().to_owned();
        }
    }
    let after_scheme = base_url.find("://").map_or(0, |i| i + 3);
    let origin_end = base_url[after_scheme..]
        .find('/')
        .map_or(base_url.len(), |i| after_scheme + i);
    format!("{}/oauth2/token", &base_url[..origin_end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_urls_follow_the_region_or_the_origin() {
        assert_eq!(
            token_url_for("https://console.eu.jumpcloud.com/api/v2"),
            "https://admin-oauth.id.eu.jumpcloud.com/oauth2/token"
        );
        assert_eq!(
            token_url_for("http://127.0.0.1:8080/api/v2"),
            "http://127.0.0.1:8080/oauth2/token"
        );
    }
}
