//! `esehdr recover --dry-run`: exit codes, the JSON contract of issue 10 and the text report, on
//! real SRUM sets of `../shared/corpus` copied into temporary folders. The figures come from
//! `testdata/expected-recover.tsv` (the Python oracle `testdata/derive-expected-recover.py`).

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

const SRUM: &str = "AndrewRathbun-DFIRArtifactMuseum/Windows/SRUM/";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn corpus() -> Option<PathBuf> {
    let dir = repo().join("../shared/corpus");
    if dir.join("PROVENANCE.md").is_file() {
        return Some(dir);
    }
    assert!(std::env::var_os("CI").is_none(), "CI is set but {} is missing", dir.display());
    None
}

fn oracle(set: &str) -> HashMap<String, String> {
    let text = std::fs::read_to_string(repo().join("testdata/expected-recover.tsv")).unwrap();
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().unwrap().split('\t').collect();
    lines
        .map(|l| head.iter().zip(l.split('\t')).map(|(k, v)| (k.to_string(), v.to_string())).collect())
        .find(|row: &HashMap<String, String>| row["set"] == set)
        .unwrap()
}

struct Dir(PathBuf);

impl Dir {
    fn copy(name: &str, src: &Path, files: &[&str]) -> Dir {
        let dir = std::env::temp_dir().join(format!("esehdr-cli-recover-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for f in files {
            std::fs::copy(src.join(f), dir.join(f)).unwrap();
        }
        Dir(dir)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `esehdr recover ARGS`: (exit code, stdout, stderr).
fn run(args: &[&std::ffi::OsStr]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_esehdr")).arg("recover").args(args).output().unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

fn keys(v: &serde_json::Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

fn set_of(k: &[&str]) -> BTreeSet<String> {
    k.iter().map(|s| s.to_string()).collect()
}

fn assert_lgpos(v: &serde_json::Value) {
    assert_eq!(keys(v), set_of(&["generation", "sector", "offset"]), "{v}");
}

const BELK: &[&str] =
    &["SRU.chk", "SRU.log", "SRU0004E.log", "SRU0004F.log", "SRU00050.log", "SRU00051.log", "SRUDB.dat"];

#[test]
fn belkasoft_dirty_would_succeed_and_the_json_contract_holds() {
    let Some(c) = corpus() else { return };
    let d = Dir::copy("belk", &c.join(SRUM).join("Win10/BelkasoftCTF_InsiderThreat/Dirty"), BELK);
    let db = d.0.join("SRUDB.dat");
    let before: Vec<Vec<u8>> = BELK.iter().map(|f| std::fs::read(d.0.join(f)).unwrap()).collect();
    let (code, text, _) =
        run(&[db.as_os_str(), "--logs".as_ref(), d.0.as_os_str(), "--dry-run".as_ref(), "--nologo".as_ref()]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("  Start: (0x51,9,0) (checkpoint "), "{text}");
    assert!(text.contains("    dbid 1 at (0x51,A,268): attach ("), "{text}");
    assert!(
        text.contains("  Verdict: recovery would succeed: no page record of this database follows its attach"),
        "{text}"
    );

    let (code, json, _) =
        run(&[db.as_os_str(), "--logs".as_ref(), d.0.as_os_str(), "--dry-run".as_ref(), "--json".as_ref()]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        keys(&v),
        set_of(&[
            "database",
            "base_name",
            "start",
            "end",
            "create",
            "verdict",
            "error",
            "attach",
            "apply",
            "already_on_disk",
            "rollback"
        ])
    );
    assert_lgpos(&v["start"]);
    assert_lgpos(&v["end"]);
    assert_eq!(keys(&v["apply"]), set_of(&["records", "pages", "by_type", "macros"]));
    assert_eq!(keys(&v["rollback"]), set_of(&["transactions", "records"]));
    assert_eq!(keys(&v["attach"][0]), set_of(&["dbid", "lgpos", "decision", "reason"]));
    assert_lgpos(&v["attach"][0]["lgpos"]);
    let row = oracle("win10-belkasoft-dirty");
    assert_eq!(v["verdict"], row["verdict"].as_str());
    assert_eq!(v["error"], serde_json::Value::Null);
    assert_eq!(v["base_name"], "SRU");
    assert_eq!(v["attach"][0]["decision"], "attach");
    assert_eq!(v["apply"]["records"].to_string(), row["apply_records"]);
    assert_eq!(v["already_on_disk"].to_string(), row["already_on_disk"]);
    let after: Vec<Vec<u8>> = BELK.iter().map(|f| std::fs::read(d.0.join(f)).unwrap()).collect();
    assert!(before == after, "the inputs are only read");

    // Without its required log: exit 1, -543 with its error object.
    std::fs::remove_file(d.0.join("SRU00051.log")).unwrap();
    let (code, json, _) =
        run(&[db.as_os_str(), "--logs".as_ref(), d.0.as_os_str(), "--dry-run".as_ref(), "--json".as_ref()]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["verdict"], "would_fail");
    assert_eq!(keys(&v["error"]), set_of(&["code", "name", "lgpos", "pgno", "message"]));
    assert_eq!(v["error"]["code"], -543);
    assert_eq!(v["error"]["name"], "JET_errRequiredLogFilesMissing");
    assert_lgpos(&v["error"]["lgpos"]);
    assert_eq!(v["error"]["pgno"], serde_json::Value::Null);
    let (_, text, _) =
        run(&[db.as_os_str(), "--logs".as_ref(), d.0.as_os_str(), "--dry-run".as_ref(), "--nologo".as_ref()]);
    assert!(
        text.contains("  Verdict: recovery would fail with -543 (JET_errRequiredLogFilesMissing) at (0x51,0,0)"),
        "{text}"
    );
}

#[test]
fn server2022_without_its_database_would_create_it() {
    let Some(c) = corpus() else { return };
    let src = c.join(SRUM).join("Server2022/APTSimulatorVM/APTSimulatorVM_SRUM_Clean_Server2022/SRU");
    let d = Dir::copy("s22", &src, &["SRU00001.log", "SRU.log"]);
    let (code, json, _) = run(&["--logs".as_ref(), d.0.as_os_str(), "--dry-run".as_ref(), "--json".as_ref()]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let row = oracle("server2022-create");
    assert_eq!(v["create"], true);
    assert_eq!(v["apply"]["records"].to_string(), row["apply_records"]);
    assert_eq!(v["apply"]["pages"].to_string(), row["apply_pages"]);
    assert_eq!(v["apply"]["macros"].to_string(), row["macros"]);
    let by_type: Vec<String> =
        v["apply"]["by_type"].as_object().unwrap().iter().map(|(k, n)| format!("{k}={n}")).collect();
    assert_eq!(by_type.join(","), row["apply_by_type"]);
    let (_, text, _) = run(&["--logs".as_ref(), d.0.as_os_str(), "--dry-run".as_ref(), "--nologo".as_ref()]);
    assert!(text.contains("  The database is absent: recovery would create it from the logs"), "{text}");
    assert!(
        text.contains(&format!("recovery would create the database and apply {} records", row["apply_records"])),
        "{text}"
    );
}

#[test]
fn usage_and_io_errors_exit_2() {
    let logs = repo().join("testdata/logs/srum-server2022");
    let (code, out, err) = run(&["--logs".as_ref(), logs.as_os_str()]);
    assert_eq!((code, out.as_str()), (2, ""));
    // Without --dry-run, recovery on a copy needs --out (crates/cli/tests/recover_copy.rs).
    assert!(err.contains("give --out COPY"), "{err}");
    let missing = repo().join("testdata/no-such-folder");
    let (code, _, err) = run(&["--logs".as_ref(), missing.as_os_str(), "--dry-run".as_ref()]);
    assert_eq!(code, 2);
    assert!(err.contains("no-such-folder"), "{err}");
    let (code, _, _) = run(&["--dry-run".as_ref()]);
    assert_eq!(code, 2, "--logs is required");
    // No database: the dry run starts where recover does, at the lowest log (the checkpoint of
    // this sample is past the CreateDB), and predicts the creation (recover_scenarios.rs).
    let (code, out, err) = run(&["--logs".as_ref(), logs.as_os_str(), "--dry-run".as_ref()]);
    assert_eq!(code, 0, "{out}{err}");
}

/// CatRoot2 keeps two databases named `catdb`, one per GUID folder, in one log stream
/// (`edb*.log` of the Windows 2003 corpus set). The stream's AttachDB records of generation 0x83
/// name `{F750E6C3-...}\catdb` with that database's signature (Rand 79816 in both, `ml --records`
/// and `mh`), never the other one; the log headers' attachment lists name both folders. So the
/// `{127D0A1D-...}` database (Clean Shutdown, detached at (0x83,2A,12C)) is named by no replayed
/// attachment: recovery leaves it as it is. It was once matched by file name alone and predicted
/// -1216. The `{F750E6C3-...}` one is deferred at both attachments (its Last Consistent,
/// (0x83,2F,7B), is later: ConsistentFuture), which ends without error.
#[test]
fn catroot2_two_catdb_files_are_told_apart_by_their_folder() {
    let Some(c) = corpus() else { return };
    let dir = c.join("itdaniher-08673BEB64A2AFC69D33B9FB03ECD0833856E6D4/WINDOWS/system32/CatRoot2");
    let dry = |guid: &str| {
        let db = dir.join(guid).join("catdb");
        let (code, stdout, stderr) = run(&[
            std::ffi::OsStr::new("--dry-run"),
            db.as_os_str(),
            std::ffi::OsStr::new("--logs"),
            dir.as_os_str(),
            std::ffi::OsStr::new("--json"),
        ]);
        (code, serde_json::from_str::<serde_json::Value>(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}{stderr}")))
    };
    let (code, j) = dry("{127D0A1D-4EF2-11D1-8608-00C04FC295EE}");
    assert_eq!(code, 0, "{j}");
    assert_eq!(j["verdict"], "would_succeed", "{j}");
    assert_eq!(j["attach"], serde_json::json!([]), "{j}");
    assert_eq!(j["apply"]["records"], 0);

    let (code, j) = dry("{F750E6C3-38EE-11D1-85E5-00C04FC295EE}");
    assert_eq!(code, 0, "{j}");
    assert_eq!(j["verdict"], "would_succeed", "{j}");
    let at: Vec<String> = j["attach"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            format!(
                "{}@{},{},{}={}",
                a["dbid"],
                a["lgpos"]["generation"],
                a["lgpos"]["sector"],
                a["lgpos"]["offset"],
                a["decision"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(at, ["1@131,44,63=defer", "1@131,46,464=defer"], "{j}");
}

/// `--until` on the Belkasoft Dirty SRUM set (checkpoint at (0x51,9,0); the database's header:
/// Last Attach (0x51,A,268), Log Required 0x51-0x51, read with `esehdr mh`): a point before the
/// checkpoint replays nothing (usage error, exit 2, in the dry run and in recovery alike); a point
/// before the database's last attach leaves it Dirty Shutdown (-550), said as such.
#[test]
fn until_before_the_start_or_the_last_attach_is_explained() {
    let Some(c) = corpus() else { return };
    let d = c.join(SRUM).join("Win10/BelkasoftCTF_InsiderThreat/Dirty");
    let db = d.join("SRUDB.dat");
    let os = std::ffi::OsStr::new;
    let (code, stdout, stderr) = run(&[
        os("--dry-run"),
        db.as_os_str(),
        os("--logs"),
        d.as_os_str(),
        os("--until"),
        os("0x51,8,0"),
        os("--json"),
    ]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("--until (0x51,8,0) is before the start of recovery, (0x51,9,0) (checkpoint"), "{stderr}");
    let (code, stdout, stderr) = run(&[
        os("--dry-run"),
        db.as_os_str(),
        os("--logs"),
        d.as_os_str(),
        os("--until"),
        os("0x51,A,0"),
        os("--json"),
    ]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    let j: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(j["error"]["code"], -550);
    assert_eq!(j["error"]["lgpos"], serde_json::json!({"generation": 0x51, "sector": 10, "offset": 0}));
    assert!(
        j["error"]["message"].as_str().unwrap().contains("last attached at (0x51,A,268), after --until (0x51,A,0)"),
        "{j}"
    );
}
