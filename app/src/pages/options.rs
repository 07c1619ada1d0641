//! What the sales pickers offer from the workspace: its scenarios and its
//! service types, each as (id, name in the interface language), in the
//! order of their ids.

use kartoteka::workspace::{Names, WorkspaceDoc};

use crate::pages::card::interests::local_name;

/// The workspace's scenarios.
pub fn scenario_options(ws: Option<&WorkspaceDoc>) -> Vec<(String, String)> {
    ws.map_or_else(Vec::new, |w| {
        named(w.scenarios.values().map(|s| (s.id.as_str(), &s.names)))
    })
}

/// The workspace's service types.
pub fn service_type_options(ws: Option<&WorkspaceDoc>) -> Vec<(String, String)> {
    ws.map_or_else(Vec::new, |w| {
        named(w.service_types.values().map(|t| (t.id.as_str(), &t.names)))
    })
}

fn named<'a>(items: impl Iterator<Item = (&'a str, &'a Names)>) -> Vec<(String, String)> {
    items
        .map(|(id, names)| (id.to_owned(), local_name(names)))
        .collect()
}
