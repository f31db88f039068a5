//! `esehdr`: inspect ESE database, log and checkpoint headers, like `eseutil /mh /ml /mk`.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use esehdr::{run, Mode as RunMode, Options, Status};

#[derive(Parser, Debug)]
#[command(
    name = "esehdr",
    version,
    about = "Inspect Microsoft ESE (JET Blue) database, log and checkpoint headers, like eseutil",
    long_about = "Inspect Microsoft ESE (JET Blue) database, log and checkpoint headers on any OS.\n\
        Text output follows eseutil; --json gives a stable machine-readable report.\n\
        Files are only ever read (opened read-only and shared), never changed.\n\n\
        Exit codes: 0 header read, 1 a definite no (header invalid, or dirty with --fail-if-dirty),\n\
        2 not a file of that kind, unreadable, or usage error.",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    mode: Option<Mode>,
    /// Files to inspect when no mode is given: each gets the report of its kind.
    files: Vec<PathBuf>,
    #[command(flatten)]
    common: Common,
}

#[derive(Args, Debug, Clone, Copy, Default)]
struct Common {
    /// Print JSON instead of eseutil-style text (an array when several files are given).
    #[arg(long, global = true)]
    json: bool,
    /// Verbose: print both header copies.
    #[arg(short, long, global = true)]
    verbose: bool,
    /// Do not print the banner line (like eseutil /o).
    #[arg(long, global = true)]
    nologo: bool,
}

#[derive(Subcommand, Debug)]
enum Mode {
    /// Dump database headers, like `eseutil /mh` (also accepted as `/mh`).
    Mh {
        /// Database files (.edb, .stm, .dat, .mdb, .dit, ...).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Exit 1 when any database is not in Clean Shutdown state.
        #[arg(long)]
        fail_if_dirty: bool,
    },
    /// Dump and verify log files (`ml E00.log`), or verify a whole log stream (`ml E00`,
    /// `ml /restore/logs/E00`), like `eseutil /ml` (also accepted as `/ml`).
    Ml {
        /// Log files (E00.log, E0000001A.log, edb.log, ...) or 3-character base names (E00, SRU).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Only generations FIRST-LAST, in hexadecimal (like eseutil /r): --range 0x10-0x20.
        #[arg(long, value_parser = esehdr::stream::parse_range)]
        range: Option<(u32, u32)>,
        /// Run every check across the set without reading the log contents.
        #[arg(long)]
        headers_only: bool,
        /// Print every record, like `eseutil /ml /v` (`-v` implies `--records=data`):
        /// `structure` shows payloads as <Data> (eseutil /v1), `data` their first 16 bytes.
        /// With --json: JSON Lines, one object per record, payloads in full.
        #[arg(long, value_enum, num_args = 0..=1, require_equals = true, default_missing_value = "data")]
        records: Option<RecordLevel>,
    },
    /// Verify every page checksum of databases, like `eseutil /k` and `esefile /s` (also accepted
    /// as `/k`); log files, log streams (`k E00`) and checkpoints get their own checks.
    K {
        /// Databases, log files, 3-character base names or checkpoints.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Read the database in plain chunks instead of memory-mapping it (for a database a
        /// running server may shrink meanwhile).
        #[arg(long)]
        no_mmap: bool,
    },
    /// Plan a restore: find databases, logs and checkpoints under DIR, and say what can be
    /// restored, how (point-in-time, roll-forward, soft recovery, start without logs) and what to do first.
    Plan {
        /// Folders (searched with their subfolders) and files.
        #[arg(required_unless_present_any = ["logs", "system", "db"])]
        dirs: Vec<PathBuf>,
        /// The log folder, when the logs are apart.
        #[arg(long)]
        logs: Vec<PathBuf>,
        /// The system folder (the checkpoint), when apart.
        #[arg(long)]
        system: Vec<PathBuf>,
        /// A database file (repeatable).
        #[arg(long)]
        db: Vec<PathBuf>,
        /// Only the stream with this 3-character base name (E00, edb, SRU, ...).
        #[arg(long)]
        base: Option<String>,
        /// The databases being restored (default: every database found).
        #[arg(long, num_args = 1..)]
        restoring: Vec<PathBuf>,
        /// Exit 0 when this restore is possible, 1 when not: point-in-time, roll-forward,
        /// soft-recovery or without-logs.
        #[arg(long)]
        expect: Option<esehdr::plan::Expect>,
        /// Do not read the log contents (damaged log data is then not seen).
        #[arg(long)]
        headers_only: bool,
    },
    /// Soft recovery on a copy: `recover [DB] --logs DIR --out COPY` replays the logs into a copy
    /// of DB (or, without DB, into the database the logs create), finishes its header (Clean
    /// Shutdown), verifies every page checksum and only then writes COPY; the inputs are never
    /// written. `--dry-run` says, read-only, what recovery would do: the attach decisions, the
    /// page records to apply or already on disk, the macros, the transactions it would roll back,
    /// and the error it would stop on. Exit 0 recovered (would succeed), 1 recovery not possible,
    /// 2 usage or I/O error.
    Recover {
        /// The database (without it, or when it is absent, the logs' CreateDB creates it).
        db: Option<PathBuf>,
        /// The log folder.
        #[arg(long, required = true)]
        logs: PathBuf,
        /// The folder of the checkpoint, when apart from the logs.
        #[arg(long)]
        system: Option<PathBuf>,
        /// The stream's 3-character base name, when the log folder holds several.
        #[arg(long)]
        base: Option<String>,
        /// Only say what recovery would do; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// The copy to write (required without --dry-run); written beside it under a temporary
        /// name, renamed only when recovery and verification succeeded.
        #[arg(long, value_name = "COPY")]
        out: Option<PathBuf>,
        /// Stop at this log position, in eseutil's notation (0x1,5,1A0; parentheses optional;
        /// hexadecimal): records before it are replayed, the record at it and later ones are not.
        #[arg(long, value_name = "LGPOS", value_parser = esehdr::recover::parse_until)]
        until: Option<esehdr_format::Lgpos>,
        /// Replace COPY when it exists.
        #[arg(long)]
        force: bool,
    },
    /// Check the structure of a database: every page of every B-tree the catalog names (tags,
    /// lines, free space, flags; key order, separators, sibling links, every page owned once).
    /// Exit 0 sound, 1 problems found, 2 not a database or unreadable.
    Check {
        /// The database.
        db: PathBuf,
    },
    /// Dump checkpoint files, like `eseutil /mk E00.chk` (also accepted as `/mk`).
    Mk {
        /// Checkpoint files (E00.chk, edb.chk, <base>.jcp).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

/// How much of a record's payload `--records` shows.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum RecordLevel {
    /// Payloads as `<Data>` (eseutil `/ml /v1`).
    Structure,
    /// The first 16 payload bytes in hex (eseutil `/ml /v`).
    Data,
}

impl From<RecordLevel> for esehdr_format::log::records::dump::Level {
    fn from(l: RecordLevel) -> Self {
        match l {
            RecordLevel::Structure => Self::Structure,
            RecordLevel::Data => Self::Data,
        }
    }
}

/// `ml ... --records --json`: JSON Lines of log files, or of every log of streams (decoded on
/// every core, printed in generation order).
fn run_jsonl(files: &[PathBuf], range: Option<(u32, u32)>, out: &mut dyn Write, err: &mut dyn Write) -> ExitCode {
    let mut worst = Status::Ok;
    for f in files {
        let result = if esehdr::stream::is_base_name(f) {
            esehdr::stream::stream_files(f, range).and_then(|logs| esehdr::records::jsonl_parallel(&logs, out, err))
        } else {
            esehdr::records::run_jsonl(&[f.as_path()], out, err)
        };
        match result {
            Ok(s) => worst = worst.max(s),
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return ExitCode::SUCCESS,
            Err(e) => {
                let _ = writeln!(err, "esehdr: {}: {e}", f.display());
                worst = Status::Error;
            }
        }
    }
    match out.flush() {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => ExitCode::from(Status::Error as u8),
        _ => ExitCode::from(worst as u8),
    }
}

/// eseutil spells modes `/mh`, `/ml`, `/mk`, `/k`; accept them, and accept global options
/// before the mode (`esehdr --json mh x`): the first non-option argument, when it names a mode,
/// is moved to the front where clap expects a subcommand.
fn eseutil_style(args: impl Iterator<Item = std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let mut args: Vec<std::ffi::OsString> = args.collect();
    let first_positional = args.iter().skip(1).position(|a| !a.to_string_lossy().starts_with('-')).map(|i| i + 1);
    if let Some(i) = first_positional {
        let word = args[i].to_string_lossy().to_ascii_lowercase();
        let mode = word.strip_prefix('/').unwrap_or(&word).to_string();
        if matches!(mode.as_str(), "mh" | "ml" | "mk" | "k" | "plan" | "recover" | "check") {
            args.remove(i);
            args.insert(1, mode.into());
        }
    }
    args
}

/// `esehdr k FILE...`: page checksums of databases; the log, stream or checkpoint checks of the
/// other kinds.
fn run_k(files: &[PathBuf], no_mmap: bool, common: Common, out: &mut dyn Write, err: &mut dyn Write) -> ExitCode {
    let mut worst = Status::Ok;
    if !common.json && !common.nologo {
        let _ = esehdr::frame::banner(out);
    }
    let nologo = Options { json: common.json, nologo: true, ..Options::default() };
    for file in files {
        let result = if esehdr::stream::is_base_name(file) {
            let opts =
                esehdr::stream::StreamOptions { json: common.json, verbose: common.verbose, ..Default::default() };
            let started = std::time::Instant::now();
            esehdr::stream::run_stream(file, opts, out, || started.elapsed())
        } else if matches!(esehdr::inspect(file), esehdr::Inspected::Database(_)) {
            esehdr::k::run_k_database(file, common.json, no_mmap, out, err)
        } else {
            run(RunMode::Auto, &[file.as_path()], nologo, out, err)
        };
        match result {
            Ok(s) => worst = worst.max(s),
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return ExitCode::SUCCESS,
            Err(e) => {
                let _ = writeln!(err, "esehdr: {}: {e}", file.display());
                worst = Status::Error;
            }
        }
    }
    match out.flush() {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => ExitCode::from(Status::Error as u8),
        _ => ExitCode::from(worst as u8),
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse_from(eseutil_style(std::env::args_os())) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { Status::Error as u8 } else { 0 });
        }
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut err = io::stderr();
    if let Some(Mode::Plan { dirs, logs, system, db, base, restoring, expect, headers_only }) = &cli.mode {
        let opts = esehdr::plan::PlanOptions {
            inputs: dirs.iter().chain(logs).chain(system).chain(db).cloned().collect(),
            base: base.clone(),
            restoring: restoring.clone(),
            headers_only: *headers_only,
            json: cli.common.json,
        };
        // Plan reads folders and files: a FIFO, a character device or a socket given as an input
        // is refused at once, with one line (inside a folder, plan only looks at regular files).
        for input in &opts.inputs {
            let refused = std::fs::metadata(input)
                .ok()
                .filter(|m| !m.is_dir())
                .and_then(|m| esehdr::input::NotAFile::of(m.file_type()));
            if let Some(refused) = refused {
                let _ = writeln!(err, "esehdr: {}: {refused}", input.display());
                return ExitCode::from(Status::Error as u8);
            }
        }
        if !cli.common.json && !cli.common.nologo {
            let _ = esehdr::frame::banner(&mut out);
        }
        return match esehdr::plan::run_plan(&opts, *expect, &mut out).and_then(|s| out.flush().map(|()| s)) {
            Ok(s) => ExitCode::from(s as u8),
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            Err(e) => {
                let _ = writeln!(err, "esehdr: {e}");
                ExitCode::from(Status::Error as u8)
            }
        };
    }
    if let Some(Mode::Recover { db, logs, system, base, dry_run, out: copy, until, force }) = &cli.mode {
        let opts = esehdr::recover::RecoverOptions {
            database: db.clone(),
            logs: logs.clone(),
            system: system.clone(),
            base: base.clone(),
            dry_run: *dry_run,
            json: cli.common.json,
            out: copy.clone(),
            until: *until,
            force: *force,
            verbose: cli.common.verbose,
        };
        if !cli.common.json && !cli.common.nologo && (*dry_run || copy.is_some()) {
            let _ = esehdr::frame::banner(&mut out);
        }
        return match esehdr::recover::run_recover(&opts, &mut out, &mut err).and_then(|s| out.flush().map(|()| s)) {
            Ok(s) => ExitCode::from(s as u8),
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            Err(e) => {
                let _ = writeln!(err, "esehdr: {e}");
                ExitCode::from(Status::Error as u8)
            }
        };
    }
    if let Some(Mode::Check { db }) = &cli.mode {
        if !cli.common.json && !cli.common.nologo {
            let _ = esehdr::frame::banner(&mut out);
        }
        return match esehdr::check::run_check(db, cli.common.json, &mut out).and_then(|s| out.flush().map(|()| s)) {
            Ok(s) => ExitCode::from(s as u8),
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            Err(e) => {
                let _ = writeln!(err, "esehdr: {}: {e}", db.display());
                ExitCode::from(Status::Error as u8)
            }
        };
    }
    if let Some(Mode::K { files, no_mmap }) = &cli.mode {
        return run_k(files, *no_mmap, cli.common, &mut out, &mut err);
    }
    let (mode, files, fail_if_dirty) = match &cli.mode {
        Some(Mode::Mh { files, fail_if_dirty }) => (RunMode::Mh, files.clone(), *fail_if_dirty),
        Some(Mode::Ml { files, .. }) => (RunMode::Ml, files.clone(), false),
        Some(Mode::Mk { files }) => (RunMode::Mk, files.clone(), false),
        Some(Mode::K { .. } | Mode::Plan { .. } | Mode::Recover { .. } | Mode::Check { .. }) => {
            unreachable!("handled above")
        }
        None if cli.files.is_empty() => {
            let _ = writeln!(err, "esehdr: no file given; try 'esehdr mh FILE' or 'esehdr --help'");
            return ExitCode::from(Status::Error as u8);
        }
        None => (RunMode::Auto, cli.files.clone(), false),
    };
    let records: Option<esehdr_format::log::records::dump::Level> = match &cli.mode {
        Some(Mode::Ml { records: Some(level), .. }) => Some((*level).into()),
        Some(Mode::Ml { records: None, .. }) if cli.common.verbose => Some(Default::default()),
        _ => None,
    };
    if let Some(Mode::Ml { range, records: Some(_), .. }) = &cli.mode {
        if cli.common.json {
            return run_jsonl(&files, *range, &mut out, &mut err);
        }
    }
    if let Some(Mode::Ml { range, headers_only, .. }) = &cli.mode {
        // `ml E00` (a bare 3-character base name) verifies a whole log stream, as in eseutil.
        if files.iter().any(|f| esehdr::stream::is_base_name(f)) {
            if let Some(file) = files.iter().find(|f| !esehdr::stream::is_base_name(f)) {
                let _ =
                    writeln!(err, "esehdr: give either log files or base names to 'ml', not both ({})", file.display());
                return ExitCode::from(Status::Error as u8);
            }
            let opts = esehdr::stream::StreamOptions {
                range: *range,
                headers_only: *headers_only,
                verbose: cli.common.verbose,
                json: cli.common.json,
                records,
            };
            let started = std::time::Instant::now();
            let mut worst = Status::Ok;
            if !cli.common.json && !cli.common.nologo {
                let _ = esehdr::frame::banner(&mut out);
            }
            for base in &files {
                match esehdr::stream::run_stream(base, opts, &mut out, || started.elapsed()) {
                    Ok(s) => worst = worst.max(s),
                    Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return ExitCode::SUCCESS,
                    Err(e) => {
                        let _ = writeln!(err, "esehdr: {}: {e}", base.display());
                        worst = Status::Error;
                    }
                }
            }
            return match out.flush() {
                Err(e) if e.kind() != io::ErrorKind::BrokenPipe => ExitCode::from(Status::Error as u8),
                _ => ExitCode::from(worst as u8),
            };
        }
    }
    let paths: Vec<&std::path::Path> = files.iter().map(PathBuf::as_path).collect();
    let opts = Options {
        verbose: cli.common.verbose,
        json: cli.common.json,
        fail_if_dirty,
        nologo: cli.common.nologo,
        records,
    };
    let result = run(mode, &paths, opts, &mut out, &mut err).and_then(|s| out.flush().map(|()| s));
    match result {
        Ok(status) => ExitCode::from(status as u8),
        // A closed pipe (`esehdr mh x | head`) is not an error.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(err, "esehdr: cannot write the report: {e}");
            ExitCode::from(Status::Error as u8)
        }
    }
}
