//! The message catalogue: every string the app shows, in Russian (the
//! default) and English.
//!
//! A catalogue is a struct with one field per message, so a message missing
//! from one language is a compile error, not a blank on the screen. Views
//! read the current catalogue through [`t!`](crate::t), which tracks the
//! language signal, so switching language re-renders the text only.

use leptos::prelude::*;

mod en;
mod ru;

/// A language of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Ru,
    En,
}

impl Lang {
    /// The catalogue of this language.
    pub fn catalogue(self) -> &'static Catalogue {
        match self {
            Lang::Ru => &ru::RU,
            Lang::En => &en::EN,
        }
    }

    /// The BCP 47 code, for `<html lang>` and stored preferences.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }

    /// The language with this code.
    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "ru" => Some(Lang::Ru),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The other language (the switch offers it).
    pub fn other(self) -> Lang {
        match self {
            Lang::Ru => Lang::En,
            Lang::En => Lang::Ru,
        }
    }
}

/// The current language, provided once at the root.
#[derive(Debug, Clone, Copy)]
pub struct I18n {
    pub lang: RwSignal<Lang>,
}

/// The current catalogue (tracks the language when read in a reactive
/// context).
pub fn cat() -> &'static Catalogue {
    lang().catalogue()
}

/// The current language (tracked).
pub fn lang() -> Lang {
    use_context::<I18n>()
        .map(|i| i.lang.get())
        .unwrap_or_default()
}

/// A reactive message: `t!(save)` is a closure that yields the `save`
/// message in the current language.
#[macro_export]
macro_rules! t {
    ($field:ident) => {
        move || $crate::i18n::cat().$field
    };
}

/// Russian plural forms: `one` for 1, 21…; `few` for 2–4, 22–24…; `many`
/// for the rest.
pub fn plural_ru(n: u64, one: &'static str, few: &'static str, many: &'static str) -> &'static str {
    let (d10, d100) = (n % 10, n % 100);
    if d10 == 1 && d100 != 11 {
        one
    } else if (2..=4).contains(&d10) && !(12..=14).contains(&d100) {
        few
    } else {
        many
    }
}

/// Every message of the interface.
#[allow(missing_docs)]
pub struct Catalogue {
    // The shell
    pub app_name: &'static str,
    pub nav_clients: &'static str,
    pub online: &'static str,
    pub offline: &'static str,
    pub online_hint: &'static str,
    pub offline_hint: &'static str,
    pub session_expired: &'static str,
    /// Local changes the relay has not confirmed (header, short).
    pub sync_unsent: fn(u64) -> String,
    /// The time of the last sync (header, short).
    pub sync_done_at: fn(&str) -> String,
    /// The date and time of the last sync (header, hint).
    pub sync_last_hint: fn(&str) -> String,
    pub sync_never: &'static str,
    /// The relay refused the changes of a card (`kt-refused`), by code.
    pub sync_refused_taken: &'static str,
    pub sync_refused_responsible: &'static str,
    pub sync_refused_merged_into: &'static str,
    pub sync_refused_workspace: &'static str,
    pub sync_refused_actor: &'static str,
    pub sync_refused_other: &'static str,
    /// Conflicts on the card.
    pub conflict_title: &'static str,
    pub conflict_hint: &'static str,
    pub conflict_hint_supervisor: &'static str,
    pub conflict_mark: &'static str,
    pub conflict_keep: fn(&str) -> String,
    pub switch_language: &'static str,
    pub other_language_name: &'static str,
    pub log_out: &'static str,
    pub skip_to_content: &'static str,
    pub loading: &'static str,
    pub loading_clients: fn(u64, u64) -> String,
    pub downloading_base: &'static str,
    pub start_failed: &'static str,
    pub retry: &'static str,
    pub storage_not_persistent: &'static str,
    pub dismiss: &'static str,
    // Login
    pub login_title: &'static str,
    pub login_lead: &'static str,
    pub login_field: &'static str,
    pub password_field: &'static str,
    pub log_in: &'static str,
    pub logging_in: &'static str,
    pub bad_credentials: &'static str,
    pub login_required: &'static str,
    pub password_required: &'static str,
    pub login_offline: &'static str,
    pub login_server_error: &'static str,
    // The client list
    pub clients_title: &'static str,
    pub clients_count: fn(u64) -> String,
    pub found_count: fn(u64) -> String,
    pub search_help: &'static str,
    pub search_results: &'static str,
    pub hit_contact: &'static str,
    pub filter_label: &'static str,
    pub filter_placeholder: &'static str,
    pub new_client: &'static str,
    pub col_name: &'static str,
    pub col_inn: &'static str,
    pub col_phone: &'static str,
    pub col_responsible: &'static str,
    pub col_status: &'static str,
    pub no_clients: &'static str,
    pub no_matches: &'static str,
    pub nobody: &'static str,
    // The card
    pub back_to_list: &'static str,
    pub edit: &'static str,
    pub client_not_found: &'static str,
    pub section_requisites: &'static str,
    pub section_contacts_channels: &'static str,
    pub section_contacts: &'static str,
    pub section_notes: &'static str,
    pub section_activity: &'static str,
    pub field_name: &'static str,
    pub field_legal_form: &'static str,
    pub legal_form_none: &'static str,
    pub field_inn: &'static str,
    pub field_kpp: &'static str,
    pub field_ogrn: &'static str,
    pub field_phones: &'static str,
    pub field_phone: &'static str,
    pub field_phone_label: &'static str,
    pub field_emails: &'static str,
    pub field_email: &'static str,
    pub field_addresses: &'static str,
    pub field_address: &'static str,
    pub field_address_kind: &'static str,
    pub address_legal: &'static str,
    pub address_actual: &'static str,
    pub address_postal: &'static str,
    pub address_delivery: &'static str,
    pub field_website: &'static str,
    pub field_industry: &'static str,
    pub field_tags: &'static str,
    pub field_tags_hint: &'static str,
    pub field_source: &'static str,
    pub field_responsible: &'static str,
    pub field_created: &'static str,
    pub add_phone: &'static str,
    pub add_email: &'static str,
    pub add_address: &'static str,
    pub remove: &'static str,
    pub remove_phone: &'static str,
    pub remove_email: &'static str,
    pub remove_address: &'static str,
    pub not_filled: &'static str,
    pub required_mark: &'static str,
    // Saving
    pub save_client: &'static str,
    pub create_client: &'static str,
    pub cancel: &'static str,
    pub saving: &'static str,
    pub saved: &'static str,
    pub save_failed: &'static str,
    pub fix_errors: &'static str,
    pub new_client_title: &'static str,
    pub edit_client_title: &'static str,
    // Duplicates, merging, history
    pub dup_title: &'static str,
    pub dup_lead: &'static str,
    pub dup_same_inn: fn(&str) -> String,
    pub dup_same_phone: fn(&str) -> String,
    pub dup_same_email: fn(&str) -> String,
    pub dup_of_contact: &'static str,
    pub dup_similar_name: &'static str,
    pub dup_reason_label: &'static str,
    pub dup_reason_required: &'static str,
    pub dup_save_anyway: &'static str,
    pub merge_title: &'static str,
    pub merge_lead: &'static str,
    pub merge_search_label: &'static str,
    pub merge_choose: &'static str,
    pub merge_confirm: fn(&str) -> String,
    pub merge_do: &'static str,
    pub merge_done: &'static str,
    pub merge_failed: &'static str,
    pub merge_index_wait: &'static str,
    pub merged_notice: &'static str,
    pub merged_open: &'static str,
    pub merged_from_label: &'static str,
    pub history_title: &'static str,
    pub history_show: &'static str,
    pub history_hide: &'static str,
    pub history_filter_field: &'static str,
    pub history_filter_person: &'static str,
    pub history_all: &'static str,
    pub history_empty: &'static str,
    pub history_when: &'static str,
    pub history_who: &'static str,
    pub history_field: &'static str,
    pub history_before: &'static str,
    pub history_after: &'static str,
    pub history_unknown_author: &'static str,
    pub history_contact: fn(&str) -> String,
    pub history_note: &'static str,
    pub history_status: &'static str,
    pub history_activity: &'static str,
    pub history_merge: &'static str,
    pub history_override: &'static str,
    pub history_failed: &'static str,
    // Contacts
    pub add_contact: &'static str,
    pub edit_contact: &'static str,
    pub save_contact: &'static str,
    pub contact_name: &'static str,
    pub contact_position: &'static str,
    pub contact_birthday: &'static str,
    pub contact_notes: &'static str,
    pub contact_key: &'static str,
    pub key_person_badge: &'static str,
    pub no_contacts: &'static str,
    // Notes
    pub add_note: &'static str,
    pub note_text: &'static str,
    pub no_notes: &'static str,
    // Activity
    pub interests_count: fn(u64) -> String,
    pub events_count: fn(u64) -> String,
    pub payments_total: &'static str,
    pub last_contact: &'static str,
    pub no_activity: &'static str,
    pub recent_events: &'static str,
    pub event_call: &'static str,
    pub event_meeting: &'static str,
    pub event_email: &'static str,
    pub event_message: &'static str,
    pub event_note: &'static str,
    // Validation messages
    pub err_required: &'static str,
    pub err_too_long: fn(usize) -> String,
    pub err_inn_digits: fn(char) -> String,
    pub err_inn_length: &'static str,
    pub err_inn_check: &'static str,
    pub err_inn_sole_trader: &'static str,
    pub err_inn_organisation: &'static str,
    pub err_kpp_format: &'static str,
    pub err_kpp_sole_trader: &'static str,
    pub err_ogrn_digits: fn(char) -> String,
    pub err_ogrn_length: &'static str,
    pub err_ogrn_check: &'static str,
    pub err_email_at: &'static str,
    pub err_email_local: &'static str,
    pub err_email_domain: &'static str,
    pub err_email_spaces: &'static str,
    pub err_email_char: fn(char) -> String,
    pub err_phone_no_digits: &'static str,
    pub err_phone_short: &'static str,
    pub err_phone_long: &'static str,
    pub err_phone_letters: &'static str,
    pub err_phone_extension: &'static str,
    pub err_storage: &'static str,
    pub err_damaged_doc: &'static str,
    // Statuses and zones
    pub section_status: &'static str,
    pub status_since: fn(&str) -> String,
    pub explain_status: &'static str,
    pub recompute: &'static str,
    pub status_recomputed: fn(&str) -> String,
    pub status_not_yet: &'static str,
    pub last_activity_on: fn(&str) -> String,
    pub err_unknown_manual_status: fn(&str) -> String,
    pub err_manual_before_creation: &'static str,
    pub set_manual_status: &'static str,
    pub col_zone: &'static str,
    pub zone_green: &'static str,
    pub zone_yellow: &'static str,
    pub zone_red: &'static str,
    pub zone_exchange: &'static str,
    pub zone_none: &'static str,
    pub filter_status: &'static str,
    pub all_statuses: &'static str,
    pub measure_active_interests: &'static str,
    pub measure_successful_interests: &'static str,
    pub measure_payments: &'static str,
    pub measure_shipments: &'static str,
    pub condition_or: &'static str,
    pub explanation_title: fn(&str) -> String,
    pub explain_created: fn(&str) -> String,
    pub explain_manual: fn(&str, &str) -> String,
    pub explain_rule: fn(&str, &str) -> String,
    pub explain_previous: fn(&str) -> String,
    pub explain_period: fn(u32, &str, &str) -> String,
    pub conditions_title: &'static str,
    pub facts_title: &'static str,
    pub facts_none: &'static str,
    pub status_history_title: &'static str,
    pub col_date: &'static str,
    pub col_set_by: &'static str,
    pub set_by_creation: &'static str,
    pub set_by_manual: fn(&str) -> String,
    pub set_by_rule: fn(&str, u32) -> String,
    pub arrow_to: &'static str,
    pub manual_title: &'static str,
    pub manual_status_field: &'static str,
    pub manual_comment: &'static str,
    pub manual_comment_hint: &'static str,
    pub manual_submit: &'static str,
    pub err_comment_required: &'static str,
    pub status_set: &'static str,
    pub status_removed: &'static str,
    pub remove_manual_status: fn(&str, &str) -> String,
    pub undo: &'static str,
    pub winback_content: &'static str,
    // Interests
    pub section_interests: &'static str,
    pub add_interest: &'static str,
    pub no_interests: &'static str,
    pub interest_content: &'static str,
    pub interest_service: &'static str,
    pub interest_scenario: &'static str,
    pub interest_date: &'static str,
    pub save_interest: &'static str,
    pub created_on: fn(&str) -> String,
    pub completed_on: fn(&str) -> String,
    pub outcome_success: &'static str,
    pub outcome_failure: &'static str,
    pub outcome_won: &'static str,
    pub outcome_lost: &'static str,
    pub complete_success: &'static str,
    pub complete_failure: &'static str,
    pub completion_date: &'static str,
    pub field_reason: &'static str,
    pub choose_reason: &'static str,
    pub confirm_success: &'static str,
    pub confirm_failure: &'static str,
    pub interest_completed: &'static str,
    pub err_reason_required: &'static str,
    pub err_date_format: &'static str,
    pub err_date_future: &'static str,
    pub err_date_before: fn(&str) -> String,
    // Reports
    pub nav_dynamics: &'static str,
    pub dynamics_title: &'static str,
    pub dynamics_compare_with: &'static str,
    pub field_manager: &'static str,
    pub all_managers: &'static str,
    pub computing: &'static str,
    pub dynamics_counts: &'static str,
    pub dynamics_chart: &'static str,
    pub dynamics_flows: &'static str,
    pub col_change: &'static str,
    pub col_from: &'static str,
    pub col_to: &'static str,
    pub col_clients: &'static str,
    pub total: &'static str,
    pub no_flows: &'static str,
    pub flow_created_after: fn(&str) -> String,
    pub winback_title: &'static str,
    pub winback_lead: fn(&str, &str) -> String,
    pub no_winbacks: &'static str,
    pub col_winbacks_started: &'static str,
    pub col_winbacks_returned: &'static str,
    pub col_winbacks_won: &'static str,
    pub col_conversion: &'static str,
    // Settings of statuses and rules
    pub nav_settings: &'static str,
    pub settings_title: &'static str,
    pub settings_lead: &'static str,
    pub settings_forbidden: &'static str,
    pub settings_saved: &'static str,
    pub new_status_name: &'static str,
    pub add_status: &'static str,
    pub discard_changes: &'static str,
    pub save_settings: &'static str,
    pub move_up: fn(&str) -> String,
    pub move_down: fn(&str) -> String,
    pub status_name_ru: &'static str,
    pub status_name_en: &'static str,
    pub status_colour: &'static str,
    pub status_method: &'static str,
    pub method_for_new_client: &'static str,
    pub method_automatic: &'static str,
    pub method_manual: &'static str,
    pub rule_period: &'static str,
    pub rule_id: &'static str,
    pub rule_previous: &'static str,
    pub rule_conditions: &'static str,
    pub rule_no_conditions: &'static str,
    pub add_condition: &'static str,
    pub add_alternative: &'static str,
    pub condition_n: fn(usize) -> String,
    pub condition_or_word: &'static str,
    pub condition_measure: &'static str,
    pub condition_op: &'static str,
    pub condition_value: &'static str,
    pub op_at_least: &'static str,
    pub op_at_most: &'static str,
    pub op_exactly: &'static str,
    pub zone_thresholds: &'static str,
    pub zone_thresholds_hint: &'static str,
    pub zone_yellow_after: &'static str,
    pub zone_red_after: &'static str,
    pub zone_exchange_after: &'static str,
    pub cfg_no_new_client: &'static str,
    pub cfg_several_new_client: fn(&str, &str) -> String,
    pub cfg_empty_id: &'static str,
    pub cfg_too_many: &'static str,
    pub cfg_rule_twice: fn(&str, &str, &str) -> String,
    pub cfg_reserved_rule: fn(&str, &str) -> String,
    pub cfg_empty_rule: fn(&str) -> String,
    pub cfg_unknown_previous: fn(&str, &str) -> String,
    pub cfg_rule_from_itself: fn(&str) -> String,
    pub cfg_empty_clause: fn(&str) -> String,
    pub cfg_overlapping: fn(&str, &str, &str) -> String,
    pub cfg_bad_colour: fn(&str, &str) -> String,
    pub cfg_zones: &'static str,
    pub remove_comparison: fn(usize) -> String,
    // Sales settings: scenarios, service types, rejection reasons; the funnel
    pub nav_sales_settings: &'static str,
    pub sales_settings_title: &'static str,
    pub sales_settings_lead: &'static str,
    pub sales_settings_read_only: &'static str,
    pub sales_settings_link: &'static str,
    pub statuses_settings_link: &'static str,
    pub sales_saved: &'static str,
    pub scenarios_title: &'static str,
    pub scenario_field: &'static str,
    pub add_scenario: &'static str,
    pub new_scenario_name: &'static str,
    pub delete_scenario: &'static str,
    pub states_title: &'static str,
    pub state_n: fn(usize) -> String,
    pub state_hint_ru: &'static str,
    pub state_hint_en: &'static str,
    pub state_requires_client: &'static str,
    pub state_end: &'static str,
    pub end_none: &'static str,
    pub end_success: &'static str,
    pub end_failure: &'static str,
    pub add_state: &'static str,
    pub new_state_name: &'static str,
    pub delete_state: fn(&str) -> String,
    pub state_in_use: fn(&str, u64) -> String,
    pub scenario_in_use_interests: fn(&str, u64) -> String,
    pub service_types_title: &'static str,
    pub service_type_default: &'static str,
    pub add_service_type: &'static str,
    pub new_service_type_name: &'static str,
    pub delete_service_type: fn(&str) -> String,
    pub service_type_in_use: fn(&str, u64) -> String,
    pub reasons_title: &'static str,
    pub reason_name_ru: &'static str,
    pub reason_name_en: &'static str,
    pub add_reason: &'static str,
    pub new_reason_name: &'static str,
    pub delete_reason: fn(&str) -> String,
    pub sales_empty_scenario_name: &'static str,
    pub sales_no_states: fn(&str) -> String,
    pub sales_empty_state_id: fn(&str, usize) -> String,
    pub sales_duplicate_state: fn(&str, &str) -> String,
    pub sales_empty_state_name: fn(&str, usize) -> String,
    pub sales_first_state_ends: fn(&str, &str) -> String,
    pub sales_no_success: fn(&str) -> String,
    pub sales_key_mismatch: &'static str,
    pub sales_empty_service_type_name: &'static str,
    pub sales_unknown_scenario: fn(&str, &str) -> String,
    pub sales_unknown_default: &'static str,
    pub sales_empty_reason: fn(usize) -> String,
    pub sales_duplicate_reason: fn(&str) -> String,
    pub sales_scenario_in_use: fn(&str, &str) -> String,
    pub sales_winback_scenario: fn(&str) -> String,
    pub nav_funnel: &'static str,
    pub funnel_title: &'static str,
    pub funnel_lead: &'static str,
    pub funnel_from: &'static str,
    pub funnel_to: &'static str,
    pub funnel_bad_period: &'static str,
    pub all_service_types: &'static str,
    pub funnel_chart: &'static str,
    pub funnel_table: &'static str,
    pub col_state: &'static str,
    pub col_reached: &'static str,
    pub col_step_conversion: &'static str,
    pub col_dropped: &'static str,
    pub funnel_summary: fn(u64, u64) -> String,
    pub funnel_overall: fn(&str) -> String,
    pub funnel_empty: &'static str,
    pub funnel_bar_value: fn(&str, &str) -> String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn russian_plurals() {
        let f = |n| plural_ru(n, "клиент", "клиента", "клиентов");
        assert_eq!(f(1), "клиент");
        assert_eq!(f(3), "клиента");
        assert_eq!(f(5), "клиентов");
        assert_eq!(f(11), "клиентов");
        assert_eq!(f(21), "клиент");
        assert_eq!(f(112), "клиентов");
        assert_eq!(f(1024), "клиента");
    }
}
