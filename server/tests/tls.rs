//! The relay serving HTTPS itself: a client that trusts the relay's
//! (self-signed, made here) certificate gets the API over TLS; bad key files
//! are refused with a sentence.

use std::path::PathBuf;
use std::sync::Arc;

use kartoteka::date::{Date, Timestamp};
use kartoteka_server::tls::{TlsError, TlsListener, server_config};
use kartoteka_server::{AppState, Clock, Store, Transport, app_over, seed};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

struct Files {
    dir: PathBuf,
    cert: PathBuf,
    key: PathBuf,
    cert_der: Vec<u8>,
}

/// A self-signed certificate for `localhost` and its key, in PEM files.
fn certificate(name: &str) -> Result<Files> {
    let dir = std::env::temp_dir().join(format!("kartoteka-tls-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let signed = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])?;
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    std::fs::write(&cert, signed.cert.pem())?;
    std::fs::write(&key, signed.signing_key.serialize_pem())?;
    Ok(Files {
        dir,
        cert,
        key,
        cert_der: signed.cert.der().to_vec(),
    })
}

/// One HTTP/1.1 request over TLS, trusting only `cert_der`; the whole answer.
async fn https_get(addr: std::net::SocketAddr, cert_der: &[u8], path: &str) -> Result<String> {
    let mut roots = RootCertStore::empty();
    roots.add(cert_der.to_vec().into())?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let tcp = tokio::net::TcpStream::connect(addr).await?;
    let mut tls = TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from("localhost")?, tcp)
        .await?;
    tls.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await?;
    let mut answer = Vec::new();
    // The relay may close without close_notify; what arrived is the answer.
    let _ = tls.read_to_end(&mut answer).await;
    Ok(String::from_utf8_lossy(&answer).into_owned())
}

#[tokio::test]
async fn a_browser_trusting_the_certificate_reaches_the_relay_over_https() -> Result {
    let files = certificate("serve")?;
    let store = Store::in_memory()?;
    let today = Date::from_ymd(2026, 11, 22).ok_or("date")?;
    seed::seed_demo(&store, 2, today, 7, Timestamp(1_795_300_000_000))?;
    let state = AppState::new(store, Clock::default(), None);
    let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let listener = TlsListener::new(tcp, server_config(&files.cert, &files.key)?)?;
    let addr = axum::serve::Listener::local_addr(&listener)?;
    let server =
        tokio::spawn(axum::serve(listener, app_over(state, Transport::Https)).into_future());

    // A client that never finishes its handshake holds nobody up (the
    // relay waits 10 s for a handshake).
    let _silent = tokio::net::TcpStream::connect(addr).await?;

    let answer = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        https_get(addr, &files.cert_der, "/api/session"),
    )
    .await??;
    let head = answer
        .split("\r\n\r\n")
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 401"), "{answer}");
    assert!(
        head.contains("strict-transport-security: max-age=31536000"),
        "{head}"
    );
    assert!(head.contains("cache-control: no-store"), "{head}");

    // Plain HTTP on the HTTPS port gets no answer from the API.
    let mut plain = tokio::net::TcpStream::connect(addr).await?;
    plain
        .write_all(b"GET /api/session HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await?;
    let mut got = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        plain.read_to_end(&mut got),
    )
    .await;
    assert!(
        !String::from_utf8_lossy(&got).contains("401"),
        "plain HTTP was served"
    );

    server.abort();
    std::fs::remove_dir_all(&files.dir)?;
    Ok(())
}

#[test]
fn an_operator_is_told_what_is_wrong_with_the_key_files() -> Result {
    let files = certificate("bad")?;
    let other = certificate("other")?;

    let missing = files.dir.join("missing.pem");
    let err = server_config(&missing, &files.key)
        .err()
        .ok_or("accepted")?;
    assert!(
        matches!(err, TlsError::UnreadableCertificates { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("missing.pem"), "{err}");

    // The key given as the certificate: no certificate in it.
    let err = server_config(&files.key, &files.key)
        .err()
        .ok_or("accepted")?;
    assert!(matches!(err, TlsError::NoCertificate(_)), "{err}");

    let err = server_config(&files.cert, &files.cert)
        .err()
        .ok_or("accepted")?;
    assert!(matches!(err, TlsError::UnreadableKey { .. }), "{err}");

    let err = server_config(&files.cert, &other.key)
        .err()
        .ok_or("accepted")?;
    assert!(matches!(err, TlsError::Rejected(_)), "{err}");

    assert!(server_config(&files.cert, &files.key).is_ok());
    std::fs::remove_dir_all(&files.dir)?;
    std::fs::remove_dir_all(&other.dir)?;
    Ok(())
}
