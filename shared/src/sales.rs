//! "My sales" (Мои продажи, SPEC 4 and issue 6): a manager's Interests
//! across every client and potential client, filtered and laid out by the
//! states of one scenario, with counts per state and the overdue
//! follow-ups marked.

use std::sync::Arc;

use crate::date::Date;
use crate::ids::UserId;
use crate::scenario::is_overdue;
use crate::summary::{ClientSummary, InterestSummary};
use crate::workspace::Scenario;

/// One Interest on the board, with the client it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub client: Arc<ClientSummary>,
    /// Index into `client.interests`.
    pub index: usize,
    pub overdue: bool,
}

impl Item {
    /// The Interest.
    pub fn interest(&self) -> &InterestSummary {
        &self.client.interests[self.index]
    }
}

/// Which Interests the board shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Only this person's Interests (`None`: everybody's).
    pub responsible: Option<UserId>,
    /// Only this service type (empty: all).
    pub service_type: String,
    /// Only these states (empty: all).
    pub states: Vec<String>,
    /// Client or content containing this text (case-insensitive).
    pub text: String,
    /// Registered on or after / on or before.
    pub from: Option<Date>,
    pub to: Option<Date>,
    /// Leave out the Interests that ended before this day (`None`: show
    /// every ended one). The board shows the recently ended ones, so a
    /// sale moved to "Converted" stays in sight.
    pub ended_since: Option<Date>,
}

/// A column of the board: a state and its Interests.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub state: String,
    pub items: Vec<Item>,
    pub overdue: usize,
}

/// The Interests of `scenario` among `clients` (clients and potential
/// clients; merged ones are left out) that pass `filter`, as one column per
/// state in the scenario's order. Each column lists overdue Interests
/// first, then by follow-up date, then newest registered first.
pub fn board<'a>(
    clients: impl IntoIterator<Item = &'a Arc<ClientSummary>>,
    scenario: &Scenario,
    filter: &Filter,
    today: Date,
) -> Vec<Column> {
    let text = crate::search::fold(filter.text.trim());
    let mut columns: Vec<Column> = scenario
        .states
        .iter()
        .filter(|s| filter.states.is_empty() || filter.states.contains(&s.id))
        .map(|s| Column {
            state: s.id.clone(),
            items: Vec::new(),
            overdue: 0,
        })
        .collect();
    for client in clients {
        if client.merged_into.is_some() {
            continue;
        }
        let client_matches = text.is_empty() || crate::search::fold(&client.name).contains(&text);
        for (index, i) in client.interests.iter().enumerate() {
            if i.scenario != scenario.id
                || filter
                    .responsible
                    .as_ref()
                    .is_some_and(|r| i.responsible.as_ref() != Some(r))
                || (!filter.service_type.is_empty() && i.service_type != filter.service_type)
                || filter.from.is_some_and(|d| i.created < d)
                || filter.to.is_some_and(|d| i.created > d)
                || filter
                    .ended_since
                    .is_some_and(|since| i.completed.is_some_and(|d| d < since))
                || !(client_matches || crate::search::fold(&i.content).contains(&text))
            {
                continue;
            }
            let Some(column) = columns.iter_mut().find(|c| c.state == i.state) else {
                continue;
            };
            let overdue = is_overdue(i.follow_up, i.completed, today);
            column.overdue += usize::from(overdue);
            column.items.push(Item {
                client: Arc::clone(client),
                index,
                overdue,
            });
        }
    }
    for column in &mut columns {
        column.items.sort_by(|a, b| {
            let (x, y) = (a.interest(), b.interest());
            (
                !a.overdue,
                x.follow_up.is_none(),
                x.follow_up,
                std::cmp::Reverse(x.created),
                &x.id,
            )
                .cmp(&(
                    !b.overdue,
                    y.follow_up.is_none(),
                    y.follow_up,
                    std::cmp::Reverse(y.created),
                    &y.id,
                ))
        });
    }
    columns
}

/// The unfinished Interests of a client, shown before a new one is
/// registered so the same request is not registered twice (SPEC 4).
pub fn unfinished(client: &ClientSummary) -> Vec<&InterestSummary> {
    let mut v: Vec<_> = client.interests.iter().filter(|i| i.is_open()).collect();
    v.sort_by_key(|i| std::cmp::Reverse(i.created));
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::{LEAD_SCENARIO, WorkspaceDoc};

    fn base() -> (Vec<Arc<ClientSummary>>, Date) {
        let today = Date::from_ymd(2026, 11, 22).expect("date");
        let demo = crate::demo::generate(200, today, 11);
        let list = demo
            .clients
            .iter()
            .map(|c| Arc::new(ClientSummary::of(c)))
            .collect();
        (list, today)
    }

    #[test]
    fn every_lead_interest_is_in_the_column_of_its_state() {
        let (clients, today) = base();
        let ws = WorkspaceDoc::new("t", []);
        let scenario = &ws.scenarios[LEAD_SCENARIO];
        let columns = board(&clients, scenario, &Filter::default(), today);
        assert_eq!(columns.len(), scenario.states.len());
        let total: usize = columns.iter().map(|c| c.items.len()).sum();
        let expected = clients
            .iter()
            .flat_map(|c| &c.interests)
            .filter(|i| i.scenario == LEAD_SCENARIO)
            .count();
        assert!(expected > 0);
        assert_eq!(total, expected);
        for c in &columns {
            assert!(c.items.iter().all(|i| i.interest().state == c.state));
            // Overdue ones lead their column.
            let first_not_overdue = c
                .items
                .iter()
                .position(|i| !i.overdue)
                .unwrap_or(c.items.len());
            assert!(c.items[first_not_overdue..].iter().all(|i| !i.overdue));
            assert_eq!(c.overdue, first_not_overdue);
        }
        assert!(
            columns.iter().any(|c| c.overdue > 0),
            "the demo has overdue follow-ups"
        );
    }

    #[test]
    fn filters_narrow_the_board() {
        let (clients, today) = base();
        let ws = WorkspaceDoc::new("t", []);
        let scenario = &ws.scenarios[LEAD_SCENARIO];
        let all: usize = board(&clients, scenario, &Filter::default(), today)
            .iter()
            .map(|c| c.items.len())
            .sum();
        let someone = clients
            .iter()
            .flat_map(|c| &c.interests)
            .find_map(|i| i.responsible.clone())
            .expect("a responsible");
        let count = |f: Filter| -> usize {
            board(&clients, scenario, &f, today)
                .iter()
                .map(|c| c.items.len())
                .sum()
        };
        let mine = count(Filter {
            responsible: Some(someone.clone()),
            ..Filter::default()
        });
        assert!(mine > 0 && mine < all);
        let open = count(Filter {
            ended_since: Some(today),
            ..Filter::default()
        });
        assert!(open < all);
        let service = count(Filter {
            service_type: "consulting".into(),
            ..Filter::default()
        });
        assert!(service > 0 && service < all);
        let name = clients[0].name.to_uppercase();
        let by_text = count(Filter {
            text: name,
            ..Filter::default()
        });
        assert!(by_text >= clients[0].interests.len().min(1));
        assert_eq!(
            count(Filter {
                from: Some(today),
                to: Some(today),
                states: vec!["nothing".into()],
                ..Filter::default()
            }),
            0
        );
    }
}
