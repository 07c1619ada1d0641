//! Importing a company's clients and their contact persons (issue 14, SPEC
//! 8), for administrators and supervisors: choose a CSV file (read here,
//! offline) or an Excel workbook (read by the relay), check the preview —
//! the columns as recognised (editable), the new clients, the clients of
//! the base that the file joins (named), the refused rows with their line,
//! column and reason — choose what a bad value does to its row, and only
//! "Import" writes, client by client, with a progress and a stop.
//!
//! The decisions are `kartoteka::import::clients`'s; this page reads the
//! file, shows the preview and writes through the store's public methods
//! (`create_client`, `change_client`). The base matched against is the
//! device's, which for these roles is the whole base.

use std::sync::Arc;

use kartoteka::date::Timestamp;
use kartoteka::ids::{ClientId, new_id};
use kartoteka::import::clients::{
    BadValue, ClientField, ClientPreview, ColumnMapping, ImportBase, OnBadValue, PlannedClient,
    Table, TableError, column_letter, join_client, new_client, preview, read_csv,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::i18n::{Catalogue, cat};
use crate::io::api::{self, ApiError};
use crate::io::platform::{mark, measure, now_ms, yield_now};
use crate::messages::{duplicate_reason_text, value_problem_text};
use crate::state::{Net, app_state};
use crate::t;

/// How many rows each list of the preview shows.
const SHOWN: usize = 100;

/// A file read as a table, and what the page needs to read it again.
#[derive(Clone)]
struct Source {
    table: Arc<Table>,
    /// The workbook's bytes and sheets (a CSV file has none).
    workbook: Option<(Arc<Vec<u8>>, Vec<String>, String)>,
    /// "Windows-1251, «;»" for a CSV file.
    info: String,
}

/// The name of a field in the interface language.
pub fn field_name(c: &Catalogue, f: ClientField) -> &'static str {
    match f {
        ClientField::Name => c.field_name,
        ClientField::LegalForm => c.field_legal_form,
        ClientField::Inn => c.field_inn,
        ClientField::Kpp => c.field_kpp,
        ClientField::Ogrn => c.field_ogrn,
        ClientField::Phone => c.field_phone,
        ClientField::Email => c.field_email,
        ClientField::Address => c.field_address,
        ClientField::LegalAddress => c.ci_legal_address,
        ClientField::Website => c.field_website,
        ClientField::Industry => c.field_industry,
        ClientField::Responsible => c.field_responsible,
        ClientField::ContactName => c.ci_contact_name,
        ClientField::ContactPosition => c.ci_contact_position,
        ClientField::ContactPhone => c.ci_contact_phone,
        ClientField::ContactEmail => c.ci_contact_email,
        ClientField::ContactBirthday => c.ci_contact_birthday,
    }
}

fn table_error_text(c: &Catalogue, e: &TableError) -> String {
    match e {
        TableError::Empty => c.import_empty.to_owned(),
        TableError::NotText => c.ci_not_text.to_owned(),
        TableError::Workbook => c.ci_not_text.to_owned(),
        TableError::NoHeader { found } => (c.ci_no_header)(&found.join(" | ")),
    }
}

fn encoding_name(e: kartoteka::import::Encoding) -> &'static str {
    use kartoteka::import::Encoding;
    match e {
        Encoding::Utf8 => "UTF-8",
        Encoding::Utf8Bom => "UTF-8 (BOM)",
        Encoding::Utf16Le | Encoding::Utf16Be => "UTF-16",
        Encoding::Windows1251 => "Windows-1251",
    }
}

/// Reads the chosen file's bytes.
async fn read_file(file: web_sys::File) -> Result<Vec<u8>, String> {
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| format!("{e:?}"))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// A workbook's sheet read by the relay, as a [`Source`].
async fn read_workbook(
    state: crate::state::AppState,
    bytes: Arc<Vec<u8>>,
    sheet: Option<String>,
) -> Result<Source, String> {
    let c = cat();
    if state.net.get_untracked() != Net::Online {
        return Err(c.ci_xlsx_offline.to_owned());
    }
    let token = state
        .session
        .with_untracked(|s| s.as_ref().map(|s| s.token.clone()))
        .unwrap_or_default();
    match api::xlsx_read(&token, bytes.to_vec(), sheet.as_deref()).await {
        Ok(read) => Ok(Source {
            table: Arc::new(Table::from_rows(read.rows)),
            workbook: Some((bytes, read.sheets, read.sheet)),
            info: String::new(),
        }),
        Err(ApiError::Offline) => Err(c.ci_xlsx_offline.to_owned()),
        Err(ApiError::Server { message, .. }) => Err((c.ci_xlsx_failed)(&message)),
        Err(e) => Err((c.ci_xlsx_failed)(&e.to_string())),
    }
}

/// Empties the file input, so choosing the same file again is a change.
fn clear_file_input() {
    if let Some(input) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("client-import-file"))
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
    {
        input.set_value("");
    }
}

/// The page.
#[component]
pub fn ClientImportPage() -> impl IntoView {
    let state = app_state();
    let allowed = move || state.user().is_some_and(|u| u.role.sees_everything());
    view! {
        <main class="report-page import-page client-import" id="main">
            <h1 class="report-page__title">{t!(ci_title)}</h1>
            <Show when=allowed fallback=|| view! { <p class="muted" role="status">{t!(ci_only_supervisors)}</p> }>
                <ClientImport/>
            </Show>
        </main>
    }
}

/// Where the page is.
#[derive(Clone)]
enum Step {
    Choose,
    Reading,
    Failed(String),
    Preview(Arc<ClientPreview>),
}

#[component]
fn ClientImport() -> impl IntoView {
    let state = app_state();
    let base = crate::base::base();
    let source = RwSignal::new(None::<Source>);
    let mapping = RwSignal::new(None::<ColumnMapping>);
    let on_bad = RwSignal::new(OnBadValue::SkipRow);
    let step = RwSignal::new(Step::Choose);
    let progress = RwSignal::new(None::<(usize, usize)>);
    let stop = StoredValue::new(false);

    // The preview of the table as mapped, against the device's base.
    let run_preview = move || {
        let (Some(src), Some(m)) = (source.get_untracked(), mapping.get_untracked()) else {
            return;
        };
        mark("kartoteka:client-import-preview-start");
        let workspace = base.workspace.get_untracked();
        let users: Vec<_> = workspace
            .as_ref()
            .map(|w| w.users.values().cloned().collect())
            .unwrap_or_default();
        let p = base.clients.with_untracked(|list| {
            let known = ImportBase::new(list.items.iter().map(|s| s.as_ref()), users.iter());
            preview(&src.table, &m, on_bad.get_untracked(), &known)
        });
        mark("kartoteka:client-import-preview-end");
        measure(
            "kartoteka:client-import-preview",
            "kartoteka:client-import-preview-start",
            "kartoteka:client-import-preview-end",
        );
        step.set(Step::Preview(Arc::new(p)));
    };

    let take = move |read: Result<Source, String>| match read {
        Ok(src) => match ColumnMapping::guess(&src.table) {
            Ok(m) => {
                source.set(Some(src));
                mapping.set(Some(m));
                run_preview();
            }
            Err(e) => step.set(Step::Failed(table_error_text(cat(), &e))),
        },
        Err(text) => step.set(Step::Failed(text)),
    };

    let on_file = move |ev: leptos::ev::Event| {
        let Some(file) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|input| input.files())
            .and_then(|f| f.get(0))
        else {
            return;
        };
        source.set(None);
        mapping.set(None);
        step.set(Step::Reading);
        spawn_local(async move {
            let bytes = match read_file(file).await {
                Ok(bytes) => bytes,
                Err(e) => {
                    leptos::logging::error!("reading the file failed: {e}");
                    step.set(Step::Failed(cat().import_read_failed.to_owned()));
                    return;
                }
            };
            // Let "reading" be painted before a large file is parsed.
            yield_now().await;
            let read = match read_csv(&bytes) {
                Ok(csv) => Ok(Source {
                    table: Arc::new(csv.table),
                    workbook: None,
                    info: format!(
                        "{}, {}",
                        encoding_name(csv.encoding),
                        match csv.separator {
                            '\t' => "Tab".to_owned(),
                            other => format!("«{other}»"),
                        }
                    ),
                }),
                Err(TableError::Workbook) => read_workbook(state, Arc::new(bytes), None).await,
                Err(e) => Err(table_error_text(cat(), &e)),
            };
            take(read);
        });
    };

    let on_sheet = move |sheet: String| {
        let Some((bytes, _, _)) = source.get_untracked().and_then(|s| s.workbook) else {
            return;
        };
        step.set(Step::Reading);
        spawn_local(async move { take(read_workbook(state, bytes, Some(sheet)).await) });
    };

    let reset = move || {
        source.set(None);
        mapping.set(None);
        step.set(Step::Choose);
        clear_file_input();
    };

    let import = move || {
        let Step::Preview(p) = step.get_untracked() else {
            return;
        };
        let (Some(store), Some(me)) = (base.store(), state.user()) else {
            return;
        };
        let total = p.new.len() + p.joining.len();
        let today = state.today();
        stop.set_value(false);
        progress.set(Some((0, total)));
        mark("kartoteka:client-import-write-start");
        spawn_local(async move {
            let now = Timestamp(now_ms());
            let (mut made, mut joined, mut failed) = (0, 0, 0);
            let work = p
                .new
                .iter()
                .map(|c| (c, true))
                .chain(p.joining.iter().map(|c| (c, false)));
            for (i, (planned, is_new)) in work.enumerate() {
                if stop.get_value() {
                    break;
                }
                let written = if is_new {
                    let doc = new_client(
                        &planned.client,
                        ClientId::random(),
                        &me.id,
                        now,
                        today,
                        new_id,
                    );
                    store.create_client(&doc).await
                } else if let Some(join) = &planned.joins {
                    store
                        .change_client(join.client_id.as_str(), "import", |d| {
                            join_client(d, &planned.client, now, new_id);
                        })
                        .await
                        .map(|_| ())
                } else {
                    Ok(())
                };
                match written {
                    Ok(()) if is_new => made += 1,
                    Ok(()) => joined += 1,
                    Err(e) => {
                        failed += 1;
                        leptos::logging::error!(
                            "importing line {:?} failed: {e}",
                            planned.client.lines
                        );
                    }
                }
                progress.set(Some((i + 1, total)));
                // Let the progress be painted and "Stop" be pressed.
                if i % 20 == 19 {
                    yield_now().await;
                }
            }
            mark("kartoteka:client-import-write-end");
            measure(
                "kartoteka:client-import-write",
                "kartoteka:client-import-write-start",
                "kartoteka:client-import-write-end",
            );
            let c = cat();
            let done = made + joined + failed;
            progress.set(None);
            reset();
            if failed > 0 {
                state.toast((c.ci_failed)(failed as u64), true);
            } else if done < total {
                state.toast((c.ci_stopped)(done as u64, total as u64), false);
            } else {
                state.toast((c.ci_done)(made as u64, joined as u64), false);
            }
        });
    };

    view! {
        <p class="muted">{t!(ci_lead)}</p>
        <div class="report-filters">
            <div class="field">
                <label class="field__label" for="client-import-file">{t!(ci_file)}</label>
                <input class="field__input" id="client-import-file" type="file"
                    accept=".csv,.txt,.xlsx,.xls,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                    disabled=move || progress.with(Option::is_some)
                    on:change=on_file/>
            </div>
            {move || source.with(|s| s.as_ref().and_then(|s| s.workbook.clone())).filter(|(_, sheets, _)| sheets.len() > 1).map(|(_, sheets, chosen)| view! {
                <div class="field">
                    <label class="field__label" for="client-import-sheet">{t!(ci_sheet)}</label>
                    <select class="field__input" id="client-import-sheet" on:change=move |ev| on_sheet(event_target_value(&ev))>
                        {sheets.into_iter().map(|s| { let selected = s == chosen; view! { <option value=s.clone() selected=selected>{s.clone()}</option> } }).collect_view()}
                    </select>
                </div>
            })}
        </div>
        {move || progress.get().map(|(done, total)| view! {
            <div class="client-import__progress" role="status" data-testid="client-import-progress">
                <progress max=total.to_string() value=done.to_string()></progress>
                <span>{move || (cat().ci_progress)(done as u64, total as u64)}</span>
                <button type="button" class="button" on:click=move |_| stop.set_value(true)>{t!(ci_stop)}</button>
            </div>
        })}
        {move || match step.get() {
            Step::Choose => ().into_any(),
            Step::Reading => view! { <p role="status" class="muted">{t!(ci_reading)}</p> }.into_any(),
            Step::Failed(text) => view! { <p class="form-error" role="alert" data-testid="client-import-error">{text}</p> }.into_any(),
            Step::Preview(p) => {
                let table = source.with_untracked(|s| s.as_ref().map(|s| s.table.clone())).unwrap_or_default();
                let info = source.with_untracked(|s| s.as_ref().map(|s| s.info.clone())).unwrap_or_default();
                view! {
                    <PreviewView preview=p table=table info=info on_bad=on_bad busy=Signal::derive(move || progress.with(Option::is_some))
                        on_mapping=Callback::new(move |(column, field): (usize, Option<ClientField>)| {
                            mapping.update(|m| if let Some(m) = m { m.set(column, field) });
                            run_preview();
                        })
                        on_bad_change=Callback::new(move |choice| { on_bad.set(choice); run_preview(); })
                        on_import=Callback::new(move |()| import())
                        on_cancel=Callback::new(move |()| reset())/>
                }.into_any()
            }
        }}
    }
}

/// The lines of a client of the file: "3, 4, 7".
fn lines_text(lines: &[usize]) -> String {
    let shown: Vec<String> = lines.iter().take(5).map(ToString::to_string).collect();
    let more = lines.len().saturating_sub(5);
    if more > 0 {
        format!("{} +{more}", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// "ООО «Вектор» · ИНН 7707083893".
fn client_text(c: &Catalogue, p: &PlannedClient) -> String {
    let name = kartoteka::summary::display_name(&p.client.legal_form, &p.client.name);
    match &p.client.inn {
        Some(inn) => format!("{name} · {} {inn}", c.field_inn),
        None => name,
    }
}

fn bad_value_row(c: &Catalogue, b: &BadValue) -> impl IntoView + use<> {
    let column = if b.header.is_empty() {
        column_letter(b.column)
    } else {
        format!("{} «{}»", column_letter(b.column), b.header)
    };
    view! {
        <tr>
            <td class="num">{b.line}</td>
            <td>{column}</td>
            <td>{b.value.clone()}</td>
            <td>{field_name(c, b.field)} ": " {value_problem_text(&b.problem)}</td>
        </tr>
    }
}

#[component]
fn PreviewView(
    preview: Arc<ClientPreview>,
    table: Arc<Table>,
    info: String,
    on_bad: RwSignal<OnBadValue>,
    busy: Signal<bool>,
    on_mapping: Callback<(usize, Option<ClientField>)>,
    on_bad_change: Callback<OnBadValue>,
    on_import: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let c = cat();
    let p = preview;
    let header: Vec<String> = table
        .rows
        .get(p.mapping.header_row)
        .map(|r| r.cells.clone())
        .unwrap_or_default();
    let sample: Vec<String> = table
        .rows
        .iter()
        .skip(p.mapping.header_row + 1)
        .find(|r| r.cells.iter().any(|c| !c.trim().is_empty()))
        .map(|r| r.cells.clone())
        .unwrap_or_default();
    let mapping_rows = header
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let chosen = p.mapping.fields.get(i).copied().flatten();
            let id = format!("ci-col-{i}");
            let options = ClientField::ALL
                .iter()
                .enumerate()
                .map(|(k, f)| {
                    view! { <option value=k.to_string() selected=chosen == Some(*f)>{field_name(c, *f)}</option> }
                })
                .collect_view();
            view! {
                <tr>
                    <td>{column_letter(i)}</td>
                    <td><label for=id.clone()>{h.clone()}</label></td>
                    <td class="muted">{sample.get(i).cloned().unwrap_or_default()}</td>
                    <td>
                        <select class="field__input" id=id disabled=move || busy.get()
                            on:change=move |ev| {
                                let field = event_target_value(&ev).parse::<usize>().ok().and_then(|k| ClientField::ALL.get(k).copied());
                                on_mapping.run((i, field));
                            }>
                            <option value="" selected=chosen.is_none()>{c.ci_not_imported}</option>
                            {options}
                        </select>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let contacts_new: usize = p.new.iter().map(|n| n.client.contacts.len()).sum();
    let n_write = p.new.len() + p.joining.len();
    let new_rows = p
        .new
        .iter()
        .take(SHOWN)
        .map(|n| {
            view! {
                <tr>
                    <td class="num">{lines_text(&n.client.lines)}</td>
                    <td>{client_text(c, n)}</td>
                    <td class="num">{n.client.contacts.len()}</td>
                </tr>
            }
        })
        .collect_view();
    let joining_rows = p
        .joining
        .iter()
        .take(SHOWN)
        .map(|j| {
            let (joins, why) = j
                .joins
                .as_ref()
                .map(|j| (j.name.clone(), duplicate_reason_text(c, &j.reason)))
                .unwrap_or_default();
            view! {
                <tr>
                    <td class="num">{lines_text(&j.client.lines)}</td>
                    <td>{client_text(c, j)}</td>
                    <td><strong>{joins}</strong> <span class="muted">" — " {why}</span></td>
                    <td>{(c.ci_adds)(j.adds.contacts as u64, j.adds.phones as u64, j.adds.emails as u64)}</td>
                </tr>
            }
        })
        .collect_view();
    let refused: Vec<&BadValue> = p.refused.iter().flat_map(|r| &r.problems).collect();
    let refused_rows = refused
        .iter()
        .take(SHOWN)
        .map(|b| bad_value_row(c, b))
        .collect_view();
    let dropped_rows = p
        .dropped
        .iter()
        .take(SHOWN)
        .map(|b| bad_value_row(c, b))
        .collect_view();
    let more = move |shown: usize, count: usize| {
        (count > shown).then(
            || view! { <p class="muted">{(cat().list_truncated)(shown as u64, count as u64)}</p> },
        )
    };
    let bad_head = move || {
        view! {
            <thead><tr>
                <th scope="col">{t!(import_line)}</th>
                <th scope="col">{t!(ci_column)}</th>
                <th scope="col">{t!(ci_value)}</th>
                <th scope="col">{t!(ci_reason)}</th>
            </tr></thead>
        }
    };
    let (n_new, n_join, n_same, n_refused, n_dropped) = (
        p.new.len(),
        p.joining.len(),
        p.unchanged.len(),
        p.refused.len(),
        p.dropped.len(),
    );
    let rows = p.total_rows as u64;
    let n_bad_values = refused.len();
    view! {
        <section class="panel" data-testid="client-import-summary" aria-labelledby="ci-preview-title">
            <h2 class="panel__title" id="ci-preview-title">{t!(import_preview)}</h2>
            <ul class="import-counts">
                <li data-testid="ci-count-new">{move || (cat().ci_counts_new)(n_new as u64, contacts_new as u64)}</li>
                <li data-testid="ci-count-joining">{move || (cat().ci_counts_joining)(n_join as u64)}</li>
                <li data-testid="ci-count-unchanged">{move || (cat().ci_counts_unchanged)(n_same as u64)}</li>
                <li data-testid="ci-count-refused">{move || (cat().ci_counts_refused)(n_refused as u64)}</li>
                {(n_dropped > 0).then(|| view! { <li data-testid="ci-count-dropped">{move || (cat().ci_counts_dropped)(n_dropped as u64)}</li> })}
            </ul>
            <p class="muted">{move || (cat().ci_rows)(rows, &info)}</p>
            <fieldset class="client-import__on-bad">
                <legend>{t!(ci_on_bad)}</legend>
                <label class="radio">
                    <input type="radio" name="ci-on-bad" value="skip" prop:checked=move || on_bad.get() == OnBadValue::SkipRow
                        disabled=move || busy.get() on:change=move |_| on_bad_change.run(OnBadValue::SkipRow)/>
                    " " {t!(ci_skip_row)}
                </label>
                <label class="radio">
                    <input type="radio" name="ci-on-bad" value="drop" prop:checked=move || on_bad.get() == OnBadValue::DropValue
                        disabled=move || busy.get() on:change=move |_| on_bad_change.run(OnBadValue::DropValue)/>
                    " " {t!(ci_drop_value)}
                </label>
            </fieldset>
            {(n_write == 0).then(|| view! { <p class="muted">{t!(ci_nothing)}</p> })}
            <div class="form-actions form-actions--start">
                <button type="button" class="button button--primary" id="client-import-confirm"
                    disabled=move || busy.get() || n_write == 0
                    on:click=move |_| on_import.run(())>
                    {move || (cat().ci_do)(n_write as u64)}
                </button>
                <button type="button" class="button" disabled=move || busy.get() on:click=move |_| on_cancel.run(())>{t!(cancel)}</button>
            </div>
        </section>
        <section class="panel import-section" aria-labelledby="ci-mapping-title">
            <h2 class="panel__title" id="ci-mapping-title">{t!(ci_mapping)}</h2>
            <p class="muted">{t!(ci_mapping_hint)}</p>
            <div class="table-scroll">
                <table class="report-table client-import__mapping">
                    <thead><tr>
                        <th scope="col">{t!(ci_column)}</th>
                        <th scope="col">{t!(ci_col_header)}</th>
                        <th scope="col">{t!(ci_col_sample)}</th>
                        <th scope="col">{t!(ci_col_field)}</th>
                    </tr></thead>
                    <tbody>{mapping_rows}</tbody>
                </table>
            </div>
        </section>
        {(n_refused > 0).then(|| view! {
            <section class="panel import-section" data-testid="ci-refused" aria-labelledby="ci-refused-title">
                <h2 class="panel__title" id="ci-refused-title">{t!(ci_refused_title)}</h2>
                <div class="table-scroll"><table class="report-table">{bad_head()}<tbody>{refused_rows}</tbody></table></div>
                {more(SHOWN, n_bad_values)}
            </section>
        })}
        {(n_dropped > 0).then(|| view! {
            <section class="panel import-section" data-testid="ci-dropped" aria-labelledby="ci-dropped-title">
                <h2 class="panel__title" id="ci-dropped-title">{t!(ci_dropped_title)}</h2>
                <div class="table-scroll"><table class="report-table">{bad_head()}<tbody>{dropped_rows}</tbody></table></div>
                {more(SHOWN, n_dropped)}
            </section>
        })}
        {(n_join > 0).then(|| view! {
            <section class="panel import-section" data-testid="ci-joining" aria-labelledby="ci-joining-title">
                <h2 class="panel__title" id="ci-joining-title">{t!(ci_joining_title)}</h2>
                <div class="table-scroll"><table class="report-table">
                    <thead><tr>
                        <th scope="col">{t!(ci_lines)}</th>
                        <th scope="col">{t!(ci_in_file)}</th>
                        <th scope="col">{t!(ci_joins)}</th>
                        <th scope="col">{t!(ci_adds_title)}</th>
                    </tr></thead>
                    <tbody>{joining_rows}</tbody>
                </table></div>
                {more(SHOWN, n_join)}
            </section>
        })}
        {(n_new > 0).then(|| view! {
            <section class="panel import-section" data-testid="ci-new" aria-labelledby="ci-new-title">
                <h2 class="panel__title" id="ci-new-title">{t!(ci_new_title)}</h2>
                <div class="table-scroll"><table class="report-table">
                    <thead><tr>
                        <th scope="col">{t!(ci_lines)}</th>
                        <th scope="col">{t!(ci_in_file)}</th>
                        <th scope="col">{t!(ci_contacts)}</th>
                    </tr></thead>
                    <tbody>{new_rows}</tbody>
                </table></div>
                {more(SHOWN, n_new)}
            </section>
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn a_long_list_of_lines_is_cut_after_five() {
        assert_eq!(lines_text(&[3]), "3");
        assert_eq!(lines_text(&[2, 3, 4, 5, 6, 7, 9]), "2, 3, 4, 5, 6 +2");
    }
}
