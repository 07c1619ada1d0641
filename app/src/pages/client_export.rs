//! Exporting the client list as it is filtered (issue 14, SPEC 8): every
//! client shown, with all its contact persons, one row per contact. CSV is
//! written here, offline (UTF-8 with a byte-order mark, `;`: what Russian
//! Excel opens); XLSX is written by the relay from the same rows. The rows
//! and the neutralisation of formulas are `kartoteka::export`'s.

use kartoteka::api::XlsxExportRequest;
use kartoteka::export::{CsvWriter, Derived, ExportColumn, client_rows, header};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::status::{status_name_of, zone_name};
use crate::i18n::{Lang, cat, lang};
use crate::io::api;
use crate::io::platform::{download, yield_now};
use crate::state::{Net, app_state};
use crate::t;

/// The media type of an .xlsx file.
const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A file format of the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Xlsx,
}

/// The export's header row in the interface language (the names the
/// import recognises back).
fn export_header(lang: Lang) -> Vec<String> {
    header(|c: ExportColumn| match lang {
        Lang::Ru => c.russian(),
        Lang::En => c.english(),
    })
}

/// The rows of these clients, reading each one's document; `progress` is
/// told how far it got.
async fn export_rows(
    base: crate::base::Base,
    ids: &[String],
    progress: RwSignal<Option<(usize, usize)>>,
) -> Vec<Vec<String>> {
    let Some(store) = base.store() else {
        return Vec::new();
    };
    let c = cat();
    let rules = base.rules.get_untracked();
    let mut rows = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let doc = match store.client(id).await {
            Ok(doc) => doc,
            Err(e) => {
                leptos::logging::error!("exporting {id}: {e}");
                continue;
            }
        };
        let (status, zone) = base.derived.with_untracked(|d| match d.get(id) {
            Some(s) => (
                rules
                    .as_ref()
                    .map(|r| status_name_of(&r.0, s.status.as_str()))
                    .unwrap_or_default(),
                zone_name(c, s.zone).to_owned(),
            ),
            None => (String::new(), String::new()),
        });
        let responsible = base
            .clients
            .with_untracked(|l| l.get(id).and_then(|s| s.responsible.clone()))
            .and_then(|u| base.user_name(&u))
            .unwrap_or_default();
        let derived = Derived {
            responsible: &responsible,
            status: &status,
            zone: &zone,
        };
        rows.extend(client_rows(&doc, &derived));
        if i % 50 == 49 {
            progress.set(Some((i + 1, ids.len())));
            yield_now().await;
        }
    }
    rows
}

/// "Export CSV" and "Export XLSX" for the list; `clients` gives the ids of
/// the clients shown when pressed.
#[component]
pub fn ExportButtons(clients: Callback<(), Vec<String>>) -> impl IntoView {
    let state = app_state();
    // Contexts are read here: the export runs outside the reactive owner.
    let base = crate::base::base();
    let progress = RwSignal::new(None::<(usize, usize)>);
    let run = move |format: Format| {
        if progress.with_untracked(Option::is_some) {
            return;
        }
        let c = cat();
        if format == Format::Xlsx && state.net.get_untracked() != Net::Online {
            state.toast(c.cx_xlsx_offline, true);
            return;
        }
        let ids = clients.run(());
        let lang = lang();
        progress.set(Some((0, ids.len())));
        spawn_local(async move {
            let rows = export_rows(base, &ids, progress).await;
            let header = export_header(lang);
            let day = state.today().to_string();
            let written = match format {
                Format::Csv => {
                    let mut csv = CsvWriter::new(&header);
                    for row in &rows {
                        csv.row(row);
                    }
                    download(
                        &format!("clients-{day}.csv"),
                        "text/csv;charset=utf-8",
                        &csv.finish(),
                    )
                }
                Format::Xlsx => {
                    let token = state
                        .session
                        .with_untracked(|s| s.as_ref().map(|s| s.token.clone()))
                        .unwrap_or_default();
                    let request = XlsxExportRequest {
                        sheet: cat().cx_sheet.to_owned(),
                        header,
                        rows,
                    };
                    match api::xlsx_export(&token, &request).await {
                        Ok(bytes) => download(&format!("clients-{day}.xlsx"), XLSX_TYPE, &bytes),
                        Err(e) => Err(e.to_string()),
                    }
                }
            };
            progress.set(None);
            let c = cat();
            match written {
                Ok(()) => state.toast((c.cx_done)(ids.len() as u64), false),
                Err(e) => state.toast((c.cx_failed)(&e), true),
            }
        });
    };
    view! {
        <div class="export-buttons" role="group" aria-label=t!(cx_label)>
            <button type="button" class="button" id="export-csv" disabled=move || progress.with(Option::is_some)
                on:click=move |_| run(Format::Csv)>{t!(cx_csv)}</button>
            <button type="button" class="button" id="export-xlsx" disabled=move || progress.with(Option::is_some)
                on:click=move |_| run(Format::Xlsx)>{t!(cx_xlsx)}</button>
            {move || progress.get().map(|(done, total)| view! {
                <span class="muted" role="status">{move || (cat().cx_busy)(done as u64, total as u64)}</span>
            })}
        </div>
    }
}
