//! Opening a recovery set from files: the log folder (stream enumeration and verification),
//! the checkpoint (start point and attachment list), the database header, and the pages the
//! logs touch (read by pgno, never the whole file). Every file is opened read-only.
//!
//! Sources: docs/log-records.md §5.1 (start: the checkpoint, else the lowest log),
//! docs/README.md §5 (checkpoint), §8 (file names), §7.3 (sequence checks, through
//! [`esehdr_format::log::stream::check_stream`]), docs/page-internals.md §1.2 (`dbtimeDirtied`
//! at page offset 8; page `pgno` at file offset `(pgno + 1) × page size`).

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use esehdr_format::checkpoint::{read_checkpoint, CHECKPOINT_FILE_SIZE};
use esehdr_format::log::content::verify_log_content;
use esehdr_format::log::header::{read_log_header, LgFileHeader, LogHeader, LOG_HEADER_SIZE};
use esehdr_format::log::names::{classify, enumerate, LogName};
use esehdr_format::log::stream::{check_stream, LogInput, Spares};
use esehdr_format::{read_database_header, DbFileHeader, Lgpos, DB_HEADER_READ_LEN};

use crate::driver::{folder_and_file, replay, InitialAttachment, LogItem, LogSource, SinkError, Start, Target};
use crate::errors::{CHECKPOINT_CORRUPT, MISSING_LOG_FILE};
use crate::recover::FilePages;
use crate::redo::{ApplySink, PageSource};
use crate::report::{ReplayError, Report, Verdict};

/// The largest log file read whole (v8 logs are at most a few MiB; this bounds a hostile size).
pub const MAX_LOG_FILE: u64 = 256 << 20;

/// What to dry-run.
#[derive(Debug, Clone, Default)]
pub struct DryRunOptions {
    /// The database (`None`: the logs' first CreateDB is the target).
    pub database: Option<PathBuf>,
    /// The log folder.
    pub logs: PathBuf,
    /// The system folder holding the checkpoint (default: the log folder).
    pub system: Option<PathBuf>,
    /// The stream's base name (default: the only stream in the log folder).
    pub base: Option<String>,
    /// Stop before this record, as `recover --until` does (`None`: the end of the logs).
    pub until: Option<Lgpos>,
}

/// Why a dry run could not be made (usage or I/O: exit 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SetupError {
    /// A file or folder could not be read.
    #[error("{path}: {source}")]
    Io {
        /// Which.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The inputs do not make a recovery set.
    #[error("{0}")]
    Usage(String),
    /// A page read failed during the replay.
    #[error("{0}")]
    Sink(#[from] SinkError),
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> SetupError + '_ {
    move |source| SetupError::Io { path: path.to_path_buf(), source }
}

/// Opens `path` read-only (on Windows shared for reading, writing and deletion, so a file held
/// by a running engine is not disturbed).
pub fn open_read_only(path: &Path) -> io::Result<File> {
    let mut o = std::fs::OpenOptions::new();
    o.read(true);
    #[cfg(windows)]
    {
        use std::os::windows::fs::OpenOptionsExt;
        o.share_mode(0x1 | 0x2 | 0x4);
    }
    o.open(path)
}

fn read_up_to(path: &Path, max: u64) -> Result<(Vec<u8>, u64), SetupError> {
    let file = open_read_only(path).map_err(io_err(path))?;
    let len = file.metadata().map_err(io_err(path))?.len();
    let mut buf = Vec::with_capacity(usize::try_from(len.min(max)).unwrap_or(0));
    file.take(max).read_to_end(&mut buf).map_err(io_err(path))?;
    Ok((buf, len))
}

fn list(dir: &Path) -> Result<Vec<String>, SetupError> {
    let mut names = Vec::new();
    for e in std::fs::read_dir(dir).map_err(io_err(dir))? {
        let e = e.map_err(io_err(dir))?;
        names.push(e.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    Ok(names)
}

/// The 3-character bases of the logs in a folder.
fn bases(names: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in names {
        let Some(base) = n.get(..3) else { continue };
        if matches!(classify(base, n), LogName::Archived { .. } | LogName::Current { .. })
            && !out.iter().any(|b| b.eq_ignore_ascii_case(base))
        {
            out.push(base.to_string());
        }
    }
    out
}

/// One log of the stream as read.
struct Log {
    name: String,
    generation: i32,
    header: LogHeader,
}

/// A recovery set opened for replay: the target, where replay starts and the logs to read
/// (shared by the dry run and the recovery on a copy, so both take the same decisions).
#[derive(Debug)]
pub(crate) struct Prepared {
    pub target: Target,
    pub start: Start,
    pub source: FileLogs,
    /// The database file, open read-only (absent: the logs create it).
    pub db_file: Option<File>,
    /// The database's page size (0 without a database).
    pub page_size: u64,
    /// The report's base name, database and start source.
    pub prefix: Report,
}

/// What [`prepare`] found: a set to replay, or a report that stops before replay (-543, a
/// damaged checkpoint).
#[derive(Debug)]
pub(crate) enum Setup {
    Replay(Box<Prepared>),
    Stopped(Box<Report>),
}

/// Where replay starts, shared by the dry run and `recover` (issue 12 item 4: the prediction
/// is what recovery does): a database not given, or given but absent, is created from the logs,
/// so replay starts at the lowest log whatever the checkpoint says (issue 11 item 4: the
/// CreateDB is in the stream's first generation); otherwise at the checkpoint, else the lowest
/// log (docs/log-records.md §5.1).
pub(crate) fn starts_from_lowest(opts: &DryRunOptions) -> bool {
    opts.database.as_ref().is_none_or(|p| matches!(std::fs::metadata(p), Err(e) if e.kind() == io::ErrorKind::NotFound))
}

/// Runs the dry run: what soft recovery would do with these files. The records are applied in
/// memory by the same redo engine as `recover` ([`ApplySink`], on the pages the logs touch, read
/// from the database file), then the transactions left open are rolled back, so a record the
/// pages refuse (-626, say) stops the dry run where it stops recovery, with the same counts
/// (issue 12 item 4). Nothing is written; memory follows the pages the logs touch.
pub fn dry_run(opts: &DryRunOptions) -> Result<Report, SetupError> {
    let p = match prepare(opts, starts_from_lowest(opts))? {
        Setup::Replay(p) => p,
        Setup::Stopped(r) => return Ok(*r),
    };
    let Prepared { target, start, mut source, db_file, page_size, prefix } = *p;
    let base = db_file
        .map(|f| FilePages::new(f, u32::try_from(page_size).unwrap_or(0)))
        .transpose()
        .map_err(|e| SetupError::Io { path: opts.database.clone().unwrap_or_default(), source: e })?;
    let base_ref: Option<&dyn PageSource> = base.as_ref().map(|b| b as &dyn PageSource);
    // Only a database the logs create takes its page size from the stream's header.
    let stream = if base.is_none() { crate::recover::stream_header(&opts.logs, opts.base.as_deref()) } else { None };
    let page_size = redo_page_size(base.is_some().then_some(page_size), stream.as_ref());
    let mut sink = ApplySink::new(usize::try_from(page_size).unwrap_or(4096), base_ref);
    let mut report = replay(&target, &start, &mut source, &mut sink, opts.until)?;
    if report.error.is_none() {
        // The undo phase, as `recover` runs it: a rollback esehdr refuses is the dry run's error.
        if let Err(e) = sink.rollback() {
            report.error = Some(e);
            report.verdict = Verdict::WouldFail;
        }
    }
    finish_report(report, prefix, opts)
}

/// The page size redo works with: the database's, or for a database the logs create, the
/// stream's (`stream`: the log header's `le_cbPageSize`, 0 read as 4096).
pub(crate) fn redo_page_size(db_page_size: Option<u64>, stream: Option<&LgFileHeader>) -> u64 {
    db_page_size.unwrap_or_else(|| {
        stream.map_or(4096, |h| if h.page_size_field == 0 { 4096 } else { u64::from(h.page_size_field) })
    })
}

/// The report of a replay, completed with what the setup knows.
pub(crate) fn finish_report(mut report: Report, prefix: Report, opts: &DryRunOptions) -> Result<Report, SetupError> {
    if opts.database.is_none() && !report.create && report.error.is_none() {
        return Err(SetupError::Usage(format!(
            "no database given, and the logs from {} on hold no CreateDB: name the database to check",
            prefix.start
        )));
    }
    report.base_name = prefix.base_name;
    if report.database.is_none() || opts.database.is_some() {
        report.database = prefix.database.or(report.database);
    }
    report.start_from = prefix.start_from;
    Ok(report)
}

/// Opens the set: the database header, the stream, the start and the logs to replay.
/// `from_lowest`: start at the lowest log whatever the checkpoint says (a database the logs
/// create is replayed from its first generation, issue 11 item 4).
pub(crate) fn prepare(opts: &DryRunOptions, from_lowest: bool) -> Result<Setup, SetupError> {
    // The database.
    let mut target = Target::default();
    let mut db_file = None;
    let mut page_size = 0u64;
    if let Some(path) = &opts.database {
        target.file_name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        match open_read_only(path) {
            Ok(_) => {
                let (head, _) = read_up_to(path, DB_HEADER_READ_LEN as u64)?;
                let db = read_database_header(&head)
                    .map_err(|e| SetupError::Usage(format!("{}: not a readable ESE database: {e}", path.display())))?;
                let header = db.header().cloned().ok_or_else(|| {
                    SetupError::Usage(format!("{}: neither database header copy is valid", path.display()))
                })?;
                page_size = u64::from(db.page_size);
                target.header = Some(header);
                db_file = Some(open_read_only(path).map_err(io_err(path))?);
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(SetupError::Io { path: path.clone(), source: e }),
        }
    }

    // The stream.
    let names = list(&opts.logs)?;
    let base = match &opts.base {
        Some(b) => b.clone(),
        None => {
            let found = bases(&names);
            match found.as_slice() {
                [] => {
                    return Err(SetupError::Usage(format!("no ESE log files in {}", opts.logs.display())));
                }
                [one] => one.clone(),
                many => pick_base(many, &names, &opts.logs, target.header.as_ref())?,
            }
        }
    };
    let e = enumerate(&base, names.iter().map(String::as_str));
    let mut logs: Vec<Log> = Vec::new();
    let mut inputs: Vec<LogInput> = Vec::new();
    let files = e.archived.iter().map(|(g, n)| (Some(*g), n.clone())).chain(e.current.clone().map(|c| (None, c)));
    for (name_generation, name) in files {
        let path = opts.logs.join(&name);
        let (bytes, len) = read_up_to(&path, MAX_LOG_FILE)?;
        let header = read_log_header(bytes.get(..LOG_HEADER_SIZE.min(bytes.len())).unwrap_or_default(), len);
        let (header, content) = match header {
            Ok(h) => {
                let content =
                    (h.checksum_valid() && len <= MAX_LOG_FILE).then(|| verify_log_content(&bytes, &h.header));
                (Ok(h), content)
            }
            Err(err) => (Err(err.to_string()), None),
        };
        if let Ok(h) = &header {
            logs.push(Log { name: name.clone(), generation: h.header.generation, header: h.clone() });
        }
        inputs.push(LogInput { file: name, name_generation, header, content });
    }
    if logs.is_empty() {
        return Err(SetupError::Usage(format!("no readable log of base {base} in {}", opts.logs.display())));
    }
    logs.sort_by_key(|l| l.generation);
    let present: Vec<i32> = logs.iter().map(|l| l.generation).collect();

    // The start: the checkpoint, else the lowest log (§5.1).
    let system = opts.system.as_ref().unwrap_or(&opts.logs);
    let checkpoint = if system == &opts.logs {
        e.checkpoints.first().map(|n| opts.logs.join(n))
    } else {
        let sys_names = list(system)?;
        let want = |ext: &str| format!("{base}.{ext}");
        sys_names
            .iter()
            .find(|n| n.eq_ignore_ascii_case(&want("jcp")))
            .or_else(|| sys_names.iter().find(|n| n.eq_ignore_ascii_case(&want("chk"))))
            .map(|n| system.join(n))
    };
    let lowest = logs.first().map(|l| &l.header.header);
    let stream_signature = inputs
        .iter()
        .filter_map(|i| i.header.as_ref().ok())
        .map(|h| h.header.log_signature)
        .max_by_key(|s| inputs.iter().filter(|i| i.header.as_ref().is_ok_and(|h| h.header.log_signature == *s)).count())
        .unwrap_or_default();
    let mut start = Start {
        lgpos: Lgpos::default(),
        whole_generation: false,
        attachments: Vec::new(),
        log_signature: stream_signature,
    };
    let mut report_prefix = Report { base_name: base.clone(), ..Report::default() };
    report_prefix.database = opts.database.as_ref().map(|p| p.display().to_string());
    let mut early: Option<ReplayError> = None;
    match checkpoint.as_ref().filter(|_| !from_lowest) {
        Some(path) => {
            let (buf, len) = read_up_to(path, CHECKPOINT_FILE_SIZE as u64)?;
            let c = read_checkpoint(&buf, len);
            match c.fields() {
                Some(f) if c.is_valid() => {
                    start.lgpos = f.checkpoint;
                    start.attachments = f.attached.iter().map(initial).collect();
                    report_prefix.start_from = format!("checkpoint {}", path.display());
                }
                _ => {
                    early = Some(ReplayError {
                        code: CHECKPOINT_CORRUPT.code,
                        name: CHECKPOINT_CORRUPT.name,
                        lgpos: None,
                        pgno: None,
                        message: format!(
                            "the checkpoint {} is damaged (without it recovery starts at the lowest log)",
                            path.display()
                        ),
                    })
                }
            }
        }
        None => {
            if let (Some(h), Some(l)) = (lowest, logs.first()) {
                start.lgpos = Lgpos { generation: h.generation, isec: h.header_sectors.max(1), ib: 0 };
                start.attachments = h.attached.iter().map(initial).collect();
                report_prefix.start_from = format!("lowest log {}", l.name);
            }
        }
    }
    // Several databases of this file name in the stream (CatRoot2's two `catdb`): the one whose
    // folder has the database's folder name is ours (driver::Target::dir_name).
    if let (Some(path), Some(name)) = (&opts.database, &target.file_name) {
        let dir = path.parent().and_then(Path::file_name).map(|d| d.to_string_lossy().into_owned());
        let listed = logs
            .iter()
            .flat_map(|l| l.header.header.attached.iter().map(|a| a.path.as_str()))
            .chain(start.attachments.iter().map(|a| a.path.as_str()))
            .map(folder_and_file)
            .filter(|(_, f)| f.eq_ignore_ascii_case(name))
            .collect::<Vec<_>>();
        if let Some(dir) = dir {
            let named = listed.iter().any(|(d, _)| d.eq_ignore_ascii_case(&dir));
            let others = listed.iter().any(|(d, _)| !d.eq_ignore_ascii_case(&dir));
            if named && others {
                target.dir_name = Some(dir);
            }
        }
    }
    start.whole_generation = logs
        .iter()
        .find(|l| l.generation == start.lgpos.generation)
        .is_some_and(|l| !l.header.header.is_segment_format());
    report_prefix.start = start.lgpos;
    report_prefix.end = start.lgpos;
    if let Some(u) = opts.until.filter(|u| *u < start.lgpos && early.is_none()) {
        return Err(SetupError::Usage(format!(
            "--until {u} is before the start of recovery, {} ({}): nothing would be replayed",
            start.lgpos, report_prefix.start_from
        )));
    }

    // -543 first: the generations the header requires.
    if early.is_none() {
        if let Some(h) = &target.header {
            early = crate::driver::required_logs_missing(h, &present);
        }
    }
    if let Some(err) = early {
        report_prefix.end = err.lgpos.unwrap_or(report_prefix.start);
        report_prefix.verdict = Verdict::WouldFail;
        report_prefix.error = Some(err);
        return Ok(Setup::Stopped(Box::new(report_prefix)));
    }

    // The stream from the start generation on, checked as `ml BASE` checks it.
    let from = start.lgpos.generation;
    let range_inputs: Vec<LogInput> = inputs
        .into_iter()
        .filter(|i| i.header.as_ref().map_or(true, |h| h.header.generation >= from) || i.name_generation.is_none())
        .collect();
    let stream = check_stream(&base, &opts.logs.display().to_string(), &range_inputs, &Spares::default(), true, None);
    let mut stops: HashMap<i32, ReplayError> = HashMap::new();
    for entry in &stream.logs {
        if let (Some(g), Some(p)) = (entry.generation, entry.problems.iter().find(|p| p.error.is_some())) {
            if let Some(err) = p.error {
                stops.entry(g).or_insert(ReplayError {
                    code: err.code,
                    name: err.name,
                    lgpos: Some(Lgpos { generation: g, isec: 0, ib: 0 }),
                    pgno: None,
                    message: format!("{}: {}", entry.file, p.message.replace('\n', " ")),
                });
            }
        }
    }
    let source = FileLogs {
        dir: opts.logs.clone(),
        order: logs.iter().filter(|l| l.generation >= from).map(|l| (l.generation, l.name.clone())).collect(),
        next: 0,
        expected: from,
        stops,
        current_missing: e.current.is_none().then(|| format!("{base}.{}", e.ext)),
        done: false,
    };
    Ok(Setup::Replay(Box::new(Prepared { target, start, source, db_file, page_size, prefix: report_prefix })))
}

fn initial(a: &esehdr_format::log::attach::AttachInfo) -> InitialAttachment {
    InitialAttachment {
        dbid: a.dbid,
        path: a.path.clone(),
        db_signature: a.db_signature,
        last_attach: a.last_attach,
        last_consistent: a.last_consistent,
    }
}

/// Several streams in one folder: the one whose logs carry the database's log signature.
fn pick_base(
    many: &[String],
    names: &[String],
    dir: &Path,
    header: Option<&DbFileHeader>,
) -> Result<String, SetupError> {
    if let Some(h) = header {
        for b in many {
            let e = enumerate(b, names.iter().map(String::as_str));
            let first = e.current.clone().or_else(|| e.archived.first().map(|(_, n)| n.clone()));
            if let Some(n) = first {
                let (bytes, len) = read_up_to(&dir.join(&n), LOG_HEADER_SIZE as u64)?;
                if read_log_header(&bytes, len).is_ok_and(|l| l.header.log_signature == h.log_signature) {
                    return Ok(b.clone());
                }
            }
        }
    }
    Err(SetupError::Usage(format!(
        "several log streams in {} ({}): name one with --base",
        dir.display(),
        many.join(", ")
    )))
}

/// The logs of the folder in generation order, with the stream's stops.
#[derive(Debug)]
pub(crate) struct FileLogs {
    dir: PathBuf,
    order: Vec<(i32, String)>,
    next: usize,
    expected: i32,
    stops: HashMap<i32, ReplayError>,
    current_missing: Option<String>,
    done: bool,
}

impl FileLogs {
    /// How many logs the stream hands out (at most).
    pub(crate) fn len(&self) -> usize {
        self.order.len()
    }
}

impl LogSource for FileLogs {
    fn next_log(&mut self) -> Option<LogItem> {
        if self.done {
            return None;
        }
        let Some((generation, name)) = self.order.get(self.next).cloned() else {
            self.done = true;
            return self.current_missing.take().map(|name| {
                LogItem::Stop(ReplayError {
                    code: MISSING_LOG_FILE.code,
                    name: MISSING_LOG_FILE.name,
                    lgpos: None,
                    pgno: None,
                    message: format!("the current log {name} is missing"),
                })
            });
        };
        let at = Lgpos { generation: self.expected, isec: 0, ib: 0 };
        if generation > self.expected {
            self.done = true;
            return Some(LogItem::Stop(ReplayError {
                code: MISSING_LOG_FILE.code,
                name: MISSING_LOG_FILE.name,
                lgpos: Some(at),
                pgno: None,
                message: format!("generation {:#x} is missing from the stream", self.expected),
            }));
        }
        if let Some(e) = self.stops.remove(&generation) {
            self.done = true;
            return Some(LogItem::Stop(e));
        }
        self.next += 1;
        self.expected = generation.saturating_add(1);
        let path = self.dir.join(&name);
        match read_up_to(&path, MAX_LOG_FILE) {
            Ok((bytes, _)) => Some(LogItem::Log { generation, bytes }),
            Err(e) => {
                self.done = true;
                Some(LogItem::Stop(ReplayError {
                    code: MISSING_LOG_FILE.code,
                    name: MISSING_LOG_FILE.name,
                    lgpos: Some(Lgpos { generation, isec: 0, ib: 0 }),
                    pgno: None,
                    message: format!("cannot read {name}: {e}"),
                }))
            }
        }
    }
}

/// Fills `buf` from `offset` (retrying short and interrupted reads); `Ok(false)` when the file
/// ends first.
pub(crate) fn read_full_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<bool> {
    let mut got = 0;
    while got < buf.len() {
        match read_at(file, buf.get_mut(got..).unwrap_or_default(), offset + got as u64) {
            Ok(0) => return Ok(false),
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

#[cfg(unix)]
pub(crate) fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

#[cfg(windows)]
pub(crate) fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}

#[cfg(not(any(unix, windows)))]
pub(crate) fn read_at(mut file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    use std::io::Seek;
    file.seek(io::SeekFrom::Start(offset))?;
    file.read(buf)
}
