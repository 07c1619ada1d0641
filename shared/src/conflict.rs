//! Conflicts on a client's card: a field two people changed concurrently
//! holds both values (Automerge keeps them; one is shown as the winner).
//! Nothing is dropped silently: the card marks the field, and a supervisor
//! picks a value, which is written as an ordinary change over all of them.

use automerge::{ObjType, ReadDoc, ScalarValue, Value, transaction::CommitOptions};

use crate::client::ClientDoc;
use crate::date::Timestamp;
use crate::document::{Document, DocumentError};
use crate::ids::{UserId, user_of_actor};

/// One of the values of a conflicted field, with who wrote it and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConflictValue {
    pub value: String,
    /// The author, when the change was signed by a user's device.
    pub author: Option<UserId>,
    /// When the change was made, by its author's clock (ms).
    pub at: Option<Timestamp>,
}

/// A card field that holds concurrent values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldConflict {
    /// The field's name in the card (`industry`, `website`, …).
    pub field: String,
    /// Every value, the one shown as the winner first.
    pub values: Vec<ConflictValue>,
}

impl Document<ClientDoc> {
    /// The card's text fields that hold concurrent values.
    pub fn card_conflicts(&mut self) -> Vec<FieldConflict> {
        let doc = self.automerge();
        let Ok(Some((Value::Object(ObjType::Map), card))) = doc.get(automerge::ROOT, "card") else {
            return Vec::new();
        };
        let changes: Vec<_> = doc
            .get_changes(&[])
            .into_iter()
            .map(|c| {
                (
                    c.actor_id().clone(),
                    c.start_op().get(),
                    c.len() as u64,
                    c.timestamp(),
                )
            })
            .collect();
        let mut out = Vec::new();
        for field in doc.keys(&card).collect::<Vec<_>>() {
            let Ok(values) = doc.get_all(&card, field.as_str()) else {
                continue;
            };
            if values.len() < 2 {
                continue;
            }
            let mut conflict = FieldConflict {
                field: field.clone(),
                values: Vec::new(),
            };
            for (value, id) in values {
                let Value::Scalar(s) = value else {
                    continue;
                };
                let ScalarValue::Str(text) = s.as_ref() else {
                    continue;
                };
                let (author, at) = match &id {
                    automerge::ObjId::Id(counter, actor, _) => {
                        let at = changes
                            .iter()
                            .find(|(a, start, len, _)| {
                                a == actor && *start <= *counter && *counter < start + len
                            })
                            .map(|(_, _, _, secs)| Timestamp(secs * 1000));
                        (user_of_actor(actor), at)
                    }
                    automerge::ObjId::Root => (None, None),
                };
                conflict.values.push(ConflictValue {
                    value: text.to_string(),
                    author,
                    at,
                });
            }
            if conflict.values.len() > 1 {
                // Automerge returns the winner last.
                conflict.values.reverse();
                out.push(conflict);
            }
        }
        out
    }

    /// Ends a conflict on a card field: `value` is written over every
    /// concurrent value, as one change.
    pub fn resolve_card_field(
        &mut self,
        field: &str,
        value: &str,
        at: Timestamp,
    ) -> Result<(), DocumentError> {
        let doc = self.automerge();
        let card = match doc.get(automerge::ROOT, "card")? {
            Some((Value::Object(ObjType::Map), card)) => card,
            _ => {
                return Err(DocumentError::Unreadable {
                    expected: "client",
                    detail: "no card".to_owned(),
                });
            }
        };
        automerge::transaction::Transactable::put(doc, &card, field, value)?;
        doc.commit_with(
            CommitOptions::default()
                .with_time(at.0 / 1000)
                .with_message("resolve a conflict".to_owned()),
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::demo;
    use crate::ids::actor_for;

    #[test]
    fn two_people_changing_one_field_offline_see_both_values_until_a_supervisor_picks_one() {
        let today = crate::date::Date::from_ymd(2026, 11, 22).unwrap();
        let base = demo::generate(1, today, 1).clients.remove(0);
        let anna = UserId::from(uuid::Uuid::from_u128(1));
        let boris = UserId::from(uuid::Uuid::from_u128(2));
        let mut a = Document::create(
            &base,
            actor_for(&anna, [1; 8]).unwrap(),
            Timestamp(1_000_000),
        )
        .unwrap();
        let mut b = a.fork(actor_for(&boris, [2; 8]).unwrap());
        a.change_infallible(Timestamp(2_000_000), "edit", |c| {
            c.card.industry = "Сталь".into()
        })
        .unwrap();
        b.change_infallible(Timestamp(3_000_000), "edit", |c| {
            c.card.industry = "Уголь".into()
        })
        .unwrap();
        b.change_infallible(Timestamp(3_000_000), "edit", |c| {
            c.card.website = "b.example".into()
        })
        .unwrap();
        a.merge(&mut b).unwrap();

        let conflicts = a.card_conflicts();
        assert_eq!(conflicts.len(), 1, "{conflicts:?}");
        assert_eq!(conflicts[0].field, "industry");
        let mut values: Vec<_> = conflicts[0]
            .values
            .iter()
            .map(|v| (v.value.as_str(), v.author.clone(), v.at))
            .collect();
        values.sort_by(|x, y| x.0.cmp(y.0));
        assert_eq!(
            values,
            vec![
                ("Сталь", Some(anna), Some(Timestamp(2_000_000))),
                ("Уголь", Some(boris), Some(Timestamp(3_000_000)))
            ]
        );

        a.resolve_card_field("industry", "Уголь", Timestamp(4_000_000))
            .unwrap();
        assert!(a.card_conflicts().is_empty());
        assert_eq!(a.read().unwrap().card.industry, "Уголь");
    }
}
