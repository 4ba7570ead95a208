//! The rustls client configuration: ring provider, OS roots plus extra CA certificates.

use super::BuildError;
use rustls::RootCertStore;
use rustls_pki_types::{pem::PemObject, CertificateDer};
use std::sync::Arc;

/// Where trusted roots come from.
#[derive(Debug, Clone, Default)]
pub(crate) struct Trust {
    /// Load the operating system's root store.
    pub(crate) native_roots: bool,
    /// Extra CA certificates, as PEM text (corporate TLS proxies, test CAs).
    pub(crate) extra_pem: Vec<Vec<u8>>,
}

pub(crate) fn client_config(trust: &Trust) -> Result<rustls::ClientConfig, BuildError> {
    let mut roots = RootCertStore::empty();
    if trust.native_roots {
        // Unreadable system certificates are skipped: the others still serve.
        let found = rustls_native_certs::load_native_certs();
        for cert in found.certs {
            let _ = roots.add(cert);
        }
    }
    for pem in &trust.extra_pem {
        let mut added = 0;
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|error| BuildError::CaBundle(error.to_string()))?;
            roots
                .add(cert)
                .map_err(|error| BuildError::CaBundle(error.to_string()))?;
            added += 1;
        }
        if added == 0 {
            return Err(BuildError::CaBundle(
                "no certificate found in the PEM bundle".into(),
            ));
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| BuildError::Tls(error.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(config)
}
