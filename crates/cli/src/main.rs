//! `esehdr`: inspect ESE database, log and checkpoint headers, like `eseutil /mh /ml /mk`.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use esehdr::{run_mh, MhArgs, Status};

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
    /// Files to inspect when no mode is given (databases get the `mh` report).
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
}

/// eseutil spells modes `/mh`, `/ml`, `/mk`, `/k`; accept them as the first argument.
fn eseutil_style(args: impl Iterator<Item = std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    args.enumerate()
        .map(|(i, a)| match (i, a.to_str()) {
            (1, Some(s))
                if matches!(
                    s.to_ascii_lowercase().as_str(),
                    "/mh" | "/ml" | "/mk" | "/k"
                ) =>
            {
                s[1..].to_ascii_lowercase().into()
            }
            _ => a,
        })
        .collect()
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse_from(eseutil_style(std::env::args_os())) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                Status::Error as u8
            } else {
                0
            });
        }
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut err = io::stderr();
    let (files, fail_if_dirty) = match &cli.mode {
        Some(Mode::Mh {
            files,
            fail_if_dirty,
        }) => (files.clone(), *fail_if_dirty),
        None if cli.files.is_empty() => {
            let _ = writeln!(
                err,
                "esehdr: no file given; try 'esehdr mh FILE' or 'esehdr --help'"
            );
            return ExitCode::from(Status::Error as u8);
        }
        None => (cli.files.clone(), false),
    };
    let paths: Vec<&std::path::Path> = files.iter().map(PathBuf::as_path).collect();
    let args = MhArgs {
        verbose: cli.common.verbose,
        json: cli.common.json,
        fail_if_dirty,
        nologo: cli.common.nologo,
    };
    let result = run_mh(&paths, args, &mut out, &mut err).and_then(|s| out.flush().map(|()| s));
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
