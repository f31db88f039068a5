//! `esehdr mh`: the database header dump of `eseutil /mh` (docs/output.md §10.2), and its JSON.

use std::io::{self, Write};
use std::time::Duration;

use esehdr_format::db::header::{Backup, Counter, DbFileHeader};
use esehdr_format::db::{Copy, CopyStatus, DatabaseHeader, HeaderCopy};
use esehdr_format::LgposTime;

use crate::frame::{footer, DATABASE_CORRUPTED};

/// Options of the text report.
#[derive(Debug, Clone, Copy, Default)]
pub struct MhOptions {
    /// Print both header copies (`-v`), and damaged copies too.
    pub verbose: bool,
}

/// Writes `Initiating FILE DUMP mode...` through the closing `Operation ...` line for one
/// database. Returns whether a valid header copy was found (else the frame ends with -1206).
pub fn render_text(
    w: &mut dyn Write,
    path: &str,
    db: &DatabaseHeader,
    opts: MhOptions,
    elapsed: Duration,
) -> io::Result<bool> {
    writeln!(w, "Initiating FILE DUMP mode...")?;
    writeln!(w, "         Database: {path}")?;
    writeln!(w)?;

    let copies: Vec<&HeaderCopy> =
        if opts.verbose { vec![&db.primary, &db.shadow] } else { db.used.map(|c| db.copy(c)).into_iter().collect() };
    for copy in copies {
        write_copy(w, copy)?;
    }

    let warnings = warning_lines(db);
    if !warnings.is_empty() {
        writeln!(w)?;
        for line in warnings {
            writeln!(w, "{line}")?;
        }
    }
    let valid = db.is_valid();
    footer(w, (!valid).then_some(DATABASE_CORRUPTED), elapsed)?;
    Ok(valid)
}

/// One `DATABASE HEADER:` / `DATABASE SHADOW HEADER:` block.
fn write_copy(w: &mut dyn Write, copy: &HeaderCopy) -> io::Result<()> {
    writeln!(w)?;
    writeln!(w, "{}", if copy.which == Copy::Primary { "DATABASE HEADER:" } else { "DATABASE SHADOW HEADER:" })?;
    let Some(h) = copy.header.as_ref() else {
        writeln!(
            w,
            "(not available: the copy at offset {:#x} needs {} bytes, the file holds {} of them)",
            copy.offset, copy.size, copy.present
        )?;
        return Ok(());
    };
    writeln!(w, "Checksum Information:")?;
    writeln!(w, "Expected Checksum: 0x{:08x}", copy.stored_checksum.unwrap_or_default())?;
    match copy.computed_checksum {
        Some(c) => writeln!(w, "  Actual Checksum: 0x{c:08x}")?,
        None => writeln!(w, "  Actual Checksum: (copy truncated: {} of {} bytes)", copy.present, copy.size)?,
    }
    writeln!(w)?;
    write_fields(w, h)
}

fn gen_hex(g: i32) -> String {
    format!("{} (0x{:x})", g as u32, g as u32)
}

fn lgpos_time(p: &LgposTime) -> String {
    format!("{}  {}", p.lgpos.eseutil(), p.time.eseutil())
}

/// The `Fields:` part, label for label as `ErrDUMPHeaderStandard` prints it.
fn write_fields(w: &mut dyn Write, h: &DbFileHeader) -> io::Result<()> {
    let v = &h.format_version;
    writeln!(w, "Fields:")?;
    writeln!(w, "        File Type: {}", if h.attrib == 0 { "Database" } else { "UNKNOWN" })?;
    writeln!(w, "         Checksum: 0x{:x}", h.checksum)?;
    writeln!(w, "   Format ulMagic: 0x{:x}", h.magic)?;
    writeln!(w, "   Engine ulMagic: 0x89abcdef")?;
    writeln!(
        w,
        " Format ulVersion: 0x{:x},{},{}  (attached by {})",
        v.major, v.update_major as i32, v.update_minor as i32, v.attached_by_efv as i32
    )?;
    // esehdr is not an engine: it reads every 0x620 header; the line is kept for the layout.
    writeln!(w, " Engine ulVersion: 0x620,*,*  (esehdr {} reads any 0x620 header)", env!("CARGO_PKG_VERSION"))?;
    writeln!(w, "Created ulVersion: 0x{:x},{}", h.create_version.major, h.create_version.update as u16 as i16)?;
    writeln!(w, "     DB Signature: {}", h.db_signature.eseutil())?;
    writeln!(w, "         cbDbPage: {}", h.page_size_field as i32)?;
    writeln!(w, "           dbtime: {} (0x{:x})", h.dbtime, h.dbtime)?;
    writeln!(w, "            State: {}", h.state.eseutil())?;
    let r = &h.log_required;
    writeln!(
        w,
        "     Log Required: {}-{} (0x{:x}-0x{:x}) [Min. Req. Pre-Redo: {}]",
        r.min as u32,
        r.max as u32,
        r.min as u32,
        r.max as u32,
        gen_hex(r.min_pre_redo)
    )?;
    writeln!(w, "Gen. Max. Req. Creation Time: {}", r.max_creation_time.eseutil())?;
    writeln!(w, "    Log Committed: 0-{} (0x0-0x{:x})", h.log_committed as u32, h.log_committed as u32)?;
    writeln!(w, "Gen. Max. Com. Creation Time: {}", h.log_committed_creation_time.eseutil())?;
    writeln!(
        w,
        "   Log Consistent: {} [Pre-Redo: {}]",
        gen_hex(h.log_consistent.min),
        gen_hex(h.log_consistent.min_pre_redo)
    )?;
    writeln!(w, "   Log Recovering: {}", gen_hex(h.log_recovering))?;
    writeln!(w, "         Shadowed: {}", if h.db_flags.shadowing_disabled() { "No" } else { "Yes" })?;
    writeln!(w, "       Last Objid: {}", h.objid_last)?;
    writeln!(w, "     Scrub Dbtime: {} (0x{:x})", h.scrub_dbtime, h.scrub_dbtime)?;
    writeln!(w, "       Scrub Date: {}", h.scrub_time.eseutil())?;
    writeln!(w, "     Repair Count: {}", h.repair_count)?;
    writeln!(w, "      Repair Date: {}", h.repair_time.eseutil())?;
    writeln!(w, " Old Repair Count: {}", h.repair_count_old)?;
    writeln!(w, "  Last Consistent: {}", lgpos_time(&h.last_consistent))?;
    writeln!(w, "      Last Attach: {}", lgpos_time(&h.last_attach))?;
    writeln!(w, "      Last Detach: {}", lgpos_time(&h.last_detach))?;
    writeln!(w, "    Last ReAttach: {}", lgpos_time(&h.last_reattach))?;
    writeln!(w, "             Dbid: {}", h.dbid as u16 as i16)?;
    writeln!(w, "    Log Signature: {}", h.log_signature.eseutil())?;
    let os = &h.os_version;
    writeln!(
        w,
        "       OS Version: ({}.{}.{} SP {} NLS {:x}.{:x})",
        os.major,
        os.minor,
        os.build,
        os.service_pack as u32,
        (os.sort_version >> 32) as u32,
        os.sort_version as u32
    )?;
    let (reseed, patch) = (&h.incremental_reseed, &h.page_patch);
    if reseed.count != 0 || reseed.count_old != 0 || patch.count != 0 || patch.count_old != 0 {
        writeln!(w, "     Reseed Count: {}", reseed.count)?;
        writeln!(w, "      Reseed Date: {}", reseed.last_time.eseutil())?;
        writeln!(w, " Old Reseed Count: {}", reseed.count_old)?;
        writeln!(w, "      Patch Count: {}", patch.count)?;
        writeln!(w, "       Patch Date: {}", patch.last_time.eseutil())?;
        writeln!(w, "  Old Patch Count: {}", patch.count_old)?;
    }

    let b = &h.backup;
    for (title, backup, typed) in [
        ("Previous Full Backup:", &b.previous_full, true),
        ("Previous Incremental Backup:", &b.previous_incremental, true),
        ("Previous Copy Backup:", &b.previous_copy, true),
        ("Previous Differential Backup:", &b.previous_differential, true),
        ("Current Full Backup:", &b.current_full, false),
        ("Current Shadow copy backup:", &b.current_snapshot, false),
    ] {
        write_backup(w, title, backup, typed)?;
    }

    writeln!(w)?;
    writeln!(w, "     cpgUpgrade55Format: {}", h.upgrade.cpg_upgrade_55_format)?;
    writeln!(w, "    cpgUpgradeFreePages: {}", h.upgrade.cpg_upgrade_free_pages)?;
    writeln!(w, "cpgUpgradeSpaceMapPages: {}", h.upgrade.cpg_upgrade_space_map_pages)?;
    writeln!(w)?;
    let resize_note = if h.last_resize == h.last_attach.lgpos {
        "  (Matches \"Last Attach\", no subsequent resize)"
    } else if h.last_resize == h.last_consistent.lgpos {
        "  (Matches \"Last Consistent\", no subsequent resize)"
    } else {
        ""
    };
    writeln!(w, "      Last Resize: {}{resize_note}", h.last_resize.eseutil())?;
    writeln!(w)?;
    writeln!(w, "     Extend Count: {}", h.extend_count)?;
    writeln!(w, "      Extend Date: {}", h.last_extend_time.eseutil())?;
    writeln!(w)?;
    writeln!(w, "     Shrink Count: {}", h.shrink_count)?;
    writeln!(w, "      Shrink Date: {}", h.last_shrink_time.eseutil())?;
    writeln!(w)?;
    writeln!(w, "       Trim Count: {}", h.trim_count)?;

    if h.file_type == esehdr_format::sniff::filetype::DATABASE {
        writeln!(w)?;
        write_counter(w, "ECC Fix Success", "ECC Fix Success", &h.ecc_fix_success)?;
        write_counter(w, "ECC Fix Error", "ECC Fix Error", &h.ecc_fix_fail)?;
        write_counter(w, "Bad Checksum Error", "bad Checksum Error", &h.bad_checksum)?;
        writeln!(w)?;
        let m = &h.db_maintenance;
        writeln!(w, "  Last Database Maintenance Finish Date: {}", m.last_finish.eseutil())?;
        writeln!(w, "Current Database Maintenance Start Date: {}", m.current_start.eseutil())?;
        writeln!(w, "      Highest Continuous Database Maintenance Page: {}", m.highest_continuous_page)?;
        writeln!(w, "      Highest Database Maintenance Page: {}", m.highest_page)?;
    }

    writeln!(w)?;
    writeln!(w, "  Database Header Flush Signature: {}", h.db_header_flush_signature.eseutil())?;
    writeln!(w, " Flush Map Header Flush Signature: {}", h.flush_map_header_flush_signature.eseutil())?;
    writeln!(w, "       RBS Header Flush Signature: {}", h.rbs_header_flush_signature.eseutil())?;

    let rv = &h.revert;
    if rv.count != 0 || rv.page_count != 0 {
        writeln!(w, "     Revert Count: {}", rv.count)?;
        writeln!(w, " Revert From Date: {}", rv.from_time.eseutil())?;
        writeln!(w, "   Revert To Date: {}", rv.to_time.eseutil())?;
        writeln!(w, "Revert Page Count: {}", rv.page_count)?;
        writeln!(w, "Last Commit Before Revert: {}", rv.last_commit_before_revert.eseutil())?;
    }
    Ok(())
}

fn write_backup(w: &mut dyn Write, title: &str, b: &Backup, typed: bool) -> io::Result<()> {
    let suffix = if typed { b.kind.map_or("", |k| k.eseutil_suffix()) } else { "" };
    writeln!(w)?;
    writeln!(w, "{title}")?;
    writeln!(
        w,
        "        Log Gen: {}-{} (0x{:x}-0x{:x}){suffix}",
        b.info.gen_low, b.info.gen_high, b.info.gen_low, b.info.gen_high
    )?;
    writeln!(w, "           Mark: {}", b.info.mark.eseutil())?;
    writeln!(w, "           Mark: {}", b.info.mark_time.eseutil())
}

/// The three lines of one ECC / bad-checksum counter, right-aligned on the colon at column 28.
fn write_counter(w: &mut dyn Write, name: &str, old_name: &str, c: &Counter) -> io::Result<()> {
    let found = |n: u32| {
        if n == 0 {
            "none".to_string()
        } else {
            format!("found ({n})")
        }
    };
    writeln!(w, "{:>28}: {}", format!("{name} Count"), found(c.count))?;
    if c.count != 0 {
        writeln!(w, "{:>28}: {}", format!("Last {name} Date"), c.last_time.eseutil())?;
    }
    writeln!(w, "{:>28}: {}", format!("Old {old_name} Count"), found(c.count_old))
}

/// eseutil's WARNING lines after the header block(s), then esehdr's own findings.
fn warning_lines(db: &DatabaseHeader) -> Vec<String> {
    let mut out = Vec::new();
    let both_whole = db.primary.computed_checksum.is_some() && db.shadow.computed_checksum.is_some();
    if both_whole && !db.identical {
        out.push("WARNING: primary header and shadow header are not identical.".to_string());
    }
    for copy in [&db.primary, &db.shadow] {
        let name = copy.which.name();
        match copy.status {
            // A copy whose checksum is right but whose page-size field is wrong is explained
            // by its finding below.
            CopyStatus::BadChecksum if !copy.checksum_ok => {
                out.push(format!("WARNING: {name} header has a checksum error."))
            }
            CopyStatus::BadChecksum => {}
            CopyStatus::Missing => {
                out.push(format!("WARNING: {name} header has an unexpected size of {} bytes.", copy.present))
            }
            CopyStatus::Valid if copy.computed_checksum == Some(0) => {
                out.push(format!("WARNING: {name} header has a zeroed checksum."))
            }
            CopyStatus::Valid => {}
        }
    }
    for f in &db.findings {
        match f.code {
            // Already said above in eseutil's words.
            "copies_differ"
            | "primary_bad_checksum"
            | "shadow_bad_checksum"
            | "primary_truncated"
            | "shadow_truncated"
            | "primary_zeroed_checksum"
            | "shadow_zeroed_checksum" => {}
            "legacy_2k_pages" => out.push(
                "WARNING: this is a legacy database using a 2KB page size, which is no longer supported in this version of ESE."
                    .to_string(),
            ),
            _ => {
                out.push(format!("{}: {}.", crate::frame::severity_tag(f.severity), f.message))
            }
        }
    }
    if db.used == Some(Copy::Shadow) {
        out.push(
            "WARNING: the primary header is not usable; the values above come from the shadow header.".to_string(),
        );
    }
    out
}
