//! Importing payments and shipments from the accounting system's CSV file
//! (issue 6, item 6): choose the file and what it holds, read the preview
//! — the rows that will be added, those that match no client or several,
//! those already imported, and the rows with errors, each with its line —
//! and only "Import" writes anything, client by client.

use std::collections::HashMap;
use std::sync::Arc;

use kartoteka::date::Timestamp;
use kartoteka::ids::new_id;
use kartoteka::import::{
    ClientDirectory, Column, DuplicateOf, Encoding, FactKind, FileError, MissingColumn, Preview,
    RowProblem, add_facts, facts_by_client, preview,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::format;
use crate::i18n::{Catalogue, cat};
use crate::io::platform::{mark, measure, now_ms};
use crate::state::app_state;
use crate::t;

/// How many rows each table of the preview shows.
const SHOWN: usize = 100;

/// Reads the chosen file's bytes.
async fn read_file(file: web_sys::File) -> Result<Vec<u8>, String> {
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| format!("{e:?}"))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

fn missing_name(c: &Catalogue, m: MissingColumn) -> &'static str {
    match m {
        MissingColumn::Client => c.import_col_client,
        MissingColumn::Date => c.import_col_date,
        MissingColumn::Amount => c.import_col_amount,
        MissingColumn::Document => c.import_col_document,
    }
}

fn column_name(c: &Catalogue, col: Column) -> &'static str {
    match col {
        Column::Inn => c.field_inn,
        Column::Name => c.import_col_client,
        Column::Date => c.import_col_date,
        Column::Amount => c.import_col_amount,
        Column::Document => c.import_col_document,
    }
}

fn encoding_name(e: Encoding) -> &'static str {
    match e {
        Encoding::Utf8 => "UTF-8",
        Encoding::Utf8Bom => "UTF-8 (BOM)",
        Encoding::Utf16Le | Encoding::Utf16Be => "UTF-16",
        Encoding::Windows1251 => "Windows-1251",
    }
}

fn file_error_text(c: &Catalogue, e: &FileError) -> String {
    match e {
        FileError::Empty => c.import_empty.to_owned(),
        FileError::Spreadsheet => c.import_spreadsheet.to_owned(),
        FileError::NotText => c.import_not_text.to_owned(),
        FileError::MissingColumns { missing, header } => {
            let names: Vec<&str> = missing.iter().map(|m| missing_name(c, *m)).collect();
            (c.import_missing_columns)(&names.join(", "), &header.join(" | "))
        }
    }
}

fn problem_text(c: &Catalogue, p: &RowProblem) -> String {
    match p {
        RowProblem::Missing(col) => (c.import_missing_value)(column_name(c, *col)),
        RowProblem::BadDate(v) => (c.import_bad_date)(v),
        RowProblem::BadAmount(v) => (c.import_bad_amount)(v),
        RowProblem::TooManyDecimals(v) => (c.import_bad_amount)(v),
        RowProblem::NotPositive(v) => (c.import_not_positive)(v),
        RowProblem::BadInn(v) => (c.import_bad_inn)(v),
        RowProblem::NoClient => c.import_no_client.to_owned(),
        RowProblem::UnclosedQuote => c.import_unclosed_quote.to_owned(),
    }
}

/// Empties the file input, so choosing the same file again is a change.
fn clear_file_input() {
    if let Some(input) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("import-file"))
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
    {
        input.set_value("");
    }
}

/// The page.
#[component]
pub fn ImportPage() -> impl IntoView {
    let state = app_state();
    let base = crate::base::base();
    let kind = RwSignal::new(FactKind::Payment);
    let bytes = StoredValue::new(None::<Arc<Vec<u8>>>);
    let result = RwSignal::new(None::<Result<Arc<Preview>, String>>);
    let busy = RwSignal::new(false);
    let progress = RwSignal::new(None::<(usize, usize)>);

    spawn_local(base.read_sales());
    // Reads the file again whenever the file or the kind changes.
    let run_preview = move || {
        let Some(data) = bytes.get_value() else {
            return;
        };
        mark("kartoteka:import-preview-start");
        let directory = base.clients.with_untracked(|l| {
            ClientDirectory::from_summaries(l.items.iter().map(|s| s.as_ref()))
        });
        let p = preview(&data, kind.get_untracked(), &directory);
        mark("kartoteka:import-preview-end");
        measure(
            "kartoteka:import-preview",
            "kartoteka:import-preview-start",
            "kartoteka:import-preview-end",
        );
        result.set(Some(
            p.map(Arc::new).map_err(|e| file_error_text(cat(), &e)),
        ));
    };

    let on_file = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        result.set(None);
        busy.set(true);
        spawn_local(async move {
            match read_file(file).await {
                Ok(data) => {
                    // What each client holds already is in the sales parts.
                    base.read_sales().await;
                    bytes.set_value(Some(Arc::new(data)));
                    run_preview();
                }
                Err(e) => {
                    leptos::logging::error!("reading the file failed: {e}");
                    result.set(Some(Err(cat().import_read_failed.to_owned())));
                }
            }
            busy.set(false);
        });
    };

    let import = move |_| {
        let Some(Ok(p)) = result.get_untracked() else {
            return;
        };
        let (Some(store), Some(me)) = (base.store(), state.user()) else {
            return;
        };
        let groups = facts_by_client(&p, &me.id, Timestamp(now_ms()), new_id);
        let total = groups.len();
        busy.set(true);
        progress.set(Some((0, total)));
        spawn_local(async move {
            let mut added = 0;
            let mut failed = 0;
            for (i, (client, facts)) in groups.into_iter().enumerate() {
                let mut n = 0;
                let r = store
                    .change_client(client.as_str(), "import", |d| {
                        n = add_facts(d, facts);
                    })
                    .await;
                match r {
                    Ok(_) => {
                        added += n;
                    }
                    Err(e) => {
                        failed += 1;
                        leptos::logging::error!("importing into {client} failed: {e}");
                    }
                }
                progress.set(Some((i + 1, total)));
            }
            busy.set(false);
            progress.set(None);
            bytes.set_value(None);
            result.set(None);
            clear_file_input();
            if failed > 0 {
                state.toast((cat().import_partly)(added as u64, failed as u64), true);
            } else {
                state.toast((cat().import_done)(added as u64), false);
            }
        });
    };

    view! {
        <main class="report-page import-page" id="main">
            <h1 class="report-page__title">{t!(import_title)}</h1>
            <p class="muted">{t!(import_lead)}</p>
            <div class="report-filters">
                <div class="field">
                    <label class="field__label" for="import-kind">{t!(import_kind)}</label>
                    <select class="field__input" id="import-kind"
                        on:change=move |ev| {
                            kind.set(if event_target_value(&ev) == "shipment" { FactKind::Shipment } else { FactKind::Payment });
                            run_preview();
                        }>
                        <option value="payment">{t!(import_payments)}</option>
                        <option value="shipment">{t!(import_shipments)}</option>
                    </select>
                </div>
                <div class="field">
                    <label class="field__label" for="import-file">{t!(import_file)}</label>
                    <input class="field__input" id="import-file" type="file" accept=".csv,.txt,text/csv" on:change=on_file/>
                </div>
            </div>
            {move || progress.get().map(|(done, total)| view! {
                <p role="status">{move || (cat().import_progress)(done as u64, total as u64)}</p>
            })}
            {move || match result.get() {
                None => ().into_any(),
                Some(Err(text)) => view! { <p class="form-error" role="alert" data-testid="import-error">{text}</p> }.into_any(),
                Some(Ok(p)) => view! { <PreviewView preview=p busy=busy on_import=Callback::new(import) on_cancel=Callback::new(move |()| { result.set(None); bytes.set_value(None); clear_file_input(); })/> }.into_any(),
            }}
        </main>
    }
}

fn separator_name(c: char) -> String {
    match c {
        '\t' => "Tab".to_owned(),
        other => format!("«{other}»"),
    }
}

#[component]
fn PreviewView(
    preview: Arc<Preview>,
    busy: RwSignal<bool>,
    on_import: Callback<leptos::ev::MouseEvent>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let base = crate::base::base();
    let currency = base
        .workspace
        .with_untracked(|w| w.as_ref().map(|w| w.settings.currency.clone()))
        .unwrap_or_else(|| "RUB".to_owned());
    let names: HashMap<String, String> = base.clients.with_untracked(|l| {
        preview
            .to_add
            .iter()
            .map(|m| &m.client)
            .chain(preview.already.iter().map(|d| &d.client))
            .filter_map(|id| {
                l.get(id.as_str())
                    .map(|s| (id.to_string(), s.display_name()))
            })
            .collect()
    });
    let name =
        move |id: &kartoteka::ids::ClientId| names.get(id.as_str()).cloned().unwrap_or_default();
    let p = preview;
    let n_add = p.to_add.len();
    let (encoding, separator, rows) = (p.encoding, p.separator, p.total_rows as u64);
    let total: i64 = p.to_add.iter().map(|m| m.row.amount.0).sum();
    let row_cells = {
        let currency = currency.clone();
        move |line: usize,
              who: String,
              date: kartoteka::date::Date,
              amount: kartoteka::client::Money,
              doc: &str,
              note: String| {
            view! {
                <tr>
                    <td class="num">{line}</td>
                    <td>{who}</td>
                    <td>{format::date(date)}</td>
                    <td class="num">{format::money(amount, &currency)}</td>
                    <td>{doc.to_owned()}</td>
                    <td>{note}</td>
                </tr>
            }
        }
    };
    let head = || {
        view! {
            <thead><tr>
                <th scope="col">{t!(import_line)}</th>
                <th scope="col">{t!(col_client)}</th>
                <th scope="col">{t!(fact_date)}</th>
                <th scope="col">{t!(fact_amount)}</th>
                <th scope="col">{t!(fact_document)}</th>
                <th scope="col"></th>
            </tr></thead>
        }
    };
    let c = cat();
    let added_rows = p
        .to_add
        .iter()
        .take(SHOWN)
        .map(|m| {
            row_cells(
                m.row.line,
                name(&m.client),
                m.row.date,
                m.row.amount,
                &m.row.document,
                String::new(),
            )
        })
        .collect_view();
    let unknown_rows = p
        .unknown
        .iter()
        .take(SHOWN)
        .map(|r| {
            let who = if r.inn.is_empty() {
                r.name.clone()
            } else {
                format!("{} · {} {}", r.name, c.field_inn, r.inn)
            };
            row_cells(r.line, who, r.date, r.amount, &r.document, String::new())
        })
        .collect_view();
    let ambiguous_rows = p
        .ambiguous
        .iter()
        .take(SHOWN)
        .map(|a| {
            row_cells(
                a.row.line,
                a.row.name.clone(),
                a.row.date,
                a.row.amount,
                &a.row.document,
                (c.import_candidates)(a.candidates.len() as u64),
            )
        })
        .collect_view();
    let already_rows = p
        .already
        .iter()
        .take(SHOWN)
        .map(|d| {
            let note = match d.of {
                DuplicateOf::Existing => c.import_already_there.to_owned(),
                DuplicateOf::Line(l) => (c.import_same_as_line)(l as u64),
            };
            row_cells(
                d.row.line,
                name(&d.client),
                d.row.date,
                d.row.amount,
                &d.row.document,
                note,
            )
        })
        .collect_view();
    let error_rows = p.errors.iter().take(SHOWN).map(|e| {
        let text = e.problems.iter().map(|x| problem_text(c, x)).collect::<Vec<_>>().join("; ");
        view! { <tr><td class="num">{e.line}</td><td colspan="5">{text} <span class="muted">" — " {e.cells.join(" | ")}</span></td></tr> }
    }).collect_view();
    let section = |title: String, count: usize, testid: &'static str, body: AnyView| {
        (count > 0).then(|| view! {
            <section class="panel import-section" data-testid=testid>
                <h2 class="panel__title">{title}</h2>
                <div class="table-scroll"><table class="report-table">{head()}<tbody>{body}</tbody></table></div>
                {(count > SHOWN).then(|| view! { <p class="muted">{(cat().list_truncated)(SHOWN as u64, count as u64)}</p> })}
            </section>
        })
    };
    view! {
        <section class="panel" data-testid="import-summary">
            <h2 class="panel__title">{t!(import_preview)}</h2>
            <ul class="import-counts">
                <li><strong>{format::number(n_add as u64)}</strong> " " {t!(import_will_add)} " · " {format::money(kartoteka::client::Money(total), &currency)}</li>
                <li><strong>{format::number(p.unknown.len() as u64)}</strong> " " {t!(import_unknown)}</li>
                <li><strong>{format::number(p.ambiguous.len() as u64)}</strong> " " {t!(import_ambiguous)}</li>
                <li><strong>{format::number(p.already.len() as u64)}</strong> " " {t!(import_already)}</li>
                <li><strong>{format::number(p.errors.len() as u64)}</strong> " " {t!(import_errors)}</li>
            </ul>
            <p class="muted">{move || (cat().import_file_info)(encoding_name(encoding), &separator_name(separator), rows)}</p>
            <div class="form-actions form-actions--start">
                <button type="button" class="button button--primary" id="import-confirm" disabled=move || busy.get() || n_add == 0
                    on:click=move |ev| on_import.run(ev)>
                    {move || (cat().import_do)(n_add as u64)}
                </button>
                <button type="button" class="button" on:click=move |_| on_cancel.run(())>{t!(cancel)}</button>
            </div>
        </section>
        {section(c.import_will_add_title.to_owned(), n_add, "import-add", added_rows.into_any())}
        {section(c.import_unknown_title.to_owned(), p.unknown.len(), "import-unknown", unknown_rows.into_any())}
        {section(c.import_ambiguous_title.to_owned(), p.ambiguous.len(), "import-ambiguous", ambiguous_rows.into_any())}
        {section(c.import_already_title.to_owned(), p.already.len(), "import-already", already_rows.into_any())}
        {section(c.import_errors_title.to_owned(), p.errors.len(), "import-errors", error_rows.into_any())}
    }
}
