//! Limits on login attempts: a few failures a minute per login and per
//! address, then `429 Too Many Requests` with `Retry-After` until the
//! oldest failure leaves the window. Guessing a password then takes
//! years instead of hours, and one address cannot lock out every login at
//! once faster than its own limit allows.
//!
//! The counts live in the relay's memory: a restart forgets them (an
//! attacker gains one window), and relays sharing a database each count
//! their own. Behind a reverse proxy every request comes from the proxy's
//! address, so the per-address limit is set well above the per-login one.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Mutex, PoisonError};

use axum::extract::connect_info::Connected;
use axum::serve::IncomingStream;

/// Failures of one login allowed in [`WINDOW_MS`].
pub const PER_LOGIN: usize = 5;
/// Failures from one address allowed in [`WINDOW_MS`].
pub const PER_ADDRESS: usize = 20;
/// The window failures are counted in.
pub const WINDOW_MS: i64 = 60_000;
/// Beyond this many remembered keys, those without a recent failure are
/// forgotten (a flood of made-up logins cannot grow memory without end).
const MAX_KEYS: usize = 10_000;

/// The address a request came from, as the relay's TLS listener saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerAddr(pub SocketAddr);

impl Connected<IncomingStream<'_, crate::tls::TlsListener>> for PeerAddr {
    fn connect_info(stream: IncomingStream<'_, crate::tls::TlsListener>) -> Self {
        PeerAddr(*stream.remote_addr())
    }
}

/// The address a request came from: over plain HTTP the listener's own
/// `ConnectInfo<SocketAddr>`, over the relay's TLS a [`PeerAddr`], in
/// tests a `MockConnectInfo<SocketAddr>`.
pub fn client_address(extensions: &axum::http::Extensions) -> Option<IpAddr> {
    use axum::extract::connect_info::{ConnectInfo, MockConnectInfo};
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
        .or_else(|| {
            extensions
                .get::<ConnectInfo<PeerAddr>>()
                .map(|ConnectInfo(PeerAddr(addr))| addr.ip())
        })
        .or_else(|| {
            extensions
                .get::<MockConnectInfo<SocketAddr>>()
                .map(|MockConnectInfo(addr)| addr.ip())
        })
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Login(String),
    Address(IpAddr),
}

/// The failed login attempts of the last minute.
#[derive(Debug, Default)]
pub struct LoginLimits {
    failures: Mutex<HashMap<Key, Vec<i64>>>,
}

impl LoginLimits {
    /// `Err(seconds)` when `login` or `address` has failed too often and
    /// must wait that long before the next attempt.
    pub fn check(&self, login: &str, address: Option<IpAddr>, now_ms: i64) -> Result<(), u64> {
        let failures = self.lock();
        let wait = |key: &Key, limit: usize| -> i64 {
            let recent: Vec<i64> = failures
                .get(key)
                .map(|times| {
                    times
                        .iter()
                        .copied()
                        .filter(|t| now_ms - t < WINDOW_MS)
                        .collect()
                })
                .unwrap_or_default();
            if recent.len() < limit {
                return 0;
            }
            // Free again when enough of them leave the window.
            let freeing = recent[recent.len() - limit];
            freeing + WINDOW_MS - now_ms
        };
        let mut longest = wait(&Key::Login(normal(login)), PER_LOGIN);
        if let Some(address) = address {
            longest = longest.max(wait(&Key::Address(address), PER_ADDRESS));
        }
        if longest > 0 {
            // Whole seconds, rounded up: never invite a retry too early.
            Err(u64::try_from((longest + 999) / 1000).unwrap_or(1).max(1))
        } else {
            Ok(())
        }
    }

    /// Counts a failed attempt.
    pub fn failed(&self, login: &str, address: Option<IpAddr>, now_ms: i64) {
        let mut failures = self.lock();
        if failures.len() >= MAX_KEYS {
            failures.retain(|_, times| times.iter().any(|t| now_ms - t < WINDOW_MS));
        }
        let mut push = |key: Key| {
            let times = failures.entry(key).or_default();
            times.retain(|t| now_ms - t < WINDOW_MS);
            times.push(now_ms);
        };
        push(Key::Login(normal(login)));
        if let Some(address) = address {
            push(Key::Address(address));
        }
    }

    /// A successful login clears the failures of that login (not of the
    /// address: one right password does not excuse guessing others).
    pub fn succeeded(&self, login: &str) {
        self.lock().remove(&Key::Login(normal(login)));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Vec<i64>>> {
        self.failures.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Logins compare without case or surrounding spaces, as the store does.
fn normal(login: &str) -> String {
    login.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const HOME: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1)));

    #[test]
    fn a_login_waits_after_five_failures_until_the_first_leaves_the_minute() {
        let limits = LoginLimits::default();
        for i in 0..PER_LOGIN as i64 {
            assert_eq!(limits.check("petrov", HOME, i * 1000), Ok(()));
            limits.failed("petrov", HOME, i * 1000);
        }
        // The first failure was at 0 s: free again at 60 s.
        assert_eq!(limits.check("PETROV ", HOME, 10_000), Err(50));
        assert_eq!(limits.check("petrov", HOME, 59_001), Err(1));
        assert_eq!(limits.check("petrov", HOME, 60_000), Ok(()));
        // Another login from another address is not held up.
        assert_eq!(limits.check("ivanova", None, 10_000), Ok(()));
    }

    #[test]
    fn an_address_waits_after_twenty_failures_whatever_the_logins() {
        let limits = LoginLimits::default();
        for i in 0..PER_ADDRESS {
            limits.failed(&format!("guess{i}"), HOME, 1000);
        }
        assert_eq!(limits.check("someone", HOME, 2000), Err(59));
        assert_eq!(limits.check("someone", None, 2000), Ok(()));
    }

    #[test]
    fn a_right_password_clears_the_login_but_not_the_address() {
        let limits = LoginLimits::default();
        for _ in 0..PER_LOGIN {
            limits.failed("petrov", HOME, 0);
        }
        limits.succeeded("petrov");
        assert_eq!(limits.check("petrov", None, 1), Ok(()));
    }

    proptest! {
        #[test]
        fn the_wait_is_never_past_the_window_and_ends_when_said(
            times in proptest::collection::vec(0i64..120_000, 0..30),
            probe in 0i64..200_000,
        ) {
            let limits = LoginLimits::default();
            let mut times = times;
            times.sort_unstable();
            for t in &times {
                limits.failed("x", None, *t);
            }
            let now = probe.max(*times.last().unwrap_or(&0));
            match limits.check("x", None, now) {
                Ok(()) => {
                    let recent = times.iter().filter(|t| now - **t < WINDOW_MS).count();
                    prop_assert!(recent < PER_LOGIN);
                }
                Err(secs) => {
                    prop_assert!((1..=60).contains(&secs));
                    let later = now + i64::try_from(secs).unwrap_or(60) * 1000;
                    prop_assert_eq!(limits.check("x", None, later), Ok(()));
                }
            }
        }
    }
}
