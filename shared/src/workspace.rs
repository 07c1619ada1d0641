//! The workspace document: the one document every device of a sales team
//! shares for its settings — the users directory and roles, statuses and
//! their rules, sales scenarios and their states, service types, the lists
//! of reasons, and thresholds.
//!
//! Passwords are not here: the relay keeps credentials in its own store and
//! never sends them to devices.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::client::Outcome;
use crate::ids::UserId;

pub mod reports;
pub mod sales;

pub use reports::{QualitySettings, ReportSettingsError};
pub use sales::SalesError;

/// The document kind written at the root.
pub const KIND: &str = "workspace";

/// The version of this layout.
pub const SCHEMA: u64 = 1;

/// A role: what a person may see and do (SPEC 1).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Reconcile,
    Hydrate,
    Serialize,
    Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    #[autosurgeon(rename = "manager")]
    Manager,
    #[autosurgeon(rename = "assistant")]
    Assistant,
    #[autosurgeon(rename = "supervisor")]
    Supervisor,
    #[autosurgeon(rename = "administrator")]
    Administrator,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 4] = [
        Role::Manager,
        Role::Assistant,
        Role::Supervisor,
        Role::Administrator,
    ];

    /// The id used on the command line and in files.
    pub fn id(self) -> &'static str {
        match self {
            Role::Manager => "manager",
            Role::Assistant => "assistant",
            Role::Supervisor => "supervisor",
            Role::Administrator => "administrator",
        }
    }

    /// The role with this id.
    pub fn from_id(id: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.id() == id)
    }

    /// Supervisors and administrators see every client and may change a
    /// client's responsible manager; managers and assistants may not.
    pub fn sees_everything(self) -> bool {
        matches!(self, Role::Supervisor | Role::Administrator)
    }

    /// Whether this role may change a client's responsible manager.
    pub fn may_reassign(self) -> bool {
        self.sees_everything()
    }

    /// Whether this role may restore a deleted contact person, event,
    /// payment or shipment.
    pub fn may_restore(self) -> bool {
        self.sees_everything()
    }

    /// Whether this role may merge two clients into one.
    pub fn may_merge(self) -> bool {
        self.sees_everything()
    }
}

/// A person in the users directory.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct UserEntry {
    pub id: UserId,
    pub login: String,
    pub name: String,
    pub role: Role,
    #[autosurgeon(missing = "default_true")]
    pub active: bool,
}

fn default_true() -> bool {
    true
}

/// A name given in both UI languages; English falls back to Russian.
#[derive(Debug, Clone, Default, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Names {
    pub ru: String,
    #[autosurgeon(missing = "Default::default")]
    pub en: String,
}

impl Names {
    /// Both names.
    pub fn new(ru: &str, en: &str) -> Names {
        Names {
            ru: ru.to_owned(),
            en: en.to_owned(),
        }
    }

    /// The name in English if there is one, else in Russian.
    pub fn en_or_ru(&self) -> &str {
        if self.en.is_empty() {
            &self.ru
        } else {
            &self.en
        }
    }
}

/// One state of a sales scenario.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct ScenarioState {
    #[key]
    pub id: String,
    pub names: Names,
    /// The transition criterion, shown as a hint.
    #[autosurgeon(missing = "Default::default")]
    pub hint: Names,
    /// Moving an Interest here without a linked client is refused.
    #[autosurgeon(missing = "Default::default")]
    pub requires_client: bool,
    /// Set on final states: how an Interest that reaches it ends.
    #[autosurgeon(missing = "Default::default")]
    pub ends: Option<Outcome>,
}

/// A sales scenario: an ordered list of states.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Scenario {
    pub id: String,
    pub names: Names,
    pub states: Vec<ScenarioState>,
}

impl Scenario {
    /// The state with this id.
    pub fn state(&self, id: &str) -> Option<&ScenarioState> {
        self.states.iter().find(|s| s.id == id)
    }

    /// The first state, where new Interests start.
    pub fn initial_state(&self) -> Option<&ScenarioState> {
        self.states.first()
    }
}

/// A service type (направление бизнеса) and the scenario its Interests follow.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct ServiceType {
    pub id: String,
    pub names: Names,
    pub scenario: String,
}

/// An entry of a list of reasons (why an Interest was rejected, why a
/// client left).
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Reason {
    #[key]
    pub id: String,
    pub names: Names,
}

/// Workspace-wide settings.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Settings {
    /// The workspace's time zone as an offset from UTC in minutes; calendar
    /// dates of facts and "today" are taken in it (Moscow: 180).
    pub utc_offset_minutes: i32,
    /// The service type a new Interest gets unless the user picks another.
    pub default_service_type: String,
    /// A client with no payment and no shipment for this many days is
    /// dormant (SPEC 7).
    pub dormancy_days: u32,
    /// ISO 4217 code of the money amounts.
    pub currency: String,
    /// The ABC thresholds in percent (SPEC 8): A up to the first, B up to
    /// the second, C the rest. Read through [`Settings::class_thresholds`].
    #[autosurgeon(missing = "reports::default_abc_percent")]
    #[serde(default = "reports::default_abc_percent")]
    pub abc_percent: Vec<u32>,
    /// The XYZ thresholds in percent of the variation of monthly revenue.
    #[autosurgeon(missing = "reports::default_xyz_percent")]
    #[serde(default = "reports::default_xyz_percent")]
    pub xyz_percent: Vec<u32>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            utc_offset_minutes: 180,
            default_service_type: "equipment".to_owned(),
            dormancy_days: 365,
            currency: "RUB".to_owned(),
            abc_percent: reports::default_abc_percent(),
            xyz_percent: reports::default_xyz_percent(),
        }
    }
}

/// The whole workspace document.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct WorkspaceDoc {
    pub kind: String,
    pub schema: u64,
    pub name: String,
    pub users: BTreeMap<String, UserEntry>,
    pub statuses: crate::rules::config::StatusConfig,
    pub scenarios: BTreeMap<String, Scenario>,
    pub service_types: BTreeMap<String, ServiceType>,
    pub rejection_reasons: Vec<Reason>,
    pub dormancy_reasons: Vec<Reason>,
    pub settings: Settings,
    /// Per status, the card fields base quality requires (SPEC 8).
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub quality: QualitySettings,
}

/// The id of the default lead scenario.
pub const LEAD_SCENARIO: &str = "lead";
/// The id of the win-back scenario (Возврат клиента).
pub const WINBACK_SCENARIO: &str = "winback";

impl WorkspaceDoc {
    /// A new workspace with the supplied statuses, scenarios, service types
    /// and reasons, and these users.
    pub fn new(name: &str, users: impl IntoIterator<Item = UserEntry>) -> WorkspaceDoc {
        let users = users.into_iter().map(|u| (u.id.to_string(), u)).collect();
        let scenarios = [lead_scenario(), winback_scenario()]
            .into_iter()
            .map(|s| (s.id.clone(), s))
            .collect();
        let service_types = [
            ("equipment", "Поставка оборудования", "Equipment supply"),
            ("service", "Сервисное обслуживание", "Maintenance"),
            ("consulting", "Консалтинг", "Consulting"),
        ]
        .into_iter()
        .map(|(id, ru, en)| {
            (
                id.to_owned(),
                ServiceType {
                    id: id.to_owned(),
                    names: Names::new(ru, en),
                    scenario: LEAD_SCENARIO.to_owned(),
                },
            )
        })
        .collect();
        WorkspaceDoc {
            kind: KIND.to_owned(),
            schema: SCHEMA,
            name: name.to_owned(),
            users,
            statuses: crate::rules::config::StatusConfig::default(),
            scenarios,
            service_types,
            rejection_reasons: reasons(&[
                ("unreachable", "Не удалось связаться", "Could not reach"),
                ("price", "Цена или условия", "Price or terms"),
                ("no_need", "Нет потребности", "No need"),
                ("competitor", "Выбрал конкурента", "Chose a competitor"),
                ("other", "Другое", "Other"),
            ]),
            dormancy_reasons: reasons(&[
                ("competitor", "Ушёл к конкуренту", "Went to a competitor"),
                ("closed", "Бизнес закрылся", "Business closed"),
                ("no_need", "Нет потребности", "No need"),
                ("service", "Недоволен сервисом", "Unhappy with service"),
                ("price", "Цена", "Price"),
                ("never_started", "Не начинал работу", "Never started"),
                ("other", "Другое", "Other"),
            ]),
            settings: Settings::default(),
            quality: QualitySettings::default(),
        }
    }

    /// Active users, by name.
    pub fn users_sorted(&self) -> Vec<&UserEntry> {
        let mut v: Vec<&UserEntry> = self.users.values().collect();
        v.sort_by(|a, b| a.name.cmp(&b.name));
        v
    }

    /// The user with this id.
    pub fn user(&self, id: &UserId) -> Option<&UserEntry> {
        self.users.get(id.as_str())
    }

    /// The name of the user with this id, as lists and the history show
    /// it; `None` for an id the directory does not know (a removed user,
    /// a document from another workspace).
    pub fn user_name(&self, id: &UserId) -> Option<&str> {
        self.user(id).map(|u| u.name.as_str())
    }

    /// Users who can be made responsible for clients (managers and
    /// assistants, and supervisors who also sell).
    pub fn assignable_users(&self) -> Vec<&UserEntry> {
        self.users_sorted()
            .into_iter()
            .filter(|u| u.active && u.role != Role::Administrator)
            .collect()
    }
}

fn reasons(list: &[(&str, &str, &str)]) -> Vec<Reason> {
    list.iter()
        .map(|(id, ru, en)| Reason {
            id: (*id).to_owned(),
            names: Names::new(ru, en),
        })
        .collect()
}

fn state(
    id: &str,
    ru: &str,
    en: &str,
    hint: (&str, &str),
    requires_client: bool,
    ends: Option<Outcome>,
) -> ScenarioState {
    ScenarioState {
        id: id.to_owned(),
        names: Names::new(ru, en),
        hint: Names::new(hint.0, hint.1),
        requires_client,
        ends,
    }
}

/// The default lead scenario of SPEC 4.
fn lead_scenario() -> Scenario {
    Scenario {
        id: LEAD_SCENARIO.to_owned(),
        names: Names::new("Лиды", "Leads"),
        states: vec![
            state(
                "new",
                "Новый",
                "New",
                (
                    "Запрос получен и зарегистрирован",
                    "The request is registered",
                ),
                false,
                None,
            ),
            state(
                "processing",
                "В обработке",
                "In processing",
                (
                    "Связались с клиентом и выясняем потребность",
                    "In touch, finding out the need",
                ),
                false,
                None,
            ),
            state(
                "offer",
                "Предложение",
                "Offer",
                ("Коммерческое предложение отправлено", "The offer is sent"),
                true,
                None,
            ),
            state(
                "follow_up",
                "Дожатие",
                "Follow-up",
                (
                    "Клиент рассматривает предложение, снимаем возражения",
                    "The client weighs the offer",
                ),
                true,
                None,
            ),
            state(
                "converted",
                "Сконвертирован",
                "Converted",
                ("Клиент согласился, сделка оформлена", "The deal is made"),
                true,
                Some(Outcome::Success),
            ),
            state(
                "rejected",
                "Забракован",
                "Rejected",
                (
                    "Продажи не будет; укажите причину",
                    "No sale; give the reason",
                ),
                false,
                Some(Outcome::Failure),
            ),
        ],
    }
}

/// The win-back scenario (Возврат клиента), started when a client is Lost.
fn winback_scenario() -> Scenario {
    Scenario {
        id: WINBACK_SCENARIO.to_owned(),
        names: Names::new("Возврат клиента", "Client win-back"),
        states: vec![
            state(
                "new",
                "Клиент потерян",
                "Client lost",
                (
                    "Выясните, почему клиент ушёл",
                    "Find out why the client left",
                ),
                true,
                None,
            ),
            state(
                "contact",
                "Контакт установлен",
                "In contact",
                ("Клиент готов обсуждать", "The client is ready to talk"),
                true,
                None,
            ),
            state(
                "returned",
                "Клиент вернулся",
                "Client returned",
                (
                    "Есть новая оплата или отгрузка",
                    "A new payment or shipment",
                ),
                true,
                Some(Outcome::Success),
            ),
            state(
                "declined",
                "Не вернулся",
                "Not returned",
                ("Вернуть не удалось; укажите причину", "Could not win back"),
                true,
                Some(Outcome::Failure),
            ),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_is_named_by_id_and_an_unknown_id_is_none() {
        let anna = UserEntry {
            id: UserId::random(),
            login: "anna".into(),
            name: "Анна Петрова".into(),
            role: Role::Manager,
            active: true,
        };
        let ws = WorkspaceDoc::new("test", [anna.clone()]);
        assert_eq!(ws.user_name(&anna.id), Some("Анна Петрова"));
        assert_eq!(ws.user_name(&UserId::random()), None);
    }

    #[test]
    fn only_supervisors_and_administrators_restore() {
        let may: Vec<Role> = Role::ALL.into_iter().filter(|r| r.may_restore()).collect();
        assert_eq!(may, [Role::Supervisor, Role::Administrator]);
    }
}
