//! Log file names: which files of a folder belong to a log stream, and with which generation.
//!
//! Sources: docs/format-log.md §8 (file naming; how `eseutil /ml <base>` enumerates). Windows
//! file names are case-insensitive, so every comparison here is too.

use serde::Serialize;

/// What a file name says about a file, relative to a 3-character base name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum LogName {
    /// `<base><5 or 8 hex digits><ext>`: an archived log of that generation.
    Archived {
        /// The generation in the name.
        generation: u32,
        /// 5 or 8.
        digits: u8,
        /// `log` or `jtx`, lower-case.
        ext: &'static str,
    },
    /// `<base><ext>`: the current log (its generation is only in its header).
    Current {
        /// `log` or `jtx`, lower-case.
        ext: &'static str,
    },
    /// `<base>tmp.log`/`.jtx`: the temporary log, where the engine prepares the next log (and
    /// which may still hold a recycled older generation); never part of the stream.
    Temporary,
    /// `<base>res*.jrs`, `res1.log`, `res2.log`: reserve logs, never part of the stream.
    Reserve,
    /// `<base>.chk` / `<base>.jcp`.
    Checkpoint,
    /// Anything else.
    Unrelated,
}

/// Classifies `name` (a file name without directory) against `base` (3 characters).
pub fn classify(base: &str, name: &str) -> LogName {
    let eq = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    if eq(name, "res1.log") || eq(name, "res2.log") {
        return LogName::Reserve;
    }
    let rest = match name.get(..base.len()) {
        Some(prefix) if eq(prefix, base) => name.get(base.len()..).unwrap_or_default(),
        _ => return LogName::Unrelated,
    };
    let Some((stem, ext)) = rest.rsplit_once('.') else {
        return LogName::Unrelated;
    };
    let ext_is = |e: &str| eq(ext, e);
    let log_ext = ext_is("log") || ext_is("jtx");
    let lower_ext = || if ext_is("log") { "log" } else { "jtx" };
    if stem.is_empty() && log_ext {
        LogName::Current { ext: lower_ext() }
    } else if stem.is_empty() && (ext_is("chk") || ext_is("jcp")) {
        LogName::Checkpoint
    } else if eq(stem, "tmp") && log_ext {
        LogName::Temporary
    } else if ext_is("jrs") && stem.get(..3).is_some_and(|p| eq(p, "res")) {
        LogName::Reserve
    } else if log_ext && matches!(stem.len(), 5 | 8) && stem.bytes().all(|c| c.is_ascii_hexdigit()) {
        match u32::from_str_radix(stem, 16) {
            Ok(generation) => LogName::Archived { generation, digits: stem.len() as u8, ext: lower_ext() },
            Err(_) => LogName::Unrelated,
        }
    } else {
        LogName::Unrelated
    }
}

/// The name eseutil prints for generation `g`: `<base><g as 5 or 8 upper-case hex digits>.<ext>`.
pub fn archived_name(base: &str, generation: u32, digits: u8, ext: &str) -> String {
    if digits >= 8 || generation > 0xFFFFF {
        format!("{base}{generation:08X}.{ext}")
    } else {
        format!("{base}{generation:05X}.{ext}")
    }
}

/// One file of a folder as the stream sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The file name as found.
    pub name: String,
    /// What its name says.
    pub role: LogName,
}

/// The files of a folder that concern one base name, sorted the way eseutil visits them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Enumeration {
    /// The extension of the stream: `jtx` when any `.jtx` log exists, else `log`.
    pub ext: String,
    /// Archived logs of that extension, ascending generation (ties: 8-digit names first).
    pub archived: Vec<(u32, String)>,
    /// The current log `<base>.<ext>`, if present.
    pub current: Option<String>,
    /// The temporary log `<base>tmp.<ext>` (of the stream's extension when both exist).
    pub temporary: Option<String>,
    /// Reserve logs (`<base>res*.jrs`, `res1.log`, `res2.log`).
    pub reserve: Vec<String>,
    /// Logs of the other extension (not part of this stream's enumeration).
    pub other_extension: Vec<String>,
    /// The checkpoint files (`<base>.jcp`, `<base>.chk`), `.jcp` first.
    pub checkpoints: Vec<String>,
}

/// Enumerates a folder's file names for `base`: `.jtx` logs if there are any, else `.log`
/// (docs/format-log.md §8), archived ones by generation, then the current log.
pub fn enumerate<'a>(base: &str, names: impl IntoIterator<Item = &'a str>) -> Enumeration {
    let members: Vec<Member> =
        names.into_iter().map(|n| Member { name: n.to_string(), role: classify(base, n) }).collect();
    let has_jtx = members.iter().any(|m| match &m.role {
        LogName::Archived { ext, .. } | LogName::Current { ext } => *ext == "jtx",
        _ => false,
    });
    let ext = if has_jtx { "jtx" } else { "log" };
    let mut e = Enumeration { ext: ext.to_string(), ..Enumeration::default() };
    let mut archived: Vec<(u32, u8, String)> = Vec::new();
    for m in members {
        match m.role {
            LogName::Archived { generation, digits, ext: x } if x == ext => archived.push((generation, digits, m.name)),
            LogName::Current { ext: x } if x == ext => e.current = Some(m.name),
            LogName::Archived { .. } | LogName::Current { .. } => e.other_extension.push(m.name),
            LogName::Temporary => {
                let of_ext = m.name.to_ascii_lowercase().ends_with(&format!(".{ext}"));
                if e.temporary.is_none() || of_ext {
                    e.temporary = Some(m.name);
                }
            }
            LogName::Reserve => e.reserve.push(m.name),
            LogName::Checkpoint => e.checkpoints.push(m.name),
            LogName::Unrelated => {}
        }
    }
    archived.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
    e.archived = archived.into_iter().map(|(g, _, n)| (g, n)).collect();
    e.reserve.sort();
    e.other_extension.sort();
    e.checkpoints.sort_by_key(|n| (!n.to_ascii_lowercase().ends_with(".jcp"), n.clone()));
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_names_case_insensitively() {
        assert_eq!(classify("E00", "E0000005.log"), LogName::Archived { generation: 5, digits: 5, ext: "log" });
        assert_eq!(classify("E00", "e000000001a.LOG"), LogName::Archived { generation: 0x1A, digits: 8, ext: "log" });
        assert_eq!(classify("E00", "E0000a1b.jtx"), LogName::Archived { generation: 0xA1B, digits: 5, ext: "jtx" });
        assert_eq!(classify("E00", "E00.log"), LogName::Current { ext: "log" });
        assert_eq!(classify("edb", "EDB.JTX"), LogName::Current { ext: "jtx" });
        assert_eq!(classify("E00", "E00tmp.log"), LogName::Temporary);
        assert_eq!(classify("SRU", "srutmp.JTX"), LogName::Temporary);
        assert_eq!(classify("E00", "E00res00001.jrs"), LogName::Reserve);
        assert_eq!(classify("E00", "RES2.LOG"), LogName::Reserve);
        assert_eq!(classify("E00", "E00.chk"), LogName::Checkpoint);
        assert_eq!(classify("E00", "E000001.log"), LogName::Unrelated, "6 digits");
        assert_eq!(classify("E00", "E000000G.log"), LogName::Unrelated);
        assert_eq!(classify("E00", "E01000001.log"), LogName::Unrelated);
        assert_eq!(classify("E00", "E00"), LogName::Unrelated);
        assert_eq!(classify("E00", "É00.log"), LogName::Unrelated);
    }

    #[test]
    fn enumerates_in_generation_order_with_the_current_log_apart() {
        let names = [
            "E00.log",
            "E0000003.log",
            "E0000000001.log",
            "e0000002.LOG",
            "E00tmp.log",
            "E00.chk",
            "priv1.edb",
            "res1.log",
        ];
        let e = enumerate("E00", names);
        assert_eq!(e.ext, "log");
        assert_eq!(
            e.archived,
            vec![(1, "E0000000001.log".into()), (2, "e0000002.LOG".into()), (3, "E0000003.log".into())]
        );
        assert_eq!(e.current.as_deref(), Some("E00.log"));
        assert_eq!(e.temporary.as_deref(), Some("E00tmp.log"));
        assert_eq!(e.reserve, vec!["res1.log".to_string()]);
        assert_eq!(e.checkpoints, vec!["E00.chk".to_string()]);
    }

    #[test]
    fn jtx_wins_over_log() {
        let e = enumerate("USS", ["USS00040.jtx", "USS00041.jtx", "USS.jtx", "USS0003F.log"]);
        assert_eq!(e.ext, "jtx");
        assert_eq!(e.archived.len(), 2);
        assert_eq!(e.other_extension, vec!["USS0003F.log".to_string()]);
    }

    #[test]
    fn names_print_like_eseutil() {
        assert_eq!(archived_name("E00", 0x1A, 5, "log"), "E000001A.log");
        assert_eq!(archived_name("E00", 0x1A, 8, "log"), "E000000001A.log");
        assert_eq!(archived_name("E00", 0x100000, 5, "log"), "E0000100000.log");
    }
}
