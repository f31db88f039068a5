//! Redo throughput on the corpus logs: re-creating the Server 2022 SRUM database from its
//! logs (generations 1-5, ../shared/corpus; generation 2 from the second snapshot's
//! `SRUtmp.log`) with the replay driver and the applying sink, from nothing. Two views of the
//! same run: records applied per second, and log bytes per second (the five 64 KiB files).
//!
//! Run: `cargo bench -p esehdr-benches --bench redo -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use esehdr_format::log::header::read_log_header;
use esehdr_format::Lgpos;
use esehdr_recover::driver::{replay, LogItem, LogSource, Start, Target};
use esehdr_recover::redo::{ApplySink, RedoOutcome};

struct Logs<I>(I);

impl<I: Iterator<Item = (i32, Vec<u8>)>> LogSource for Logs<I> {
    fn next_log(&mut self) -> Option<LogItem> {
        self.0.next().map(|(generation, bytes)| LogItem::Log { generation, bytes })
    }
}

fn logs() -> Vec<(i32, Vec<u8>)> {
    let c = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus/AndrewRathbun-DFIRArtifactMuseum/Windows/SRUM/Server2022/APTSimulatorVM");
    let a = c.join("APTSimulatorVM_SRUM_Clean_Server2022/SRU");
    let b = c.join("APTSimulatorVM_SRUM_Clean_Server2022_1DayLater/SRU");
    let files = [
        (1, a.join("SRU00001.log")),
        (2, b.join("SRUtmp.log")),
        (3, b.join("SRU00003.log")),
        (4, b.join("SRU00004.log")),
        (5, b.join("SRU.log")),
    ];
    files.into_iter().map(|(g, p)| (g, std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))).collect()
}

fn recreate(logs: &[(i32, Vec<u8>)]) -> RedoOutcome {
    let (_, first) = &logs[0];
    let h = read_log_header(first, first.len() as u64).unwrap().header;
    let start = Start {
        lgpos: Lgpos { generation: 1, isec: h.header_sectors.max(1), ib: 0 },
        whole_generation: false,
        attachments: Vec::new(),
        log_signature: h.log_signature,
    };
    let mut sink = ApplySink::new(4096, None);
    let report = replay(&Target::default(), &start, &mut Logs(logs.iter().cloned()), &mut sink, None).unwrap();
    assert!(report.error.is_none(), "{:?}", report.error);
    sink.into_outcome()
}

fn redo(c: &mut Criterion) {
    let logs = logs();
    let once = recreate(&logs);
    let bytes: u64 = logs.iter().map(|(_, b)| b.len() as u64).sum();
    let mut g = c.benchmark_group("redo");
    g.throughput(Throughput::Elements(once.records_applied));
    g.bench_function(format!("records applied srum-server2022 gens 1-5 ({} records)", once.records_applied), |b| {
        b.iter(|| black_box(recreate(black_box(&logs))))
    });
    g.throughput(Throughput::Bytes(bytes));
    g.bench_function("log bytes srum-server2022 gens 1-5 (5 x 64 KiB)", |b| {
        b.iter(|| black_box(recreate(black_box(&logs))))
    });
    g.finish();
}

criterion_group!(benches, redo);
criterion_main!(benches);
