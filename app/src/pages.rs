//! The pages of the app; each composes components and calls the store.

pub mod card;
pub mod card_form;
pub mod card_status;
pub mod clients;
pub mod conflicts;
pub mod contacts;
pub mod dynamics;
pub mod funnel;
pub mod history;
pub mod import;
pub mod interest_fields;
pub mod interest_move;
pub mod interests;
pub mod login;
pub mod merge;
pub mod notes;
pub mod potential;
pub mod register;
pub mod sales;
pub mod settings;
pub mod settings_sales;
pub mod timeline;
