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
pub mod interests;
pub mod login;
pub mod merge;
pub mod notes;
pub mod settings;
pub mod settings_sales;
