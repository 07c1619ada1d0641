//! Small reusable pieces of the interface: they render and forward events;
//! decisions are made by pages and by `kartoteka` (the domain crate).

pub mod base_duplicates;
pub mod bell;
pub mod channels;
pub mod client_picker;
pub mod editor;
pub mod field;
pub mod focus;
pub mod give;
pub mod header;
pub mod nav_menu;
pub mod opener;
pub mod same_inn;
pub mod status;
pub mod toast;
pub mod update;
pub mod virtual_rows;
pub mod worklist;
pub mod zone_chart;
