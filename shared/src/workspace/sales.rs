//! The rules a workspace's sales settings keep (SPEC 4): scenarios and
//! their states, service types, the default service type and the list of
//! rejection reasons. The settings page edits a draft and writes it only
//! when [`WorkspaceDoc::validate_sales`] accepts it, so every device reads
//! scenarios an Interest can always move through.
//!
//! The checks that need more than the workspace (is a state or a scenario
//! still used by Interests?) take the Interests' summaries as an argument:
//! a device knows only the Interests it can read, so those are warnings of
//! the settings page, not rules of the document.

use std::collections::BTreeSet;

use crate::client::Outcome;
use crate::summary::InterestSummary;

use super::{Scenario, WorkspaceDoc};

/// Why sales settings cannot be saved. Each variant names the scenario,
/// state, service type or reason by its id; the app shows their names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SalesError {
    #[error("scenario {scenario:?} has no name")]
    EmptyScenarioName { scenario: String },
    #[error("scenario {scenario:?} has no states")]
    NoStates { scenario: String },
    #[error("state number {position} of scenario {scenario:?} has no id")]
    EmptyStateId { scenario: String, position: usize },
    #[error("scenario {scenario:?} has two states with the id {state:?}")]
    DuplicateStateId { scenario: String, state: String },
    #[error("state {state:?} of scenario {scenario:?} has no name")]
    EmptyStateName { scenario: String, state: String },
    #[error("the first state {state:?} of scenario {scenario:?} ends the Interest")]
    FirstStateEnds { scenario: String, state: String },
    #[error("scenario {scenario:?} has no state of successful completion")]
    NoSuccessEnd { scenario: String },
    #[error("scenario {scenario:?} is stored under the key {key:?}")]
    ScenarioKeyMismatch { key: String, scenario: String },
    #[error("service type {service_type:?} has no name")]
    EmptyServiceTypeName { service_type: String },
    #[error("service type {service_type:?} follows the unknown scenario {scenario:?}")]
    UnknownScenario {
        service_type: String,
        scenario: String,
    },
    #[error("service type {service_type:?} is stored under the key {key:?}")]
    ServiceTypeKeyMismatch { key: String, service_type: String },
    #[error("the default service type {service_type:?} does not exist")]
    UnknownDefaultServiceType { service_type: String },
    #[error("rejection reason number {position} has no name")]
    EmptyReasonName { position: usize },
    #[error("two rejection reasons have the id {reason:?}")]
    DuplicateReasonId { reason: String },
    #[error("scenario {scenario:?} is the win-back scenario the app starts Interests in")]
    WinbackScenario { scenario: String },
    #[error("scenario {scenario:?} is followed by service type {service_type:?}")]
    ScenarioInUse {
        scenario: String,
        service_type: String,
    },
}

impl Scenario {
    /// Checks that Interests can move through this scenario: it has a name
    /// and states; every state has a unique non-empty id and a Russian name;
    /// the first state (where Interests start) does not end them; and some
    /// state ends them successfully.
    pub fn validate(&self) -> Result<(), SalesError> {
        let scenario = || self.id.clone();
        if self.names.ru.trim().is_empty() {
            return Err(SalesError::EmptyScenarioName {
                scenario: scenario(),
            });
        }
        let Some(first) = self.states.first() else {
            return Err(SalesError::NoStates {
                scenario: scenario(),
            });
        };
        let mut seen = BTreeSet::new();
        for (i, s) in self.states.iter().enumerate() {
            if s.id.trim().is_empty() {
                return Err(SalesError::EmptyStateId {
                    scenario: scenario(),
                    position: i + 1,
                });
            }
            if !seen.insert(s.id.as_str()) {
                return Err(SalesError::DuplicateStateId {
                    scenario: scenario(),
                    state: s.id.clone(),
                });
            }
            if s.names.ru.trim().is_empty() {
                return Err(SalesError::EmptyStateName {
                    scenario: scenario(),
                    state: s.id.clone(),
                });
            }
        }
        if first.ends.is_some() {
            return Err(SalesError::FirstStateEnds {
                scenario: scenario(),
                state: first.id.clone(),
            });
        }
        if !self.states.iter().any(|s| s.ends == Some(Outcome::Success)) {
            return Err(SalesError::NoSuccessEnd {
                scenario: scenario(),
            });
        }
        Ok(())
    }
}

impl WorkspaceDoc {
    /// Checks the sales settings as a whole: every scenario
    /// ([`Scenario::validate`]), every service type names an existing
    /// scenario, the default service type exists, and the rejection
    /// reasons have names and distinct ids. The first problem found is
    /// returned, scenarios first.
    pub fn validate_sales(&self) -> Result<(), SalesError> {
        for (key, scenario) in &self.scenarios {
            if *key != scenario.id {
                return Err(SalesError::ScenarioKeyMismatch {
                    key: key.clone(),
                    scenario: scenario.id.clone(),
                });
            }
            scenario.validate()?;
        }
        for (key, t) in &self.service_types {
            if *key != t.id {
                return Err(SalesError::ServiceTypeKeyMismatch {
                    key: key.clone(),
                    service_type: t.id.clone(),
                });
            }
            if t.names.ru.trim().is_empty() {
                return Err(SalesError::EmptyServiceTypeName {
                    service_type: t.id.clone(),
                });
            }
            if !self.scenarios.contains_key(&t.scenario) {
                return Err(SalesError::UnknownScenario {
                    service_type: t.id.clone(),
                    scenario: t.scenario.clone(),
                });
            }
        }
        let default = &self.settings.default_service_type;
        if !self.service_types.contains_key(default) {
            return Err(SalesError::UnknownDefaultServiceType {
                service_type: default.clone(),
            });
        }
        let mut seen = BTreeSet::new();
        for (i, r) in self.rejection_reasons.iter().enumerate() {
            if r.names.ru.trim().is_empty() {
                return Err(SalesError::EmptyReasonName { position: i + 1 });
            }
            if !seen.insert(r.id.as_str()) {
                return Err(SalesError::DuplicateReasonId {
                    reason: r.id.clone(),
                });
            }
        }
        Ok(())
    }

    /// Whether the scenario may be deleted: not the win-back scenario (the
    /// app starts an Interest in it whenever a client is Lost), and not
    /// while a service type still follows it (its new Interests would have
    /// no scenario).
    pub fn check_scenario_removal(&self, scenario: &str) -> Result<(), SalesError> {
        if scenario == super::WINBACK_SCENARIO {
            return Err(SalesError::WinbackScenario {
                scenario: scenario.to_owned(),
            });
        }
        match self.service_types.values().find(|t| t.scenario == scenario) {
            Some(t) => Err(SalesError::ScenarioInUse {
                scenario: scenario.to_owned(),
                service_type: t.id.clone(),
            }),
            None => Ok(()),
        }
    }
}

/// How many of these Interests follow `scenario` and are now in `state`
/// (any state when `state` is `None`). A state or a scenario in use should
/// not be deleted: those Interests would be left in a state nobody can name.
pub fn interests_in<'a>(
    interests: impl IntoIterator<Item = &'a InterestSummary>,
    scenario: &str,
    state: Option<&str>,
) -> usize {
    interests
        .into_iter()
        .filter(|i| i.scenario == scenario && state.is_none_or(|s| i.state == s))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;
    use crate::workspace::{LEAD_SCENARIO, Names, ScenarioState, WINBACK_SCENARIO};

    fn workspace() -> WorkspaceDoc {
        WorkspaceDoc::new("Test", [])
    }

    fn lead(w: &mut WorkspaceDoc) -> &mut Scenario {
        w.scenarios.get_mut(LEAD_SCENARIO).expect("lead scenario")
    }

    fn plain_state(id: &str, name: &str) -> ScenarioState {
        ScenarioState {
            id: id.to_owned(),
            names: Names::new(name, ""),
            hint: Names::default(),
            requires_client: false,
            ends: None,
        }
    }

    #[test]
    fn the_supplied_scenarios_and_service_types_are_valid() {
        assert_eq!(workspace().validate_sales(), Ok(()));
    }

    #[test]
    fn an_administrator_adds_a_state_and_the_workspace_stays_valid() {
        let mut w = workspace();
        lead(&mut w)
            .states
            .insert(2, plain_state("meeting", "Встреча"));
        assert_eq!(w.validate_sales(), Ok(()));
    }

    #[test]
    fn a_scenario_needs_at_least_one_state() {
        let mut w = workspace();
        lead(&mut w).states.clear();
        assert_eq!(
            w.validate_sales(),
            Err(SalesError::NoStates {
                scenario: LEAD_SCENARIO.into()
            })
        );
    }

    #[test]
    fn a_state_with_an_empty_name_is_refused_by_its_id() {
        let mut w = workspace();
        lead(&mut w).states[1].names.ru = "  ".into();
        assert_eq!(
            w.validate_sales(),
            Err(SalesError::EmptyStateName {
                scenario: LEAD_SCENARIO.into(),
                state: "processing".into()
            })
        );
    }

    #[test]
    fn state_ids_are_unique_and_not_empty() {
        let mut w = workspace();
        lead(&mut w).states[2].id = "processing".into();
        assert_eq!(
            w.validate_sales(),
            Err(SalesError::DuplicateStateId {
                scenario: LEAD_SCENARIO.into(),
                state: "processing".into()
            })
        );
        let mut w = workspace();
        lead(&mut w).states[3].id = String::new();
        assert_eq!(
            w.validate_sales(),
            Err(SalesError::EmptyStateId {
                scenario: LEAD_SCENARIO.into(),
                position: 4
            })
        );
    }

    #[test]
    fn a_scenario_needs_a_successful_end() {
        let mut w = workspace();
        for s in &mut lead(&mut w).states {
            if s.ends == Some(Outcome::Success) {
                s.ends = None;
            }
        }
        assert_eq!(
            w.validate_sales(),
            Err(SalesError::NoSuccessEnd {
                scenario: LEAD_SCENARIO.into()
            })
        );
    }

    #[test]
    fn the_first_state_cannot_end_an_interest() {
        let mut w = workspace();
        let states = &mut lead(&mut w).states;
        let rejected = states.pop().expect("rejected");
        states.insert(0, rejected);
        assert_eq!(
            w.validate_sales(),
            Err(SalesError::FirstStateEnds {
                scenario: LEAD_SCENARIO.into(),
                state: "rejected".into()
            })
        );
    }

    #[test]
    fn a_scenario_needs_a_name() {
        let mut w = workspace();
        lead(&mut w).names.ru = String::new();
        assert_eq!(
            w.validate_sales(),
            Err(SalesError::EmptyScenarioName {
                scenario: LEAD_SCENARIO.into()
            })
        );
    }

    #[test]
    fn a_service_type_must_follow_an_existing_scenario() {
        let mut w = workspace();
        w.service_types
            .get_mut("service")
            .expect("service")
            .scenario = "gone".into();
        assert_eq!(
            w.validate_sales(),
            Err(SalesError::UnknownScenario {
                service_type: "service".into(),
                scenario: "gone".into()
            })
        );
    }

    #[test]
    fn a_service_type_needs_a_name() {
        let mut w = workspace();
        w.service_types
            .get_mut("consulting")
            .expect("consulting")
            .names
            .ru = String::new();
        assert_eq!(
            w.validate_sales(),
            Err(SalesError::EmptyServiceTypeName {
                service_type: "consulting".into()
            })
        );
    }

    #[test]
    fn the_default_service_type_must_exist() {
        let mut w = workspace();
        w.settings.default_service_type = "nothing".into();
        assert_eq!(
            w.validate_sales(),
            Err(SalesError::UnknownDefaultServiceType {
                service_type: "nothing".into()
            })
        );
    }

    #[test]
    fn rejection_reasons_need_names_and_distinct_ids() {
        let mut w = workspace();
        w.rejection_reasons[1].names.ru = String::new();
        assert_eq!(
            w.validate_sales(),
            Err(SalesError::EmptyReasonName { position: 2 })
        );
        let mut w = workspace();
        w.rejection_reasons[1].id = w.rejection_reasons[0].id.clone();
        assert_eq!(
            w.validate_sales(),
            Err(SalesError::DuplicateReasonId {
                reason: "unreachable".into()
            })
        );
    }

    #[test]
    fn a_scenario_followed_by_a_service_type_cannot_be_deleted() {
        let w = workspace();
        assert!(matches!(
            w.check_scenario_removal(LEAD_SCENARIO),
            Err(SalesError::ScenarioInUse { .. })
        ));
        // The app itself starts Interests in the win-back scenario.
        assert!(matches!(
            w.check_scenario_removal(WINBACK_SCENARIO),
            Err(SalesError::WinbackScenario { .. })
        ));
        let mut w = workspace();
        let mut other = w.scenarios[LEAD_SCENARIO].clone();
        other.id = "projects".into();
        w.scenarios.insert(other.id.clone(), other);
        assert_eq!(w.check_scenario_removal("projects"), Ok(()));
    }

    #[test]
    fn a_deleted_scenario_still_named_by_a_service_type_is_refused() {
        let mut w = workspace();
        w.scenarios.remove(LEAD_SCENARIO);
        assert!(matches!(
            w.validate_sales(),
            Err(SalesError::UnknownScenario { .. })
        ));
    }

    #[test]
    fn interests_in_a_state_are_counted_per_scenario() {
        let day = Date::from_ymd(2026, 11, 1).expect("date");
        let interest = |scenario: &str, state: &str| InterestSummary {
            id: format!("{scenario}-{state}"),
            content: String::new(),
            service_type: String::new(),
            scenario: scenario.into(),
            state: state.into(),
            responsible: None,
            created: day,
            completed: None,
            outcome: None,
            reason: None,
            follow_up: None,
            moves: Vec::new(),
        };
        let all = [
            interest(LEAD_SCENARIO, "offer"),
            interest(LEAD_SCENARIO, "new"),
            interest(WINBACK_SCENARIO, "new"),
        ];
        assert_eq!(interests_in(&all, LEAD_SCENARIO, Some("new")), 1);
        assert_eq!(interests_in(&all, LEAD_SCENARIO, Some("follow_up")), 0);
        assert_eq!(interests_in(&all, LEAD_SCENARIO, None), 2);
        assert_eq!(interests_in(&all, WINBACK_SCENARIO, None), 1);
    }
}
