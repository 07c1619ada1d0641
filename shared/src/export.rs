//! Writing what Kartoteka exports (client lists, report tables) into files
//! people open in a spreadsheet.
//!
//! - [`cell`]: the formula neutralisation every exported text cell goes
//!   through (SPEC 8), and the one CSV field writer, shared by the client
//!   export and the reports;
//! - [`clients`]: clients with all their contact persons, one row per
//!   contact, and the CSV writer for Russian Excel.

pub mod cell;
pub mod clients;

pub use clients::{CsvWriter, Derived, ExportColumn, client_rows, header};
