//! Reports computed from the read model (SPEC 8). Each report is a pure
//! function of summaries and settings, so it runs on the device over
//! whatever Interests and clients the user may read.

pub mod classes;
pub mod csv;
pub mod dates;
pub mod funnel;
pub mod period;
pub mod quality;
pub mod reasons;
