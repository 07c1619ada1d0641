//! The reports' settings in the workspace (SPEC 8): the ABC and XYZ
//! thresholds ([`Settings::class_thresholds`]) and, per status, the card
//! fields base quality requires ([`QualitySettings`]). The settings page
//! edits a draft and writes it only when [`WorkspaceDoc::validate_reports`]
//! accepts it.
//!
//! Two supervisors may still change them concurrently offline, and a merge
//! of two valid edits can be invalid (one raised A to 90, the other lowered
//! B to 85); readers then fall back to the defaults rather than fail
//! ([`Settings::class_thresholds_or_default`]).

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::{Settings, WorkspaceDoc};
use crate::report::classes::{ClassThresholds, ThresholdError};
use crate::report::quality::{FieldSet, RequiredField};
use crate::rules::config::{StatusConfig, StatusId};

/// Why report settings cannot be saved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportSettingsError {
    #[error("{0}")]
    Thresholds(#[from] ThresholdError),
    #[error("the ABC and XYZ thresholds must be two numbers each")]
    ThresholdCount,
    #[error("required fields are set for the status {status:?}, which does not exist")]
    UnknownStatus { status: String },
    #[error("the required field {field:?} of the status {status:?} is not a field the app knows")]
    UnknownField { status: String, field: String },
}

pub(super) fn default_abc_percent() -> Vec<u32> {
    ClassThresholds::DEFAULT_ABC.to_vec()
}

pub(super) fn default_xyz_percent() -> Vec<u32> {
    ClassThresholds::DEFAULT_XYZ.to_vec()
}

impl Settings {
    /// The ABC and XYZ thresholds, checked.
    pub fn class_thresholds(&self) -> Result<ClassThresholds, ReportSettingsError> {
        let pair =
            |v: &[u32]| <[u32; 2]>::try_from(v).map_err(|_| ReportSettingsError::ThresholdCount);
        Ok(ClassThresholds::new(
            pair(&self.abc_percent)?,
            pair(&self.xyz_percent)?,
        )?)
    }

    /// The thresholds, or the defaults if a merge left them invalid.
    pub fn class_thresholds_or_default(&self) -> ClassThresholds {
        self.class_thresholds().unwrap_or_default()
    }

    /// Writes checked thresholds.
    pub fn set_class_thresholds(&mut self, t: ClassThresholds) {
        self.abc_percent = t.abc().to_vec();
        self.xyz_percent = t.xyz().to_vec();
    }
}

/// Per status, the card fields base quality requires (SPEC 8). Each
/// status's fields are a set (field id → true), so two supervisors ticking
/// different fields offline both keep theirs. Never a rule of saving.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct QualitySettings {
    /// Status id → field id → required.
    pub required: BTreeMap<String, BTreeMap<String, bool>>,
}

impl Default for QualitySettings {
    /// What a sales team checks first: a way to reach a new client; a
    /// contact person once work starts; for a client who buys (Active,
    /// Returned), what an invoice and a contract need — INN, KPP, the legal
    /// address, a phone, an e-mail and a contact person with a position; a
    /// Lost client's INN, phone and contact person, to win it back. Nothing
    /// for Alien, Non-target and Liquidated clients.
    fn default() -> Self {
        use RequiredField as F;
        let buying = [
            F::Inn,
            F::Kpp,
            F::LegalAddress,
            F::Phone,
            F::Email,
            F::ContactWithPosition,
        ];
        let mut q = QualitySettings {
            required: BTreeMap::new(),
        };
        let defaults: [(&str, &[F]); 5] = [
            (StatusId::NEW, &[F::Phone]),
            (StatusId::IN_PROGRESS, &[F::Phone, F::Contact]),
            (StatusId::ACTIVE, &buying),
            (StatusId::LOST, &[F::Inn, F::Phone, F::Contact]),
            (StatusId::RETURNED, &buying),
        ];
        for (status, fields) in defaults {
            for f in fields {
                q.set(status, *f, true);
            }
        }
        q
    }
}

impl QualitySettings {
    /// The fields required for a status (ids the app does not know, say
    /// from a newer version, are left out).
    pub fn required_for(&self, status: &StatusId) -> FieldSet {
        self.required
            .get(status.as_str())
            .map(|fields| {
                FieldSet::of(
                    fields
                        .iter()
                        .filter(|(_, on)| **on)
                        .filter_map(|(id, _)| RequiredField::from_id(id)),
                )
            })
            .unwrap_or_default()
    }

    /// Requires a field for a status, or stops requiring it.
    pub fn set(&mut self, status: &str, field: RequiredField, required: bool) {
        let fields = self.required.entry(status.to_owned()).or_default();
        if required {
            fields.insert(field.id().to_owned(), true);
        } else {
            fields.remove(field.id());
        }
    }

    /// Checks that every status and field named exists.
    pub fn validate(&self, statuses: &StatusConfig) -> Result<(), ReportSettingsError> {
        for (status, fields) in &self.required {
            if !statuses
                .statuses
                .contains_key(&StatusId::new(status.clone()))
            {
                return Err(ReportSettingsError::UnknownStatus {
                    status: status.clone(),
                });
            }
            if let Some(field) = fields.keys().find(|f| RequiredField::from_id(f).is_none()) {
                return Err(ReportSettingsError::UnknownField {
                    status: status.clone(),
                    field: field.clone(),
                });
            }
        }
        Ok(())
    }
}

impl WorkspaceDoc {
    /// Checks the reports' settings before they are saved: the class
    /// thresholds, and the quality fields against the statuses.
    pub fn validate_reports(&self) -> Result<(), ReportSettingsError> {
        self.settings.class_thresholds()?;
        self.quality.validate(&self.statuses)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::document::WorkspaceDocument;
    use crate::report::classes::ThresholdError;

    fn workspace() -> WorkspaceDoc {
        WorkspaceDoc::new("Test", [])
    }

    #[test]
    fn a_new_workspace_has_the_spec_thresholds_and_sensible_required_fields() {
        let w = workspace();
        assert_eq!(
            w.settings.class_thresholds(),
            Ok(ClassThresholds::default())
        );
        assert_eq!(w.validate_reports(), Ok(()));
        let active = w.quality.required_for(&StatusId::new(StatusId::ACTIVE));
        for f in [
            RequiredField::Inn,
            RequiredField::Phone,
            RequiredField::ContactWithPosition,
        ] {
            assert!(active.contains(f), "{f:?}");
        }
        assert!(
            w.quality
                .required_for(&StatusId::new(StatusId::ALIEN))
                .is_empty()
        );
    }

    #[test]
    fn bad_thresholds_and_unknown_statuses_or_fields_are_refused() {
        let mut w = workspace();
        w.settings.abc_percent = vec![95, 80];
        assert_eq!(
            w.validate_reports(),
            Err(ReportSettingsError::Thresholds(ThresholdError::Abc(95, 80)))
        );
        assert_eq!(
            w.settings.class_thresholds_or_default(),
            ClassThresholds::default()
        );
        w.settings.abc_percent = vec![80];
        assert_eq!(
            w.validate_reports(),
            Err(ReportSettingsError::ThresholdCount)
        );
        let t = ClassThresholds::new([70, 90], [15, 30]).unwrap();
        w.settings.set_class_thresholds(t);
        assert_eq!(w.settings.class_thresholds(), Ok(t));

        let mut w = workspace();
        w.quality.set("vip", RequiredField::Inn, true);
        assert!(matches!(
            w.validate_reports(),
            Err(ReportSettingsError::UnknownStatus { .. })
        ));
        let mut w = workspace();
        w.quality
            .required
            .entry(StatusId::ACTIVE.to_owned())
            .or_default()
            .insert("shoe_size".into(), true);
        assert!(matches!(
            w.validate_reports(),
            Err(ReportSettingsError::UnknownField { .. })
        ));
        // Unknown to this version, it is ignored when reading.
        assert!(
            w.quality
                .required_for(&StatusId::new(StatusId::ACTIVE))
                .contains(RequiredField::Inn)
        );
    }

    #[test]
    fn requiring_and_unrequiring_a_field() {
        let mut q = QualitySettings::default();
        let lost = StatusId::new(StatusId::LOST);
        q.set(StatusId::LOST, RequiredField::Email, true);
        assert!(q.required_for(&lost).contains(RequiredField::Email));
        q.set(StatusId::LOST, RequiredField::Email, false);
        assert!(!q.required_for(&lost).contains(RequiredField::Email));
    }

    #[test]
    fn the_settings_survive_the_document_and_an_old_workspace_reads_with_defaults() {
        let mut w = workspace();
        w.settings
            .set_class_thresholds(ClassThresholds::new([75, 90], [12, 30]).unwrap());
        w.quality.set(StatusId::NEW, RequiredField::Email, true);
        let actor = automerge::ActorId::random();
        let mut doc = WorkspaceDocument::create(&w, actor, crate::date::Timestamp(1)).unwrap();
        let back = WorkspaceDocument::load(&doc.save())
            .unwrap()
            .read()
            .unwrap();
        assert_eq!(back, w);

        // A workspace written before these settings existed.
        use automerge::ReadDoc;
        use automerge::transaction::Transactable;
        let mut doc = WorkspaceDocument::create(
            &workspace(),
            automerge::ActorId::random(),
            crate::date::Timestamp(1),
        )
        .unwrap();
        let am = doc.automerge();
        let (_, settings) = am.get(automerge::ROOT, "settings").unwrap().unwrap();
        am.delete(&settings, "abc_percent").unwrap();
        am.delete(&settings, "xyz_percent").unwrap();
        am.delete(automerge::ROOT, "quality").unwrap();
        let old = doc.read().unwrap();
        assert_eq!(
            old.settings.class_thresholds(),
            Ok(ClassThresholds::default())
        );
        assert_eq!(old.quality, QualitySettings::default());
    }
}
