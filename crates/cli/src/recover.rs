//! `esehdr recover --dry-run [DB] --logs DIR [--system DIR]`: what soft recovery would do with
//! this database and these logs, read-only (issue 10 item 5); `esehdr recover [DB] --logs DIR
//! --out COPY`: the recovery itself, on a copy (issues 11 and 12). The logic is in
//! `esehdr-recover`; this module renders its reports.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use esehdr_format::log::records::dump::{lgpos_prefix, record_text, DumpContext, Level};
use esehdr_format::Lgpos;
use esehdr_recover::{dry_run, recover_with, Decision, DryRunOptions, Events, RecoverReport, Report, Verdict};

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
    /// `--out COPY`.
    pub out: Option<PathBuf>,
    /// `--until LGPOS`.
    pub until: Option<Lgpos>,
    /// `--force`.
    pub force: bool,
    /// `-v`: list every applied record.
    pub verbose: bool,
}

/// `--until` in eseutil's notation (`0x1,5,1A0`, parentheses optional, hexadecimal).
pub fn parse_until(s: &str) -> Result<Lgpos, String> {
    esehdr_recover::parse_lgpos(s)
}

/// Runs `esehdr recover`: writes the report, returns 0 (would succeed), 1 (would fail); usage
/// and I/O errors go to `err` with status 2.
pub fn run_recover(opts: &RecoverOptions, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<Status> {
    if !opts.dry_run {
        return run_copy(opts, out, err);
    }
    let report = match dry_run(&DryRunOptions {
        database: opts.database.clone(),
        logs: opts.logs.clone(),
        system: opts.system.clone(),
        base: opts.base.clone(),
        until: opts.until,
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
            } else if !r.attach.iter().any(|a| a.decision == Decision::Attach) && !r.create {
                "no attachment of the replayed logs is taken (the database was made consistent after them); recovery would leave it as it is"
                    .to_string()
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

/// Removes the temporary copy on Ctrl-C and SIGTERM, then exits 130 (installed once).
fn install_interrupt_handler() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = ctrlc::set_handler(|| {
            esehdr_recover::output::remove_registered();
            let _ = writeln!(
                io::stderr(),
                "\nesehdr: recover: interrupted; the temporary copy was removed, nothing was written"
            );
            std::process::exit(130);
        });
    });
}

/// `-v` lines and the progress bar.
struct CliEvents<'w> {
    list: Option<&'w mut dyn Write>,
    progress: bool,
    error: Option<io::Error>,
}

impl Events for CliEvents<'_> {
    fn applied(&mut self, lgpos: Lgpos, record: &[u8]) {
        if let Some(w) = self.list.as_mut() {
            let line = format!(
                "{}{}",
                lgpos_prefix(lgpos),
                record_text(record, Level::Data, &DumpContext { new_commit_ctx: true })
            );
            if let Err(e) = writeln!(w, "{}", line.trim_end()) {
                self.error.get_or_insert(e);
            }
        }
    }
    fn log(&mut self, generation: i32, index: usize, total: usize) {
        if self.progress {
            let done = (index * 30).checked_div(total.max(1)).unwrap_or(0);
            let bar: String = (0..30).map(|i| if i < done { '#' } else { '.' }).collect();
            let _ = write!(
                io::stderr(),
                "\r  replaying [{bar}] log {}/{} (generation {generation:#x})",
                index + 1,
                total.max(index + 1)
            );
        }
    }
}

/// Recovery on a copy.
fn run_copy(opts: &RecoverOptions, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<Status> {
    let Some(copy) = &opts.out else {
        writeln!(
            err,
            "esehdr: recover: give --out COPY (the copy to write), or --dry-run to see what recovery would do"
        )?;
        return Ok(Status::Error);
    };
    install_interrupt_handler();
    let mut ropts = esehdr_recover::RecoverOptions::new(opts.logs.clone(), copy.clone());
    ropts.database = opts.database.clone();
    ropts.system = opts.system.clone();
    ropts.base = opts.base.clone();
    ropts.until = opts.until;
    ropts.force = opts.force;
    let progress = io::stderr().is_terminal() && !opts.verbose;
    if opts.verbose && !opts.json {
        writeln!(out, "Records applied:")?;
    }
    let mut events =
        CliEvents { list: if opts.verbose && !opts.json { Some(&mut *out) } else { None }, progress, error: None };
    let result = recover_with(&ropts, &mut events);
    if progress {
        let _ = writeln!(io::stderr());
    }
    if let Some(e) = events.error.take() {
        return Err(e);
    }
    let report = match result {
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
        if opts.verbose {
            writeln!(out)?;
        }
        render_copy_text(out, &report)?;
    }
    Ok(if report.ok { Status::Ok } else { Status::No })
}

/// The text report of a recovery on a copy.
pub fn render_copy_text(w: &mut dyn Write, r: &RecoverReport) -> io::Result<()> {
    let db = r.database.as_deref().unwrap_or("(the database the logs create)");
    writeln!(w, "Recovery of {db} (log stream {}) into {}", r.base_name, r.output)?;
    writeln!(w, "  Start: {}", r.start)?;
    writeln!(w, "  End:   {}", r.end)?;
    if r.created {
        writeln!(w, "  The database was created from the logs (CreateDB), as the engine does.")?;
    }
    writeln!(
        w,
        "  Applied: {} on {}, {}",
        plural(r.applied.records, "record", "records"),
        plural(r.applied.pages, "page", "pages"),
        plural(r.applied.macros, "split/merge macro", "split/merge macros")
    )?;
    if !r.applied.by_type.is_empty() {
        let parts: Vec<String> = r.applied.by_type.iter().map(|(k, v)| format!("{k} {v}")).collect();
        writeln!(w, "    {}", parts.join(", "))?;
    }
    writeln!(w, "  Already on disk: {}", plural(r.already_on_disk, "record", "records"))?;
    writeln!(
        w,
        "  Open at the end: {} ({})",
        plural(r.rollback.transactions, "transaction", "transactions"),
        plural(r.rollback.records, "page record", "page records")
    )?;
    if let Some(h) = &r.header {
        writeln!(
            w,
            "  Header: {}, Last Consistent {}, dbtime {} ({:#x}), Log Required {}-{}",
            h.state, h.last_consistent, h.dbtime, h.dbtime, h.log_required.min, h.log_required.max
        )?;
    }
    if let Some(v) = &r.verify {
        let structure =
            v.structure_problems.map_or_else(|| "not run".to_string(), |n| plural(n, "problem", "problems"));
        writeln!(
            w,
            "  Verify: {} checked, {}; structure check: {structure}",
            plural(v.pages_seen, "page", "pages"),
            plural(v.bad_checksums, "bad checksum", "bad checksums")
        )?;
    }
    writeln!(w)?;
    match &r.error {
        Some(e) => {
            let at = e.lgpos.map(|l| format!(" at {l}")).unwrap_or_default();
            let page = e.pgno.map(|p| format!(", page {p}")).unwrap_or_default();
            writeln!(w, "  Recovery is not possible: {} ({}){at}{page}", e.code, e.name)?;
            writeln!(w, "    because {}", e.message)?;
            writeln!(w, "  Nothing was written ({} does not exist or is unchanged).", r.output)?;
        }
        None => {
            writeln!(w, "  Recovered: {} written in {:.2} s.", r.output, r.seconds)?;
            writeln!(
                w,
                "  {} is a standalone Clean Shutdown database: open it with your usual tools. Do not put it",
                r.output
            )?;
            writeln!(w, "  back beside the original logs: its header no longer matches them.")?;
        }
    }
    Ok(())
}
