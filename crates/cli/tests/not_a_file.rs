//! Inputs that are not files: a FIFO, a character device (`/dev/zero`, `/dev/null`), a socket and
//! a directory get one line saying what they are, at once, with exit code 2, from every command
//! that opens files. Each run has a time limit, so a regression that blocks (opening a FIFO for
//! reading waits for a writer) fails here instead of hanging the test run.
#![cfg(unix)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Far above what a refusal takes; the limit only exists so that a hang fails.
const LIMIT: Duration = Duration::from_secs(20);

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    took: Duration,
}

/// Runs esehdr in `dir`; kills it and fails if it has not finished within [`LIMIT`].
fn esehdr_in(dir: &Path, args: &[&str]) -> Run {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_esehdr"))
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("esehdr {args:?} did not return within {LIMIT:?}: it blocks");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let (mut stdout, mut stderr) = (String::new(), String::new());
    child.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    Run { code: status.code(), stdout, stderr, took: started.elapsed() }
}

/// A fresh, empty scratch folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("esehdr-not-a-file-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo").arg(path).status().unwrap().success();
    assert!(ok, "mkfifo {}", path.display());
}

/// Every command that opens the file refuses it with exactly one stderr line naming `what`.
fn refused_by_every_command(dir: &Path, file: &str, what: &str) {
    for args in [
        vec!["mh", file],
        vec!["ml", file],
        vec!["mk", file],
        vec!["k", file],
        vec![file],
        vec!["/mh", file],
        vec!["--json", "mh", file],
        vec!["plan", file],
        vec!["plan", "--db", file],
    ] {
        let run = esehdr_in(dir, &args);
        let want = format!("esehdr: {file}: is {what}, not a file;");
        assert_eq!(run.code, Some(2), "{args:?}: {}", run.stderr);
        let lines: Vec<&str> = run.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{args:?}: one line, got {:?}", run.stderr);
        assert!(lines[0].starts_with(&want), "{args:?}: {:?} should start with {want:?}", lines[0]);
        assert!(!run.stderr.contains("empty"), "{args:?}: {}", run.stderr);
        assert!(run.took < Duration::from_secs(5), "{args:?} took {:?}", run.took);
        if args[0] == "--json" {
            let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
            assert_eq!(v["kind"], "unreadable", "{}", run.stdout);
            assert!(v["reason"].as_str().unwrap().starts_with(&format!("is {what}, not a file")), "{}", run.stdout);
        }
    }
}

#[test]
fn a_fifo_is_refused_at_once_by_every_command() {
    let dir = scratch("fifo");
    mkfifo(&dir.join("pipe"));
    refused_by_every_command(&dir, "pipe", "a FIFO (named pipe)");
    // With a name of its kind too: sniffing by name must not come first.
    mkfifo(&dir.join("E00.chk"));
    refused_by_every_command(&dir, "E00.chk", "a FIFO (named pipe)");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn dev_zero_and_dev_null_are_character_devices_not_empty_files() {
    let dir = scratch("dev");
    refused_by_every_command(&dir, "/dev/zero", "a character device");
    refused_by_every_command(&dir, "/dev/null", "a character device");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_socket_is_refused() {
    let dir = scratch("socket");
    let _listener = std::os::unix::net::UnixListener::bind(dir.join("sock")).unwrap();
    refused_by_every_command(&dir, "sock", "a socket");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_directory_where_a_file_is_expected_says_so() {
    let dir = scratch("dir");
    std::fs::create_dir(dir.join("logs")).unwrap();
    for args in [vec!["mh", "logs"], vec!["ml", "logs"], vec!["mk", "logs"], vec!["k", "logs"], vec!["logs"]] {
        let run = esehdr_in(&dir, &args);
        assert_eq!(run.code, Some(2), "{args:?}: {}", run.stderr);
        assert_eq!(run.stderr.lines().count(), 1, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.starts_with("esehdr: logs: is a directory, not a file;")
                && run.stderr.contains("esehdr plan DIR"),
            "{args:?}: {}",
            run.stderr
        );
    }
    // plan reads folders: an empty one is no error of this kind.
    let run = esehdr_in(&dir, &["plan", "logs"]);
    assert!(!run.stderr.contains("not a file"), "{}", run.stderr);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A FIFO among the logs of a stream: `ml BASE` and `k BASE` open the logs by name without a
/// `stat` first; the non-blocking open and the check of the opened file keep them from waiting.
#[test]
fn a_fifo_among_the_logs_of_a_stream_is_named_and_does_not_block() {
    let dir = scratch("stream");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/logs/srum-server2022");
    for name in ["SRU00001.log", "SRU.chk"] {
        std::fs::copy(src.join(name), dir.join(name)).unwrap();
    }
    mkfifo(&dir.join("SRU.log"));
    for args in [vec!["ml", "SRU"], vec!["k", "SRU"], vec!["ml", "SRU00001.log"], vec!["plan", "."]] {
        let run = esehdr_in(&dir, &args);
        assert!(run.took < Duration::from_secs(5), "{args:?} took {:?}", run.took);
        if args[1] == "SRU" {
            assert_eq!(run.code, Some(1), "{args:?}: {}{}", run.stdout, run.stderr);
            assert!(
                run.stdout.contains("SRU.log") && run.stdout.contains("is a FIFO (named pipe), not a file"),
                "{args:?}: {}",
                run.stdout
            );
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
