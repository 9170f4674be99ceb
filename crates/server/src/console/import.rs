//! Bulk import of national entries from the national CSV
//! (`NATIONAL-CSV.md`), in two steps: the file is read and checked and
//! the page shows, row by row, what would be created or changed and
//! every problem (the parser's, with line and column, and each row the
//! API's rules refuse); nothing is written. Only a file with no error
//! can be imported, and then every entry is written or none is. The
//! import step reads and checks the file again: the preview is never
//! trusted.

use axum::extract::{Multipart, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

use super::api::{self, ImportPlan};
use super::entry;
use super::i18n::Lang;
use super::pages::{self, Nav};
use super::session::Session;
use crate::AppState;
use crate::dto::EntryDto;

/// Rows the preview lists at most (the counts cover every row).
const PREVIEW_ROWS: usize = 500;

pub async fn get(s: Session) -> Response {
    if let Some(r) = pages::require(&s, Nav::Entries) {
        return r;
    }
    render(&s, html! {}, "")
}

fn render(s: &Session, top: Markup, text: &str) -> Response {
    let l = s.lang;
    let body = html! {
        p.hint { (l.t("import-hint")) }
        form method="post" action="/console/entries/import" enctype="multipart/form-data" {
            (pages::csrf_field(s))
            input type="hidden" name="step" value="preview";
            div {
                label for="file" { (l.t("import-file")) }
                input #file name="file" type="file" accept=".csv,.txt";
            }
            div {
                label for="text" { (l.t("import-paste")) }
                textarea #text name="text" rows="6" cols="80" dir="ltr" spellcheck="false" { (text) }
            }
            button.primary type="submit" { (l.t("import-preview")) }
        }
        (top)
        p { a href="/console/entries" { (l.t("back-to-entries")) } }
    };
    pages::page(s, Nav::Entries, &l.t("import-title"), body)
}

pub async fn post(State(state): State<AppState>, s: Session, mut form: Multipart) -> Response {
    let (mut csrf, mut step, mut file, mut text) =
        (String::new(), String::new(), Vec::new(), Vec::new());
    while let Ok(Some(field)) = form.next_field().await {
        let name = field.name().unwrap_or("").to_string();
        let Ok(bytes) = field.bytes().await else {
            break;
        };
        match name.as_str() {
            "csrf" => csrf = String::from_utf8_lossy(&bytes).into_owned(),
            "step" => step = String::from_utf8_lossy(&bytes).into_owned(),
            "file" => file = bytes.to_vec(),
            "text" => text = bytes.to_vec(),
            _ => {}
        }
    }
    if let Some(r) = s.check_csrf(&csrf) {
        return r;
    }
    if let Some(r) = pages::require(&s, Nav::Entries) {
        return r;
    }
    let l = s.lang;
    let bytes = if file.is_empty() { text } else { file };
    // A form sends a pasted text with CRLF line ends, and spreadsheets
    // save CRLF files; the national CSV parser counts CRLF rows one line
    // short, so its diagnostics would name the line before the faulty
    // one. LF ends read the same and keep the line numbers right.
    let bytes = crlf_to_lf(bytes);
    let shown = String::from_utf8_lossy(&bytes).into_owned();
    let parsed = match tansiq_lists::parse_national_csv(&bytes[..]) {
        Ok(p) => p,
        Err(e) => {
            let top = html! {
                div.notice.error role="alert" {
                    (l.t("import-unreadable")) " " span.detail lang="en" dir="ltr" { "(" (e) ")" }
                }
            };
            return render(&s, top, &shown);
        }
    };
    let diagnostics = parsed.diagnostics.clone();
    let plan = match api::plan_import(&state, &s.principal, parsed.entities).await {
        Ok(p) => p,
        Err(e) => return render(&s, pages::api_error(l, &e), &shown),
    };
    let blocked = diagnostics.iter().any(|d| d.is_error()) || !plan.refused.is_empty();
    if step == "import" && !blocked {
        let n = plan.rows.len();
        return match api::import_entries(&state, &s.principal, plan).await {
            Ok(written) => {
                let to = format!("/console/entries?done=imported&n={}&of={n}", written.len());
                Redirect::to(&to).into_response()
            }
            Err(e) => render(&s, pages::api_error(l, &e), &shown),
        };
    }
    let top = preview(&s, &plan, &diagnostics, blocked, &shown);
    render(&s, top, &shown)
}

/// What the file would do, and what stops it.
fn preview(
    s: &Session,
    plan: &ImportPlan,
    diagnostics: &[tansiq_lists::Diagnostic],
    blocked: bool,
    text: &str,
) -> Markup {
    let l = s.lang;
    let new = plan.rows.iter().filter(|r| r.existing.is_none()).count();
    let errors = diagnostics.iter().filter(|d| d.is_error()).count() + plan.refused.len();
    html! {
        section.preview aria-labelledby="preview-title" {
            h2 #preview-title { (l.t("import-preview-title")) }
            p { (l.ta("import-counts", &[("n", plan.rows.len().to_string()), ("a", new.to_string()),
                    ("b", (plan.rows.len() - new).to_string()), ("m", errors.to_string())])) }
            @if blocked {
                (pages::notice("error", &l.t("import-blocked")))
            }
            @if !diagnostics.is_empty() || !plan.refused.is_empty() {
                table.problems {
                    caption { (l.t("import-problems")) }
                    thead { tr {
                        th scope="col" { (l.t("import-where")) }
                        th scope="col" { (l.t("import-severity")) }
                        th scope="col" { (l.t("import-problem")) }
                    } }
                    tbody {
                        @for d in diagnostics {
                            tr class=[d.is_error().then_some("row-error")] {
                                td dir="ltr" {
                                    (l.ta("import-line", &[("n", d.line.to_string())]))
                                    @if let Some(f) = &d.field { " · " code { (f) } }
                                    @if let Some(r) = &d.record { " · " code { (r) } }
                                }
                                td { (l.t(if d.is_error() { "import-error" } else { "import-warning" })) }
                                td lang="en" dir="ltr" { (d.message) }
                            }
                        }
                        @for r in &plan.refused {
                            tr.row-error {
                                td dir="ltr" { code { (r.id) } }
                                td { (l.t("import-error")) }
                                td lang="en" dir="ltr" { (r.detail) }
                            }
                        }
                    }
                }
            }
            @if !plan.rows.is_empty() {
                table.rows {
                    caption { (l.t("import-rows")) }
                    thead { tr {
                        th scope="col" { "id" }
                        th scope="col" { (l.t("diff-names")) }
                        th scope="col" { (l.t("import-effect")) }
                    } }
                    tbody {
                        @for r in plan.rows.iter().take(PREVIEW_ROWS) {
                            tr {
                                td { code { (r.entity.id) } }
                                td { ul.names { @for n in r.entity.get(tansiq_model::prop::NAME) { li { bdi dir="auto" { (n) } } } } }
                                td { (effect(l, r.existing.as_ref(), &r.entity)) }
                            }
                        }
                    }
                }
                @if plan.rows.len() > PREVIEW_ROWS {
                    p.hint { (l.ta("import-more", &[("n", (plan.rows.len() - PREVIEW_ROWS).to_string())])) }
                }
            }
            @if !blocked && !plan.rows.is_empty() {
                form method="post" action="/console/entries/import" enctype="multipart/form-data" {
                    (pages::csrf_field(s))
                    input type="hidden" name="step" value="import";
                    input type="hidden" name="text" value=(text);
                    button.primary #import-confirm type="submit" { (l.ta("import-confirm", &[("n", plan.rows.len().to_string())])) }
                }
            }
        }
    }
}

/// New, or what would change in the stored entry.
fn effect(l: Lang, existing: Option<&EntryDto>, e: &tansiq_model::Entity) -> Markup {
    let Some(old) = existing else {
        return html! { (l.t("import-new")) };
    };
    let new = EntryDto::from_domain(e, old.version + 1);
    let deltas = entry::diff(
        old,
        &EntryDto {
            status: old.status.clone(),
            ..new
        },
    );
    html! {
        @if deltas.is_empty() {
            (l.t("import-unchanged"))
        } @else {
            (l.ta("import-update", &[("n", old.version.to_string())]))
            ul.diff { @for d in &deltas { li { (entry::delta(l, d)) } } }
        }
    }
}

/// `\r\n` to `\n` (a lone `\r` is kept).
fn crlf_to_lf(bytes: Vec<u8>) -> Vec<u8> {
    if !bytes.windows(2).any(|w| w == b"\r\n") {
        return bytes;
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut it = bytes.iter().peekable();
    while let Some(&b) = it.next() {
        if b == b'\r' && it.peek() == Some(&&b'\n') {
            continue;
        }
        out.push(b);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_rows_keep_their_line_numbers() {
        let crlf = b"id,name,birth_dates,action_on_hit\r\nimp-1,Sofiane Fictif,1986-04-02,inform\r\nimp-2,Nabil Fictif,1979-13-45,inform\r\n";
        let parsed = tansiq_lists::parse_national_csv(&crlf_to_lf(crlf.to_vec())[..]).unwrap();
        let bad: Vec<u64> = parsed
            .diagnostics
            .iter()
            .filter(|d| d.field.as_deref() == Some("birth_dates"))
            .map(|d| d.line)
            .collect();
        assert_eq!(bad, vec![3], "{:?}", parsed.diagnostics);
        assert_eq!(crlf_to_lf(b"a\rb\r\nc".to_vec()), b"a\rb\nc".to_vec());
    }
}
