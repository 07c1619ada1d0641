//! The pages of the app; each composes components and calls the store.

pub mod card;
pub mod card_form;
pub mod client_export;
pub mod client_import;
pub mod clients;
pub mod dynamics;
pub mod exchange;
pub mod funnel;
pub mod import;
pub mod interest_fields;
pub mod interest_move;
pub mod login;
pub mod options;
pub mod register;
pub mod sales;
pub mod settings;
pub mod settings_form;
pub mod settings_sales;
pub mod users;
pub mod zones;
