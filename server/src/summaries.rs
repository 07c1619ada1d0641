//! Summaries computed again from their documents when what a summary
//! holds has grown ([`SUMMARY_VERSION`]): a relay upgraded over old data
//! then gives devices summaries as complete as new ones.

use kartoteka::client::ClientDoc;
use kartoteka::document::Document;
use kartoteka::summary::{ClientSummary, SUMMARY_VERSION};

use crate::store::{Store, StoreError};

/// Brings every stored summary to [`SUMMARY_VERSION`], once; returns how
/// many changed. The documents are not touched, and a document that
/// cannot be read keeps its summary (and is said in the log).
pub fn refresh(store: &Store) -> Result<usize, StoreError> {
    if store.summary_version()? >= SUMMARY_VERSION {
        return Ok(0);
    }
    let mut fresh = Vec::new();
    store.for_each_client_doc(&mut |id, bytes, old| {
        let model = match Document::<ClientDoc>::load(bytes) {
            Ok(doc) => doc.read(),
            Err(e) => Err(e),
        };
        match model {
            Ok(client) => {
                let summary = serde_json::to_vec(&ClientSummary::of(&client))
                    .map_err(|e| StoreError::Damaged(e.to_string()))?;
                if summary != old {
                    fresh.push((id.to_owned(), summary));
                }
            }
            Err(e) => {
                tracing::warn!(document = id, error = %e, "summary kept: the document cannot be read");
            }
        }
        Ok(())
    })?;
    store.replace_summaries(&fresh, SUMMARY_VERSION)?;
    Ok(fresh.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed;
    use kartoteka::date::{Date, Timestamp};

    #[test]
    fn summaries_of_an_older_version_are_computed_again_once() {
        let store = Store::in_memory().expect("store");
        let today = Date::from_ymd(2026, 11, 22).expect("date");
        seed::seed_demo(&store, 30, today, 5, Timestamp(1)).expect("seed");
        assert_eq!(
            refresh(&store).expect("refresh"),
            0,
            "a new base is current"
        );
        // As an older relay stored them: no Interests, no document numbers.
        let mut stale = Vec::new();
        let mut expected = Vec::new();
        store
            .for_each_client_doc(&mut |id, _, json| {
                let whole: ClientSummary = serde_json::from_slice(json).expect("summary");
                let mut old = whole.clone();
                old.take_sales();
                if old != whole {
                    stale.push((id.to_owned(), serde_json::to_vec(&old).expect("json")));
                    expected.push((id.to_owned(), whole));
                }
                Ok(())
            })
            .expect("read");
        assert!(!stale.is_empty(), "the demo has Interests");
        store.replace_summaries(&stale, 1).expect("write");

        assert_eq!(refresh(&store).expect("refresh"), stale.len());
        for (id, whole) in &expected {
            let json = store.summary(id).expect("read").expect("summary");
            let back: ClientSummary = serde_json::from_slice(&json).expect("summary");
            assert_eq!(&back, whole);
        }
        assert_eq!(refresh(&store).expect("refresh"), 0, "once");
    }
}
