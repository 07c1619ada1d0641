//! # Kartoteka's domain
//!
//! Everything a Kartoteka device or relay knows about clients, with no I/O:
//! the Automerge client and workspace documents and their typed mapping,
//! validation of what people type (INN, KPP, OGRN, phones, e-mail), the rule
//! engine (statuses of work with clients, colour zones, the client exchange),
//! the search index and the demo data generator.
//!
//! The crate compiles natively (for the relay and the command line) and to
//! wasm32 (for the browser app); both run the same code, so every device and
//! the relay compute the same derived answers from the same facts.

pub mod api;
pub mod client;
pub mod conflict;
pub mod date;
pub mod demo;
pub mod document;
pub mod duplicates;
pub mod email;
pub mod export;
pub mod history;
pub mod ids;
pub mod import;
pub mod inn;
pub mod notices;
pub mod phone;
pub mod report;
pub mod rules;
pub mod sales;
pub mod scenario;
pub mod search;
pub mod summary;
pub mod sync;
pub mod timeline;
pub mod users;
pub mod workspace;
