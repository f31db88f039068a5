//! No input makes the planner panic, on the stable toolchain: every input committed under
//! `fuzz/artifacts/plan/` is replayed, and proptest feeds arbitrary bytes to the same body.

use proptest::prelude::*;

#[test]
fn fuzz_artifacts_do_not_panic() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/artifacts/plan");
    assert!(dir.is_dir(), "{} is missing", dir.display());
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().is_some_and(|n| n != ".gitkeep") {
            let _ = esehdr_plan::fuzzing::plan_bytes(&std::fs::read(&path).unwrap());
        }
    }
}

proptest! {
    #[test]
    fn arbitrary_streams_do_not_panic(data in proptest::collection::vec(any::<u8>(), 0..400)) {
        let plan = esehdr_plan::fuzzing::plan_bytes(&data).unwrap();
        // Deletable logs are never the current log (R3).
        prop_assert!(plan.deletable_logs.iter().all(|f| !f.ends_with("E00.log")));
        // No point-in-time action deletes, moves or renames a log or the checkpoint (R6).
        for &i in &plan.verdicts.point_in_time.actions {
            let kind = plan.actions[i].action;
            prop_assert!(!matches!(
                kind,
                esehdr_plan::ActionKind::Delete
                    | esehdr_plan::ActionKind::MoveOut
                    | esehdr_plan::ActionKind::Rename
                    | esehdr_plan::ActionKind::RemoveForeignLog
            ), "point-in-time action {:?}", plan.actions[i]);
        }
    }
}
