//! Writing what Kartoteka exports (client lists, report tables) into files
//! people open in a spreadsheet.
//!
//! - [`cell`]: the formula neutralisation every exported text cell goes
//!   through (SPEC 8), shared by the client export and the reports.

pub mod cell;
