//! The rule engine's settings as they live in the workspace document:
//! statuses of work with clients, their calculation methods and rule
//! templates (SPEC 5), and the colour-zone thresholds (SPEC 6). [`RuleSet`]
//! is their validated, compiled form; nothing evaluates an unchecked
//! [`StatusConfig`].

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::workspace::Names;

/// The id of a status of work with clients: one of the supplied ones
/// (`new`, `in_progress`, `active`, `lost`, `returned`, `alien`,
/// `non_target`, `liquidated`) or an administrator's own.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Reconcile, Hydrate,
)]
#[serde(transparent)]
pub struct StatusId(pub String);

impl StatusId {
    /// New (Новый): the status of a freshly created card.
    pub const NEW: &'static str = "new";
    /// In progress (В проработке).
    pub const IN_PROGRESS: &'static str = "in_progress";
    /// Active (Активный).
    pub const ACTIVE: &'static str = "active";
    /// Lost (Потерянный).
    pub const LOST: &'static str = "lost";
    /// Returned (Возвращённый).
    pub const RETURNED: &'static str = "returned";
    /// Alien (Чужой).
    pub const ALIEN: &'static str = "alien";
    /// Non-target (Нецелевой).
    pub const NON_TARGET: &'static str = "non_target";
    /// Liquidated (Ликвидирован).
    pub const LIQUIDATED: &'static str = "liquidated";

    /// The id from its text.
    pub fn new(id: impl Into<String>) -> StatusId {
        StatusId(id.into())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StatusId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for StatusId {
    fn from(id: String) -> Self {
        StatusId(id)
    }
}

impl From<&str> for StatusId {
    fn from(id: &str) -> Self {
        StatusId(id.to_owned())
    }
}

impl std::borrow::Borrow<str> for StatusId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for StatusId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// What a rule condition counts, always within the rule's period (SPEC 5).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    Reconcile,
    Hydrate,
)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Interests created on or before the day and not completed before the
    /// period's first day.
    #[autosurgeon(rename = "active_interests")]
    ActiveInterests,
    /// Interests completed in the period with outcome success.
    #[autosurgeon(rename = "successful_interests")]
    SuccessfulInterests,
    /// Payments dated in the period.
    #[autosurgeon(rename = "payments")]
    Payments,
    /// Shipments dated in the period.
    #[autosurgeon(rename = "shipments")]
    Shipments,
}

impl Measure {
    /// Every measure, in the order the engine keeps its counts.
    pub const ALL: [Measure; 4] = [
        Measure::ActiveInterests,
        Measure::SuccessfulInterests,
        Measure::Payments,
        Measure::Shipments,
    ];

    /// The position of this measure in [`Measure::ALL`].
    pub fn index(self) -> usize {
        match self {
            Measure::ActiveInterests => 0,
            Measure::SuccessfulInterests => 1,
            Measure::Payments => 2,
            Measure::Shipments => 3,
        }
    }
}

/// How a count is compared with the value of a [`Comparison`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Reconcile, Hydrate)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// `count >= value`.
    #[autosurgeon(rename = "at_least")]
    AtLeast,
    /// `count <= value`.
    #[autosurgeon(rename = "at_most")]
    AtMost,
    /// `count == value`.
    #[autosurgeon(rename = "exactly")]
    Exactly,
}

/// One test of a rule: `measure op value`, e.g. "payments at least 1".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct Comparison {
    pub measure: Measure,
    pub op: Op,
    /// The count compared with.
    pub value: u32,
}

impl Comparison {
    /// `measure >= value`.
    pub fn at_least(measure: Measure, value: u32) -> Comparison {
        Comparison {
            measure,
            op: Op::AtLeast,
            value,
        }
    }

    /// `measure == 0`.
    pub fn none(measure: Measure) -> Comparison {
        Comparison {
            measure,
            op: Op::Exactly,
            value: 0,
        }
    }

    /// The counts that pass, as an inclusive range.
    fn range(self) -> (u64, u64) {
        let v = u64::from(self.value);
        match self.op {
            Op::AtLeast => (v, u64::MAX),
            Op::AtMost => (0, v),
            Op::Exactly => (v, v),
        }
    }

    /// Whether a count passes.
    pub fn holds(self, count: u64) -> bool {
        let (lo, hi) = self.range();
        lo <= count && count <= hi
    }
}

/// A disjunction: the clause holds if any of its comparisons holds. A rule's
/// conditions are a conjunction of clauses, which is enough to say both
/// "no payment and no shipment" and "a payment or a shipment".
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct Clause {
    /// The alternatives; a clause without any can never hold and is
    /// refused by [`RuleSet::new`].
    pub any: Vec<Comparison>,
}

impl Clause {
    /// A clause of one comparison.
    pub fn one(comparison: Comparison) -> Clause {
        Clause {
            any: vec![comparison],
        }
    }
}

/// An automatic rule: the statuses it may move a client from, and the
/// conditions (all clauses must hold) over counts in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct RuleTemplate {
    /// The rule id reported as the `rule` that set a status: a supplied
    /// rule's id (see [`SuppliedRule`]) or an administrator's own.
    pub id: String,
    /// The rule applies only to a client whose current status is one of
    /// these.
    pub previous: Vec<StatusId>,
    /// All of these clauses must hold.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub conditions: Vec<Clause>,
}

/// The rules supplied with Kartoteka (SPEC 5). Each may be chosen for at
/// most one status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SuppliedRule {
    /// The client has no history yet and had no other status: the rule of
    /// the "for a new client" status.
    New,
    /// Previous New; active Interests in the period, and no successfully
    /// completed Interest, payment or shipment.
    InProgress,
    /// Previous In progress or Returned; a successfully completed Interest,
    /// a payment or a shipment in the period.
    Active,
    /// Previous Active; no successfully completed Interest, shipment or
    /// payment in the period.
    Lost,
    /// Previous Lost; an active Interest in the period, and no successfully
    /// completed Interest, payment or shipment.
    Returned,
}

impl SuppliedRule {
    /// The rules that are templates of automatic statuses.
    pub const AUTOMATIC: [SuppliedRule; 4] = [
        SuppliedRule::InProgress,
        SuppliedRule::Active,
        SuppliedRule::Lost,
        SuppliedRule::Returned,
    ];

    /// The rule id, reported as `rule` in results.
    pub fn id(self) -> &'static str {
        match self {
            SuppliedRule::New => "new",
            SuppliedRule::InProgress => "in_progress",
            SuppliedRule::Active => "active",
            SuppliedRule::Lost => "lost",
            SuppliedRule::Returned => "returned",
        }
    }

    /// The rule as a template over the default status ids, or `None` for
    /// [`SuppliedRule::New`], which is the "for a new client" method rather
    /// than an automatic rule.
    pub fn template(self) -> Option<RuleTemplate> {
        use Measure::{ActiveInterests, Payments, Shipments, SuccessfulInterests};
        let nothing_done = || {
            [SuccessfulInterests, Payments, Shipments]
                .map(|m| Clause::one(Comparison::none(m)))
                .to_vec()
        };
        let (previous, conditions): (&[&str], Vec<Clause>) = match self {
            SuppliedRule::New => return None,
            SuppliedRule::InProgress => {
                let mut c = vec![Clause::one(Comparison::at_least(ActiveInterests, 1))];
                c.extend(nothing_done());
                (&[StatusId::NEW], c)
            }
            SuppliedRule::Active => (
                &[StatusId::IN_PROGRESS, StatusId::RETURNED],
                vec![Clause {
                    any: [SuccessfulInterests, Payments, Shipments]
                        .map(|m| Comparison::at_least(m, 1))
                        .to_vec(),
                }],
            ),
            SuppliedRule::Lost => (&[StatusId::ACTIVE], nothing_done()),
            SuppliedRule::Returned => {
                let mut c = vec![Clause::one(Comparison::at_least(ActiveInterests, 1))];
                c.extend(nothing_done());
                (&[StatusId::LOST], c)
            }
        };
        Some(RuleTemplate {
            id: self.id().to_owned(),
            previous: previous.iter().map(|&s| StatusId::from(s)).collect(),
            conditions,
        })
    }
}

/// The default look-back period of automatic rules, in days.
pub const DEFAULT_PERIOD_DAYS: u32 = 30;

/// How a status is calculated (SPEC 5): each status has exactly one method.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum StatusMethod {
    /// Set on a freshly created card (the supplied rule New).
    #[autosurgeon(rename = "for_new_client")]
    ForNewClient,
    /// Set by a rule, evaluated daily over the last `period_days` days.
    #[autosurgeon(rename = "automatic")]
    Automatic {
        rule: RuleTemplate,
        period_days: u32,
    },
    /// Set by a person.
    #[autosurgeon(rename = "manual")]
    Manual,
}

/// One status of work with clients.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct StatusDef {
    /// The names shown in Russian and English.
    pub names: Names,
    /// A CSS hex colour, `#rgb` or `#rrggbb`.
    pub colour: String,
    /// Position in lists and in rule evaluation: the first matching
    /// automatic rule in this order wins. Ties are broken by id.
    pub order: u32,
    /// How the status is set.
    pub method: StatusMethod,
}

/// Colour-zone thresholds in calendar months after the last activity
/// (SPEC 6): green before `yellow`, yellow before `red`, red up to and
/// including `exchange`, then the exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct ZoneThresholds {
    /// Months of no contact after which a client turns yellow.
    pub yellow: u32,
    /// Months of no contact after which it turns red.
    pub red: u32,
    /// Months of no contact after which (from the next day) it goes to the
    /// exchange.
    pub exchange: u32,
}

impl Default for ZoneThresholds {
    fn default() -> Self {
        ZoneThresholds {
            yellow: 1,
            red: 5,
            exchange: 6,
        }
    }
}

/// Everything the rule engine is configured by: the statuses (keyed by id,
/// so that two administrators editing different statuses offline merge
/// cleanly) and the zone thresholds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct StatusConfig {
    /// Every status by id; evaluation order comes from
    /// [`StatusDef::order`].
    pub statuses: BTreeMap<StatusId, StatusDef>,
    /// The colour-zone thresholds.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub zones: ZoneThresholds,
}

impl Default for StatusConfig {
    /// The SPEC's eight statuses with the supplied rules and a 30-day
    /// period, and zones at 1, 5 and 6 months.
    fn default() -> Self {
        let automatic = |rule: SuppliedRule| StatusMethod::Automatic {
            rule: rule
                .template()
                .expect("every supplied automatic rule has a template"),
            period_days: DEFAULT_PERIOD_DAYS,
        };
        let defs = [
            (
                StatusId::NEW,
                "Новый",
                "New",
                "#2563eb",
                StatusMethod::ForNewClient,
            ),
            (
                StatusId::IN_PROGRESS,
                "В проработке",
                "In progress",
                "#d97706",
                automatic(SuppliedRule::InProgress),
            ),
            (
                StatusId::ACTIVE,
                "Активный",
                "Active",
                "#16a34a",
                automatic(SuppliedRule::Active),
            ),
            (
                StatusId::LOST,
                "Потерянный",
                "Lost",
                "#dc2626",
                automatic(SuppliedRule::Lost),
            ),
            (
                StatusId::RETURNED,
                "Возвращённый",
                "Returned",
                "#7c3aed",
                automatic(SuppliedRule::Returned),
            ),
            (
                StatusId::ALIEN,
                "Чужой",
                "Alien",
                "#64748b",
                StatusMethod::Manual,
            ),
            (
                StatusId::NON_TARGET,
                "Нецелевой",
                "Non-target",
                "#a8a29e",
                StatusMethod::Manual,
            ),
            (
                StatusId::LIQUIDATED,
                "Ликвидирован",
                "Liquidated",
                "#1f2937",
                StatusMethod::Manual,
            ),
        ];
        let statuses = defs
            .into_iter()
            .zip((1..).map(|i: u32| i * 10))
            .map(|((id, ru, en, colour, method), order)| {
                let def = StatusDef {
                    names: Names::new(ru, en),
                    colour: colour.to_owned(),
                    order,
                    method,
                };
                (StatusId::from(id), def)
            })
            .collect();
        StatusConfig {
            statuses,
            zones: ZoneThresholds::default(),
        }
    }
}

impl StatusConfig {
    /// The same configuration with every automatic rule's period set to
    /// `days` (the `evaluate` command's single `status_period_days`).
    pub fn with_period(mut self, days: u32) -> StatusConfig {
        for def in self.statuses.values_mut() {
            if let StatusMethod::Automatic { period_days, .. } = &mut def.method {
                *period_days = days;
            }
        }
        self
    }
}

/// Why a [`StatusConfig`] cannot be used. Each message names the statuses
/// involved so that an administrator knows what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("no status is set \"for a new client\"; choose exactly one")]
    NoNewClientStatus,
    #[error(
        "statuses \"{first}\" and \"{second}\" are both set \"for a new client\"; choose exactly one"
    )]
    SeveralNewClientStatuses { first: StatusId, second: StatusId },
    #[error("a status has an empty id; give it one")]
    EmptyStatusId,
    #[error("there are {count} statuses; at most {MAX_STATUSES} are supported")]
    TooManyStatuses { count: usize },
    #[error(
        "statuses \"{first}\" and \"{second}\" both use the rule \"{rule}\"; a rule can be chosen for one status only"
    )]
    RuleUsedTwice {
        rule: String,
        first: StatusId,
        second: StatusId,
    },
    #[error(
        "the rule of status \"{status}\" has the id \"{rule}\", which is reserved for statuses set at creation or by hand; choose another id"
    )]
    ReservedRuleId { status: StatusId, rule: String },
    #[error("the rule of status \"{status}\" has no id; give it one")]
    EmptyRuleId { status: StatusId },
    #[error(
        "the rule of status \"{status}\" starts from status \"{previous}\", which does not exist"
    )]
    UnknownPreviousStatus {
        status: StatusId,
        previous: StatusId,
    },
    #[error(
        "the rule of status \"{status}\" starts from \"{status}\" itself; a rule must move a client to another status"
    )]
    RuleFromItself { status: StatusId },
    #[error(
        "the rule of status \"{status}\" has a condition with no alternatives, so it can never hold; remove it or add a comparison"
    )]
    EmptyClause { status: StatusId },
    #[error(
        "the rules of statuses \"{first}\" and \"{second}\" can both apply to a client with status \"{previous}\"; make their previous statuses or their conditions exclusive"
    )]
    OverlappingRules {
        first: StatusId,
        second: StatusId,
        previous: StatusId,
    },
    #[error("status \"{status}\" has colour \"{colour}\"; use a CSS hex colour such as #16a34a")]
    BadColour { status: StatusId, colour: String },
    #[error(
        "zone thresholds must not decrease: yellow after {yellow}, red after {red}, exchange after {exchange} months"
    )]
    ZoneThresholds {
        yellow: u32,
        red: u32,
        exchange: u32,
    },
}

/// The position of a status in [`RuleSet`] order.
pub(crate) type StatusIx = usize;

/// An automatic rule, compiled for evaluation.
#[derive(Debug, Clone)]
pub(crate) struct CompiledRule {
    /// The status the rule sets.
    pub status: StatusIx,
    pub id: String,
    pub period_days: u32,
    /// Index into [`RuleSet::periods`].
    pub slot: usize,
    pub clauses: Vec<Clause>,
}

impl CompiledRule {
    /// Whether the conditions hold for these counts (indexed by
    /// [`Measure::index`]).
    pub fn holds(&self, counts: &[i64]) -> bool {
        self.clauses.iter().all(|clause| {
            clause.any.iter().any(|c| {
                let n = u64::try_from(counts[c.measure.index()]).unwrap_or(0);
                c.holds(n)
            })
        })
    }
}

/// A validated [`StatusConfig`], compiled for evaluation: statuses in
/// evaluation order, each automatic rule's candidates per current status,
/// the distinct periods.
#[derive(Debug, Clone)]
pub struct RuleSet {
    config: StatusConfig,
    ids: Vec<StatusId>,
    by_id: HashMap<String, StatusIx>,
    new_client: StatusIx,
    pub(crate) rules: Vec<CompiledRule>,
    /// For each status, the rules that may fire from it, in status order.
    pub(crate) candidates: Vec<Vec<usize>>,
    /// The distinct look-back periods, in days.
    pub(crate) periods: Vec<u32>,
    /// For each period, which measures some rule with that period reads.
    pub(crate) used: Vec<[bool; 4]>,
}

impl RuleSet {
    /// Checks the configuration (SPEC 5: one status for a new client, a
    /// rule for at most one status, rules that cannot contradict each other,
    /// previous statuses that exist; zone thresholds that grow) and compiles
    /// it.
    pub fn new(config: &StatusConfig) -> Result<RuleSet, ConfigError> {
        if config.statuses.len() > MAX_STATUSES {
            return Err(ConfigError::TooManyStatuses {
                count: config.statuses.len(),
            });
        }
        let z = config.zones;
        if !(z.yellow <= z.red && z.red <= z.exchange) {
            return Err(ConfigError::ZoneThresholds {
                yellow: z.yellow,
                red: z.red,
                exchange: z.exchange,
            });
        }
        let mut ordered: Vec<(&StatusId, &StatusDef)> = config.statuses.iter().collect();
        ordered.sort_by(|a, b| a.1.order.cmp(&b.1.order).then_with(|| a.0.cmp(b.0)));
        let ids: Vec<StatusId> = ordered.iter().map(|(id, _)| (*id).clone()).collect();
        let by_id: HashMap<String, StatusIx> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.0.clone(), i))
            .collect();

        let mut new_client: Option<StatusIx> = None;
        let mut rule_owner: HashMap<&str, &StatusId> = HashMap::new();
        let mut rules = Vec::new();
        let mut periods: Vec<u32> = Vec::new();
        let mut previous_sets: Vec<Vec<StatusIx>> = Vec::new();
        for (ix, (id, def)) in ordered.iter().enumerate() {
            if id.0.is_empty() {
                return Err(ConfigError::EmptyStatusId);
            }
            if !is_hex_colour(&def.colour) {
                return Err(ConfigError::BadColour {
                    status: (*id).clone(),
                    colour: def.colour.clone(),
                });
            }
            match &def.method {
                StatusMethod::Manual => {}
                StatusMethod::ForNewClient => {
                    if let Some(first) = new_client {
                        return Err(ConfigError::SeveralNewClientStatuses {
                            first: ids[first].clone(),
                            second: (*id).clone(),
                        });
                    }
                    new_client = Some(ix);
                }
                StatusMethod::Automatic { rule, period_days } => {
                    let status = (*id).clone();
                    if rule.id.is_empty() {
                        return Err(ConfigError::EmptyRuleId { status });
                    }
                    if rule.id == SuppliedRule::New.id() || rule.id == MANUAL_RULE {
                        return Err(ConfigError::ReservedRuleId {
                            status,
                            rule: rule.id.clone(),
                        });
                    }
                    if let Some(first) = rule_owner.insert(&rule.id, id) {
                        return Err(ConfigError::RuleUsedTwice {
                            rule: rule.id.clone(),
                            first: first.clone(),
                            second: status,
                        });
                    }
                    if rule.conditions.iter().any(|c| c.any.is_empty()) {
                        return Err(ConfigError::EmptyClause { status });
                    }
                    let mut previous = Vec::with_capacity(rule.previous.len());
                    for p in &rule.previous {
                        let Some(&pix) = by_id.get(&p.0) else {
                            return Err(ConfigError::UnknownPreviousStatus {
                                status,
                                previous: p.clone(),
                            });
                        };
                        if pix == ix {
                            return Err(ConfigError::RuleFromItself { status });
                        }
                        previous.push(pix);
                    }
                    let slot = match periods.iter().position(|&p| p == *period_days) {
                        Some(slot) => slot,
                        None => {
                            periods.push(*period_days);
                            periods.len() - 1
                        }
                    };
                    rules.push(CompiledRule {
                        status: ix,
                        id: rule.id.clone(),
                        period_days: *period_days,
                        slot,
                        clauses: rule.conditions.clone(),
                    });
                    previous_sets.push(previous);
                }
            }
        }
        let new_client = new_client.ok_or(ConfigError::NoNewClientStatus)?;

        // Two rules that could both fire for one current status would make
        // the result depend on the order of statuses, which administrators
        // reorder for display: refuse unless their conditions exclude each
        // other.
        for (i, a) in rules.iter().enumerate() {
            for (j, b) in rules.iter().enumerate().skip(i + 1) {
                let shared = previous_sets[i]
                    .iter()
                    .find(|p| previous_sets[j].contains(p));
                if let Some(&shared) = shared {
                    let exclusive =
                        a.period_days == b.period_days && !satisfiable(&a.clauses, &b.clauses);
                    if !exclusive {
                        return Err(ConfigError::OverlappingRules {
                            first: ids[a.status].clone(),
                            second: ids[b.status].clone(),
                            previous: ids[shared].clone(),
                        });
                    }
                }
            }
        }

        let mut candidates = vec![Vec::new(); ids.len()];
        for (r, previous) in previous_sets.iter().enumerate() {
            for &p in previous {
                candidates[p].push(r);
            }
        }
        let mut used = vec![[false; 4]; periods.len()];
        for rule in &rules {
            for clause in &rule.clauses {
                for c in &clause.any {
                    used[rule.slot][c.measure.index()] = true;
                }
            }
        }
        Ok(RuleSet {
            config: config.clone(),
            ids,
            by_id,
            new_client,
            rules,
            candidates,
            periods,
            used,
        })
    }

    /// The configuration this rule set was built from.
    pub fn config(&self) -> &StatusConfig {
        &self.config
    }

    /// Status ids in evaluation and display order.
    pub fn status_ids(&self) -> &[StatusId] {
        &self.ids
    }

    /// The definition of a status, if it exists.
    pub fn status(&self, id: &str) -> Option<&StatusDef> {
        self.config.statuses.get(id)
    }

    /// The "for a new client" status.
    pub fn new_client_status(&self) -> &StatusId {
        &self.ids[self.new_client]
    }

    /// The status whose automatic rule has this id (e.g. the status the
    /// supplied rule `lost` is chosen for), if any.
    pub fn status_with_rule(&self, rule_id: &str) -> Option<&StatusId> {
        self.rules
            .iter()
            .find(|r| r.id == rule_id)
            .map(|r| &self.ids[r.status])
    }

    /// The zone thresholds.
    pub fn zones(&self) -> ZoneThresholds {
        self.config.zones
    }

    pub(crate) fn index_of(&self, id: &str) -> Option<StatusIx> {
        self.by_id.get(id).copied()
    }

    pub(crate) fn id_at(&self, ix: StatusIx) -> &StatusId {
        &self.ids[ix]
    }

    pub(crate) fn new_client_ix(&self) -> StatusIx {
        self.new_client
    }
}

/// The most statuses a configuration may have; the engine packs a period
/// index into a few bits.
pub const MAX_STATUSES: usize = 1 << 16;

/// The `rule` reported for a status set by a person.
pub const MANUAL_RULE: &str = "manual";

fn is_hex_colour(s: &str) -> bool {
    let Some(hex) = s.strip_prefix('#') else {
        return false;
    };
    matches!(hex.len(), 3 | 6) && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

/// More candidate points than this and exclusivity is not attempted: the
/// rules are then reported as overlapping, which errs on the safe side.
const MAX_POINTS: usize = 1 << 20;

/// Whether some counts satisfy both conjunctions. Each comparison's truth
/// changes only at its value or one past it, so trying 0 and each value
/// `v - 1, v, v + 1` per measure covers every case.
fn satisfiable(a: &[Clause], b: &[Clause]) -> bool {
    let clauses: Vec<&Clause> = a.iter().chain(b).collect();
    let mut points: [Vec<u64>; 4] = Default::default();
    for p in &mut points {
        p.push(0);
    }
    for c in clauses.iter().flat_map(|c| &c.any) {
        let v = u64::from(c.value);
        let p = &mut points[c.measure.index()];
        p.extend([v.saturating_sub(1), v, v + 1]);
    }
    for p in &mut points {
        p.sort_unstable();
        p.dedup();
    }
    if points.iter().map(Vec::len).product::<usize>() > MAX_POINTS {
        return true;
    }
    let mut at = [0usize; 4];
    loop {
        let counts = [0, 1, 2, 3].map(|m| points[m][at[m]]);
        let holds = clauses.iter().all(|clause| {
            clause
                .any
                .iter()
                .any(|c| c.holds(counts[c.measure.index()]))
        });
        if holds {
            return true;
        }
        // Next combination, like an odometer.
        let mut m = 0;
        loop {
            if m == 4 {
                return false;
            }
            at[m] += 1;
            if at[m] < points[m].len() {
                break;
            }
            at[m] = 0;
            m += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn automatic(previous: &[&str], conditions: Vec<Clause>, id: &str) -> StatusMethod {
        StatusMethod::Automatic {
            rule: RuleTemplate {
                id: id.to_owned(),
                previous: previous.iter().map(|&p| StatusId::from(p)).collect(),
                conditions,
            },
            period_days: 30,
        }
    }

    fn with_status(mut config: StatusConfig, id: &str, method: StatusMethod) -> StatusConfig {
        config.statuses.insert(
            StatusId::from(id),
            StatusDef {
                names: Names::new(id, id),
                colour: "#abc".to_owned(),
                order: 100,
                method,
            },
        );
        config
    }

    fn error(config: &StatusConfig) -> ConfigError {
        match RuleSet::new(config) {
            Ok(_) => panic!("the configuration should be refused"),
            Err(e) => e,
        }
    }

    #[test]
    fn defaults_are_valid_and_ordered_as_the_spec_lists_them() {
        let rules = RuleSet::new(&StatusConfig::default()).expect("defaults are valid");
        let ids: Vec<&str> = rules.status_ids().iter().map(StatusId::as_str).collect();
        assert_eq!(
            ids,
            [
                "new",
                "in_progress",
                "active",
                "lost",
                "returned",
                "alien",
                "non_target",
                "liquidated"
            ]
        );
        assert_eq!(rules.new_client_status().as_str(), "new");
        assert_eq!(
            rules.status_with_rule("lost").map(StatusId::as_str),
            Some("lost")
        );
        assert_eq!(rules.periods, vec![30]);
        let names = &rules.status("returned").expect("exists").names;
        assert_eq!(
            (names.ru.as_str(), names.en.as_str()),
            ("Возвращённый", "Returned")
        );
    }

    #[test]
    fn a_supplied_rule_chosen_for_two_statuses_is_refused() {
        let rule = SuppliedRule::Lost.template().expect("automatic");
        let config = with_status(
            StatusConfig::default(),
            "lost_again",
            automatic(&["alien"], rule.conditions, "lost"),
        );
        assert_eq!(
            error(&config),
            ConfigError::RuleUsedTwice {
                rule: "lost".into(),
                first: "lost".into(),
                second: "lost_again".into()
            }
        );
        assert!(error(&config).to_string().contains("\"lost_again\""));
    }

    #[test]
    fn rules_from_the_same_status_must_exclude_each_other() {
        let payments = |op, value| {
            vec![Clause::one(Comparison {
                measure: Measure::Payments,
                op,
                value,
            })]
        };
        // Lost fires from Active with no payment; this one with at least
        // two payments: exclusive.
        let ok = with_status(
            StatusConfig::default(),
            "vip",
            automatic(&["active"], payments(Op::AtLeast, 2), "vip"),
        );
        RuleSet::new(&ok).expect("exclusive conditions are accepted");
        // At most three payments overlaps with "no payment".
        let bad = with_status(
            StatusConfig::default(),
            "vip",
            automatic(&["active", "alien"], payments(Op::AtMost, 3), "vip"),
        );
        assert_eq!(
            error(&bad),
            ConfigError::OverlappingRules {
                first: "lost".into(),
                second: "vip".into(),
                previous: "active".into()
            }
        );
    }

    #[test]
    fn a_missing_previous_status_is_named() {
        let config = with_status(
            StatusConfig::default(),
            "vip",
            automatic(&["gold"], Vec::new(), "vip"),
        );
        assert_eq!(
            error(&config).to_string(),
            "the rule of status \"vip\" starts from status \"gold\", which does not exist"
        );
    }

    #[test]
    fn exactly_one_status_is_for_a_new_client() {
        let mut none = StatusConfig::default();
        if let Some(def) = none.statuses.get_mut("new") {
            def.method = StatusMethod::Manual;
        }
        assert_eq!(error(&none), ConfigError::NoNewClientStatus);
        let two = with_status(StatusConfig::default(), "fresh", StatusMethod::ForNewClient);
        assert_eq!(
            error(&two),
            ConfigError::SeveralNewClientStatuses {
                first: "new".into(),
                second: "fresh".into()
            }
        );
    }

    #[test]
    fn other_mistakes_are_refused() {
        let own = with_status(
            StatusConfig::default(),
            "x",
            automatic(&["x"], Vec::new(), "x"),
        );
        assert_eq!(
            error(&own),
            ConfigError::RuleFromItself { status: "x".into() }
        );
        let reserved = with_status(
            StatusConfig::default(),
            "x",
            automatic(&["alien"], Vec::new(), "manual"),
        );
        assert!(matches!(
            error(&reserved),
            ConfigError::ReservedRuleId { .. }
        ));
        let empty = with_status(
            StatusConfig::default(),
            "x",
            automatic(&["alien"], vec![Clause { any: Vec::new() }], "x"),
        );
        assert!(matches!(error(&empty), ConfigError::EmptyClause { .. }));
        let mut colour = StatusConfig::default();
        if let Some(def) = colour.statuses.get_mut(&StatusId::from("alien")) {
            def.colour = "grey".to_owned();
        }
        assert!(matches!(error(&colour), ConfigError::BadColour { .. }));
        let mut zones = StatusConfig::default();
        zones.zones.red = 7;
        assert!(matches!(error(&zones), ConfigError::ZoneThresholds { .. }));
    }

    #[test]
    fn exclusivity_is_decided_on_the_boundaries() {
        let c = |m, op, value| {
            Clause::one(Comparison {
                measure: m,
                op,
                value,
            })
        };
        let a = [c(Measure::Shipments, Op::AtLeast, 3)];
        let b = [c(Measure::Shipments, Op::AtMost, 2)];
        assert!(!satisfiable(&a, &b));
        let b = [c(Measure::Shipments, Op::Exactly, 3)];
        assert!(satisfiable(&a, &b));
        let b = [Clause {
            any: vec![
                Comparison {
                    measure: Measure::Shipments,
                    op: Op::AtMost,
                    value: 2,
                },
                Comparison {
                    measure: Measure::Payments,
                    op: Op::AtLeast,
                    value: 1,
                },
            ],
        }];
        assert!(satisfiable(&a, &b));
    }

    #[test]
    fn the_config_round_trips_through_automerge_and_json() {
        use automerge::AutoCommit;
        let config = StatusConfig::default().with_period(45);
        let mut doc = AutoCommit::new();
        autosurgeon::reconcile(&mut doc, &config).expect("reconciles");
        let back: StatusConfig = autosurgeon::hydrate(&doc).expect("hydrates");
        assert_eq!(back, config);
        let json = serde_json::to_string(&config).expect("serialises");
        let back: StatusConfig = serde_json::from_str(&json).expect("parses");
        assert_eq!(back, config);
    }
}
