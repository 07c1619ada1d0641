//! Stable identifiers: of documents, of the entities inside them, of users,
//! and the Automerge actor ids that bind every change to its author.
//!
//! Entities that people add concurrently on different devices (contacts,
//! notes, events, …) are keyed by random UUIDs, so two additions made offline
//! never collide and both survive a merge.

use std::fmt;
use std::str::FromStr;

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A fresh random id for an entity inside a document (a contact, an event…).
pub fn new_id() -> String {
    Uuid::new_v4().simple().to_string()
}

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
            Reconcile,
        )]
        #[serde(transparent)]
        pub struct $name(pub String);

        // Written by hand: the derived newtype impl cannot read the id
        // inside an `Option` (it lacks `hydrate_string`).
        impl Hydrate for $name {
            fn hydrate_string(s: &'_ str) -> Result<Self, autosurgeon::HydrateError> {
                Ok($name(s.to_owned()))
            }
        }

        impl $name {
            /// A new random id.
            pub fn random() -> Self {
                $name(Uuid::new_v4().to_string())
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The 16 bytes of the UUID, if the text is one.
            pub fn uuid(&self) -> Option<Uuid> {
                Uuid::parse_str(&self.0).ok()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s.trim()).map(|u| $name(u.to_string()))
            }
        }

        impl From<Uuid> for $name {
            fn from(u: Uuid) -> Self {
                $name(u.to_string())
            }
        }
    };
}

uuid_id!(
    /// A client; also the id of the client's document.
    ClientId
);
uuid_id!(
    /// A person who logs in: manager, assistant, supervisor or administrator.
    UserId
);

/// The Automerge actor id of one device of one user: the user's 16 UUID
/// bytes followed by 8 random bytes of the device.
///
/// Binding the user into the actor means the author of every change can be
/// read off the change itself (for the card's history) and the relay can
/// check that a device writes only as the user it authenticated as.
pub fn actor_for(user: &UserId, device: [u8; 8]) -> Option<automerge::ActorId> {
    let uuid = user.uuid()?;
    let mut bytes = Vec::with_capacity(24);
    bytes.extend_from_slice(uuid.as_bytes());
    bytes.extend_from_slice(&device);
    Some(automerge::ActorId::from(bytes))
}

/// The user an actor id belongs to (see [`actor_for`]), if it has that form.
pub fn user_of_actor(actor: &automerge::ActorId) -> Option<UserId> {
    let bytes = actor.to_bytes();
    if bytes.len() != 24 {
        return None;
    }
    Uuid::from_slice(&bytes[..16]).ok().map(UserId::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actor_ids_name_their_user() {
        let user = UserId::random();
        let actor = actor_for(&user, [7; 8]).expect("a UUID user id");
        assert_eq!(user_of_actor(&actor), Some(user));
        assert_eq!(
            user_of_actor(&automerge::ActorId::from(vec![1, 2, 3])),
            None
        );
    }

    #[test]
    fn ids_parse_in_any_uuid_form() {
        let id: ClientId = "67E55044-10B1-426F-9247-BB680E5FE0C8"
            .parse()
            .expect("uuid");
        assert_eq!(id.as_str(), "67e55044-10b1-426f-9247-bb680e5fe0c8");
        assert!("not-an-id".parse::<ClientId>().is_err());
    }
}
