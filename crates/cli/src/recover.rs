//! `esehdr recover --dry-run [DB] --logs DIR [--system DIR]`: what soft recovery would do with
//! this database and these logs, read-only (issue 10 item 5). The logic is in
//! `esehdr-recover`; this module renders its report.

use std::io::{self, Write};
use std::path::PathBuf;

use esehdr_recover::{dry_run, Decision, DryRunOptions, Report, Verdict};

use crate::Status;

/// Options of `esehdr recover`.
#[derive(Debug, Clone, Default)]
pub struct RecoverOptions {
    /// The database (absent: the logs' CreateDB).
    pub database: Option<PathBuf>,
    /// `--logs DIR`.
    pub logs: PathBuf,
    /// `--system DIR` (the checkpoint).
    pub system: Option<PathBuf>,
    /// `--base NAME`.
    pub base: Option<String>,
    /// `--dry-run`.
    pub dry_run: bool,
    /// `--json`.
    pub json: bool,
}

/// Runs `esehdr recover`: writes the report, returns 0 (would succeed), 1 (would fail); usage
/// and I/O errors go to `err` with status 2.
pub fn run_recover(opts: &RecoverOptions, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<Status> {
    if !opts.dry_run {
        writeln!(
            err,
            "esehdr: recover: recovery on a copy is not yet implemented; use --dry-run to see what it would do"
        )?;
        return Ok(Status::Error);
    }
    let report = match dry_run(&DryRunOptions {
        database: opts.database.clone(),
        logs: opts.logs.clone(),
        system: opts.system.clone(),
        base: opts.base.clone(),
    }) {
        Ok(r) => r,
        Err(e) => {
            writeln!(err, "esehdr: recover: {e}")?;
            return Ok(Status::Error);
        }
    };
    if opts.json {
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
    } else {
        render_text(out, &report)?;
    }
    Ok(match report.verdict {
        Verdict::WouldSucceed => Status::Ok,
        Verdict::WouldFail => Status::No,
    })
}

fn decision(d: Decision) -> &'static str {
    match d {
        Decision::Attach => "attach",
        Decision::Defer => "defer",
        Decision::Skip => "skip",
        Decision::Fail => "fail",
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The text report.
pub fn render_text(w: &mut dyn Write, r: &Report) -> io::Result<()> {
    let db = r.database.as_deref().unwrap_or("(the database the logs create)");
    writeln!(w, "Recovery dry run for {db} (log stream {})", r.base_name)?;
    if r.start_from.is_empty() {
        writeln!(w, "  Start: {}", r.start)?;
    } else {
        writeln!(w, "  Start: {} ({})", r.start, r.start_from)?;
    }
    writeln!(w, "  End:   {}", r.end)?;
    if r.records_read > 0 {
        writeln!(w, "  Records read: {}", r.records_read)?;
    }
    if r.create {
        writeln!(w, "  The database is absent: recovery would create it from the logs (as the engine does).")?;
    }
    writeln!(w)?;
    writeln!(w, "  Attach decisions:")?;
    if r.attach.is_empty() {
        writeln!(w, "    none: no attachment of the replayed logs names this database")?;
    }
    for a in &r.attach {
        writeln!(w, "    dbid {} at {}: {} ({})", a.dbid, a.lgpos, decision(a.decision), a.reason)?;
    }
    writeln!(w)?;
    writeln!(w, "  Page records of this database:")?;
    writeln!(
        w,
        "    to apply: {} on {}, {}",
        plural(r.apply.records, "record", "records"),
        plural(r.apply.pages, "page", "pages"),
        plural(r.apply.macros, "split/merge macro", "split/merge macros")
    )?;
    if !r.apply.by_type.is_empty() {
        let parts: Vec<String> = r.apply.by_type.iter().map(|(k, v)| format!("{k} {v}")).collect();
        writeln!(w, "      {}", parts.join(", "))?;
    }
    writeln!(w, "    already on disk: {}", plural(r.already_on_disk, "record", "records"))?;
    if r.skipped.before_attach + r.skipped.session_before_start > 0 {
        writeln!(
            w,
            "    not replayed: {} at or before the header's last attach, {} of sessions begun before the start",
            r.skipped.before_attach, r.skipped.session_before_start
        )?;
    }
    writeln!(w)?;
    writeln!(
        w,
        "  Rollback: {} open at the end ({})",
        plural(r.rollback.transactions, "transaction", "transactions"),
        plural(r.rollback.records, "page record", "page records")
    )?;
    for t in &r.open_transactions {
        writeln!(
            w,
            "    session {} trxBegin0 {:#x} begun at {}: {}",
            t.procid,
            t.trx_begin0,
            t.lgpos,
            plural(t.records, "record", "records")
        )?;
    }
    writeln!(w)?;
    match (&r.verdict, &r.error) {
        (Verdict::WouldFail, Some(e)) => {
            let at = e.lgpos.map(|l| format!(" at {l}")).unwrap_or_default();
            let page = e.pgno.map(|p| format!(", page {p}")).unwrap_or_default();
            writeln!(w, "  Verdict: recovery would fail with {} ({}){at}{page}", e.code, e.name)?;
            writeln!(w, "    because {}", e.message)?;
        }
        _ => {
            let what = if r.attach.is_empty() {
                "no attachment of the replayed logs names this database; recovery would leave it as it is".to_string()
            } else if r.apply.records == 0 && r.already_on_disk == 0 && !r.create {
                "no page record of this database follows its attach; recovery would attach it and update its header"
                    .to_string()
            } else if r.apply.records == 0 && !r.create {
                "every page record is already on disk; recovery would attach the database and update its header"
                    .to_string()
            } else if r.create {
                format!("recovery would create the database and apply {}", plural(r.apply.records, "record", "records"))
            } else {
                format!("recovery would apply {}", plural(r.apply.records, "record", "records"))
            };
            writeln!(w, "  Verdict: recovery would succeed: {what}")?;
        }
    }
    Ok(())
}
