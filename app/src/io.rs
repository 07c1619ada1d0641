//! The app's edges: the only modules that touch IndexedDB ([`idb`]), the
//! relay's HTTP API ([`api`]), its sync socket ([`ws`]), the other tabs
//! of this browser ([`tabs`]) and the browser platform ([`platform`]:
//! service worker, persistent storage, connectivity, the clock).

pub mod api;
pub mod idb;
pub mod platform;
pub mod tabs;
pub mod ws;
