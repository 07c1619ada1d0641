//! The rule engine: statuses of work with clients (SPEC 5), colour zones and
//! the client exchange (SPEC 6), status dynamics, and the `evaluate` format
//! (SPEC 10).
//!
//! Everything here is a pure function of a client's facts, the workspace's
//! settings and an evaluation date, so every device and the relay compute the
//! same answer and nothing derived is ever written into a shared document.
//!
//! - [`config`]: status definitions, rule templates and zone thresholds as
//!   they live in the workspace document, and [`config::RuleSet`], their
//!   validated, ready-to-run form.
//! - [`facts`]: the plain per-client input the app and the relay fill from a
//!   client document.
//! - [`status`]: the status history of one client and the card's "?"
//!   explanation.
//! - [`zone`]: last activity, colour zone, exchange membership and the
//!   effective responsible manager.
//! - [`derived`]: status and zone of every client of a base, evaluated in
//!   bulk (what the app recomputes when facts, rules or the date change).
//! - [`dashboard`]: the zones dashboard's weekly series per manager.
//! - [`dormant`]: the dormant clients a reactivation starts from (SPEC 7).
//! - [`dynamics`]: the Status dynamics report, win-back triggers and their
//!   conversion.
//! - [`evaluate`]: the JSON facts file of `kartoteka evaluate`.
//!
//! ```
//! use chrono::NaiveDate;
//! use kartoteka::rules::config::{RuleSet, StatusConfig};
//! use kartoteka::rules::facts::ClientFacts;
//! use kartoteka::rules::status::status_history;
//!
//! let rules = RuleSet::new(&StatusConfig::default()).expect("the defaults are valid");
//! let day = |d| NaiveDate::from_ymd_opt(2026, 1, d).expect("a January day");
//! let mut facts = ClientFacts::new(day(10));
//! facts.payments.push(day(12));
//! let report = status_history(&rules, &facts, day(20))
//!     .expect("valid facts")
//!     .expect("the client exists on the 20th");
//! // A payment alone does not move a new client: In progress needs an
//! // active Interest, Active needs In progress first.
//! assert_eq!(report.status().as_str(), "new");
//! ```

pub mod config;
pub mod dashboard;
pub mod derived;
pub mod dormant;
pub mod dynamics;
pub mod evaluate;
pub mod facts;
pub mod status;
pub mod zone;
