//! The repository documents itself: no link or path reference in its Markdown, Rust or Python
//! files leads outside it.
//!
//! Fails on
//! - `../shared/...` (the reference material beside the checkout during development) and absolute
//!   paths of a developer's machine (`/work/`, `/home/`, `/root/`, `/Users/`, `/mnt/`);
//! - the names of the reference files that do not ship (`FORMAT.md`, `RESTORE-RULES.md`, ...);
//! - `docs/NAME.md` mentions whose file does not exist;
//! - Markdown links (`[text](target)`) to a file that does not exist or lies outside the
//!   repository, or to an `#anchor` that no heading of the target makes.
//!
//! One exception, by name: the test corpus `../shared/corpus`, which tests read at run time when
//! it is present (`crates/format/tests/common/mod.rs`) and `testdata/README.md` describes as a
//! test input.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Component, Path, PathBuf};

/// The corpus: a test input read at run time, the one reference allowed to leave the repository.
const ALLOWED_OUTSIDE: &str = "../shared/corpus";

/// Absolute path prefixes of a developer's machine.
const MACHINE_PATHS: [&str; 5] = ["/work/", "/home/", "/root/", "/Users/", "/mnt/"];

/// The reference files kept beside the checkout during development; they do not ship.
const UNSHIPPED: [&str; 5] = ["FORMAT.md", "FORMAT-PAGE.md", "FORMAT-LOGREC.md", "RESTORE-RULES.md", "STYLE.md"];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// Every `.md`, `.rs` and `.py` file of the repository, build output and fuzz data left out.
fn files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                let generated = matches!(name.as_str(), "target" | ".git" | "artifacts" | "corpus" | "coverage");
                if !generated && !name.starts_with('.') || name == ".ci" {
                    stack.push(path);
                }
            } else if name.ends_with(".md") || name.ends_with(".rs") || name.ends_with(".py") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Every occurrence of `needle` in `line` that is not the start of the allowed corpus path.
fn outside_refs(line: &str, needle: &str) -> usize {
    line.match_indices(needle).filter(|(i, _)| !line[*i..].starts_with(ALLOWED_OUTSIDE)).count()
}

/// The anchors GitHub makes for the headings of a Markdown text.
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        }
        if fenced || !line.starts_with('#') {
            continue;
        }
        let title = line.trim_start_matches('#').trim();
        let slug: String = title
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ' '))
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        let mut unique = slug.clone();
        let mut n = 1;
        while seen.contains(&unique) {
            unique = format!("{slug}-{n}");
            n += 1;
        }
        seen.insert(unique);
    }
    seen
}

/// The targets of the inline Markdown links of `line`: `[text](target)`.
fn link_targets(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find("](") {
        let after = &rest[i + 2..];
        let Some(end) = after.find(')') else { break };
        out.push(after[..end].trim());
        rest = &after[end..];
    }
    out
}

/// `path` with `.` and `..` resolved lexically (the target may not exist).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The problems of one file, as `path:line: what`.
fn check_file(root: &Path, path: &Path) -> Vec<String> {
    let text = fs::read_to_string(path).unwrap();
    let rel = path.strip_prefix(root).unwrap().display().to_string();
    let is_md = rel.ends_with(".md");
    let mut problems = Vec::new();
    let mut fenced = false;
    for (n, line) in text.lines().enumerate() {
        let at = format!("{rel}:{}", n + 1);
        if outside_refs(line, "../shared") > 0 {
            problems.push(format!("{at}: `../shared` outside the repository (only {ALLOWED_OUTSIDE} may be named)"));
        }
        for prefix in MACHINE_PATHS {
            if line.contains(prefix) {
                problems.push(format!("{at}: absolute machine path `{prefix}...`"));
            }
        }
        for name in UNSHIPPED {
            let named = line.match_indices(name).any(|(i, _)| {
                // `FORMAT.md` inside `FORMAT-PAGE.md`-like names or `docs/format-*.md` does not count:
                // the names are upper case and start a word.
                let before = line[..i].chars().next_back();
                !before.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_')
            });
            if named && !root.join(name).exists() {
                problems.push(format!("{at}: `{name}` is not in the repository (cite docs/ instead)"));
            }
        }
        for (i, _) in line.match_indices("docs/") {
            let tail = &line[i..];
            let end =
                tail.find(|c: char| !(c.is_alphanumeric() || matches!(c, '/' | '.' | '-' | '_'))).unwrap_or(tail.len());
            let mention = tail[..end].trim_end_matches('.');
            let word_start = !line[..i].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '-');
            if word_start && mention.ends_with(".md") && !root.join(mention).is_file() {
                problems.push(format!("{at}: `{mention}` does not exist"));
            }
        }
        if !is_md {
            continue;
        }
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        }
        if fenced {
            continue;
        }
        for target in link_targets(line) {
            if target.starts_with("http://") || target.starts_with("https://") || target.starts_with("mailto:") {
                continue;
            }
            let (file, anchor) = target.split_once('#').unwrap_or((target, ""));
            let resolved =
                if file.is_empty() { path.to_path_buf() } else { normalize(&path.parent().unwrap().join(file)) };
            if !resolved.starts_with(root) {
                problems.push(format!("{at}: link `{target}` leads outside the repository"));
            } else if !resolved.exists() {
                problems.push(format!("{at}: link `{target}`: no such file"));
            } else if !anchor.is_empty() && resolved.extension().is_some_and(|e| e == "md") {
                let heads = anchors(&fs::read_to_string(&resolved).unwrap());
                if !heads.contains(anchor) {
                    problems.push(format!("{at}: link `{target}`: no heading makes the anchor `#{anchor}`"));
                }
            }
        }
    }
    problems
}

#[test]
fn no_reference_leads_outside_the_repository() {
    let root = repo();
    let files = files(&root);
    // The scan must see the files it is about, or it proves nothing.
    for must in ["README.md", "docs/README.md", "docs/json.md", "testdata/README.md", "crates/format/src/lib.rs"] {
        assert!(files.contains(&root.join(must)), "{must} not scanned");
    }
    // This file names what it looks for; it is checked by `the_checker_catches_what_it_should`.
    let this = root.join("crates/cli/tests/docs.rs");
    let problems: Vec<String> = files.iter().filter(|f| **f != this).flat_map(|f| check_file(&root, f)).collect();
    assert!(
        problems.is_empty(),
        "{} reference(s) lead outside the repository:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_checker_catches_what_it_should() {
    let root = repo();
    let dir = root.join("target").join("docs-check-selftest");
    fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.md");
    fs::write(
        &bad,
        "See ../shared/FORMAT.md §1.\n[x](../../no-such.md) [y](../../../outside.md) [z](../../README.md#no-such-heading)\n\
         Read /work/shared/corpus and docs/no-such.md.\n",
    )
    .unwrap();
    let problems = check_file(&root, &bad);
    let text = problems.join("\n");
    for expected in [
        "`../shared` outside",
        "`FORMAT.md` is not in the repository",
        "link `../../no-such.md`: no such file",
        "link `../../../outside.md` leads outside",
        "no heading makes the anchor `#no-such-heading`",
        "absolute machine path `/work/...`",
        "`docs/no-such.md` does not exist",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    let good = dir.join("good.md");
    fs::write(
        &good,
        "The corpus `../shared/corpus` is a test input. [docs](../../docs/README.md), \
         [plans](../../docs/json.md#restore-plans-esehdr-plan---json-dir), docs/format-page.md §6.6.\n",
    )
    .unwrap();
    assert_eq!(check_file(&root, &good), Vec::<String>::new());
}
