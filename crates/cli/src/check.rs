//! `esehdr check DB`: the structure check of a database (docs/page-internals.md §6): every
//! page of every B-tree reached from the roots the catalog names, checked page by page and tree
//! by tree. The logic is in `esehdr_recover::check`; this module opens the file and renders
//! the report.
//!
//! Exit codes: 0 sound, 1 problems found, 2 not a database or unreadable.

use std::io::{self, Write};
use std::path::Path;

use esehdr_format::{read_database_header, DB_HEADER_READ_LEN};
use esehdr_recover::check::{check_database, CheckOptions, CheckReport, FilePages, Finding};
use serde::Serialize;

use crate::{input, Status};

/// The JSON contract of `esehdr check --json DB`.
#[derive(Debug, Serialize)]
pub struct CheckJson<'a> {
    /// The path as given.
    pub file: &'a str,
    /// Pages read and checked.
    pub pages_checked: u64,
    /// B-trees walked, space trees included.
    pub trees_checked: u64,
    /// Every problem: page, line (null when the problem is not in one line), rule, message.
    pub problems: &'a [Finding],
    /// No problem.
    pub ok: bool,
}

/// Checks one database and writes its report; I/O errors and files that are not databases
/// are `Err` (exit 2 in the caller).
pub fn run_check(path: &Path, json: bool, out: &mut dyn Write) -> io::Result<Status> {
    let report = check_file(path)?;
    let name = path.display().to_string();
    if json {
        let j = CheckJson {
            file: &name,
            pages_checked: report.pages_checked,
            trees_checked: report.trees_checked,
            problems: &report.problems,
            ok: report.ok(),
        };
        serde_json::to_writer_pretty(&mut *out, &j)?;
        writeln!(out)?;
    } else {
        render_text(out, &name, &report)?;
    }
    Ok(if report.ok() { Status::Ok } else { Status::No })
}

/// Opens `path` read-only, reads its header for the page size, and runs the check with plain
/// reads, one page at a time.
pub fn check_file(path: &Path) -> io::Result<CheckReport> {
    let head = input::read_head(path, DB_HEADER_READ_LEN)?;
    let header = read_database_header(&head.bytes)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("not a database: {e}")))?;
    let file = input::open_shared(path)?;
    let (len, _) = input::size(&file)?;
    let pages = FilePages::new(file, len, header.page_size as usize);
    check_database(&pages, CheckOptions::default())
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("page size: {e}")))
}

/// The text report: one line per problem, then a summary line.
pub fn render_text(w: &mut dyn Write, file: &str, r: &CheckReport) -> io::Result<()> {
    writeln!(w, "Checking the structure of {file}")?;
    for p in &r.problems {
        writeln!(w, "  {p}")?;
    }
    let n = r.problems.len();
    let verdict = if n == 0 { "sound".to_string() } else { format!("{n} problem{}", if n == 1 { "" } else { "s" }) };
    writeln!(w, "{} pages in {} trees checked: {verdict}", r.pages_checked, r.trees_checked)
}
