//! The header a recovery writes for a database the logs create, against the header the engine
//! itself wrote: the first Server 2022 SRUM snapshot (`testdata/db/srum-server2022-clean.dat`, the
//! corpus' `APTSimulatorVM_SRUM_Clean_Server2022/SRU/SRUDB.dat`) and the logs that created it
//! (`testdata/logs/srum-server2022`, generations 1-2).
//!
//! The expected values are the engine's own bytes. Fields the logs cannot give are listed in
//! `NOT_DERIVABLE` with why; every other byte of the 748-byte `DBFILEHDR` must be equal.

use std::path::PathBuf;

use esehdr_format::{read_database_header, DbState, Lgpos};
use esehdr_recover::header::{created_header, finish_header, Finish};
use esehdr_recover::recover::creation_facts;

fn testdata(p: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata").join(p)
}

/// Byte ranges of `DBFILEHDR` (docs/format-database.md §1.2) the logs do not hold.
const NOT_DERIVABLE: &[(usize, usize, &str)] = &[
    (0x000, 4, "le_ulChecksum: follows the other fields"),
    (0x040, 8, "logtimeConsistent: the time of the detach (\"now\" at the end)"),
    (0x048, 8, "logtimeAttach: \"now\" at do-time; esehdr writes the creation time of the log holding the CreateDB"),
    (0x058, 8, "logtimeDetach: as logtimeConsistent"),
    (0x0D8, 16, "le_dwMajorVersion..le_lSPNumber: the writer's OS version (10.0.20348 SP 0), not logged"),
    (0x220, 8, "logtimeLastExtend: \"now\" at the ExtendDB; esehdr writes the attach time"),
    (0x248, 28, "signDbHdrFlush: a new random signature at each header write"),
    (0x264, 28, "signFlushMapHdrFlush: the .jfm flush map's, which esehdr neither reads nor writes (zeroed)"),
];

fn derivable(i: usize) -> bool {
    !NOT_DERIVABLE.iter().any(|(at, len, _)| (*at..at + len).contains(&i))
}

#[test]
fn created_and_finished_header_equals_the_engines() {
    let engine = std::fs::read(testdata("db/srum-server2022-clean.dat")).unwrap();
    let logs = vec![
        (1, std::fs::read(testdata("logs/srum-server2022/SRU00001.log")).unwrap()),
        (2, std::fs::read(testdata("logs/srum-server2022/SRU.log")).unwrap()),
    ];
    let (facts, consistent) = creation_facts(logs, None).expect("the logs hold a CreateDB");
    // The CreateDB record `>00000001,0001,0268 CreateDB (5,C:\Windows\system32\sru\SRUDB.dat,1)`,
    // the SetDbVersion `(dbid:1, DB ver:1568.180.400)`, one `ExtendDB [1:46]`, efv 9360.
    assert_eq!(facts.lgpos, Lgpos { generation: 1, isec: 1, ib: 0x268 });
    assert_eq!((facts.dbid, facts.page_size, facts.engine_efv, facts.extend_count), (1, 4096, 9360, 1));
    assert_eq!(facts.db_version, Some((0x620, 180, 400)));
    // The stream ends ShutDownMark (2,1,606), Term: the engine's Last Consistent.
    assert_eq!(consistent, Lgpos { generation: 2, isec: 1, ib: 0x606 });

    let mut page = created_header(&facts).unwrap();
    // dbtime and objid come from redo; the engine's values (457, 11) stand in for it here.
    let finish = Finish { dbtime: 457, objid_last: 11, consistent, now: Default::default(), flush_random: 0 };
    finish_header(&mut page, &finish).unwrap();

    let mut differing = Vec::new();
    for i in 0..748 {
        if derivable(i) && page[i] != engine[i] {
            differing.push(format!("{i:#05x}: esehdr {:#04x}, engine {:#04x}", page[i], engine[i]));
        }
    }
    assert!(differing.is_empty(), "header bytes differ:\n{}", differing.join("\n"));
    assert!(page[748..].iter().all(|&b| b == 0));

    let mut file = page.clone();
    file.extend_from_slice(&page);
    let db = read_database_header(&file).unwrap();
    assert!(db.is_valid(), "both copies validate");
    let h = db.header().unwrap();
    assert_eq!(h.state, DbState::CleanShutdown);
    assert_eq!(h.last_consistent.lgpos, consistent);
    assert_eq!(h.last_detach.lgpos, consistent);
    assert_eq!(h.last_resize, consistent);
    for (at, len, why) in NOT_DERIVABLE {
        eprintln!("not derivable from the logs: {at:#05x} ({len} bytes) {why}");
    }
}
