//! Model-based test: random operations applied to a real page (through `PageMut`) and to a
//! plain list of `(flags, cbPrefix, key, data)` lines with its own free-space arithmetic. After
//! every step the page must decode to the model's lines, carry the model's `cbFree`, pass the
//! structure check, and a rejected operation must leave both untouched, byte for byte.
//!
//! `model_seeded` prints its seed; `PAGE_MODEL_SEED=<n>` replays one run. The `proptest!` tests
//! shrink failures and keep them in `proptest-regressions/`.

use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use esehdr_recover::page::{check_structure, LineFlags, Node, PageBuilder, PageError, PageFlags, PageMut, PageView};

#[derive(Debug, Clone)]
enum Op {
    Insert { at: usize, key: Vec<u8>, data: Vec<u8>, flags: u8, use_prefix: bool, bad_prefix: bool },
    Replace { at: usize, data: Vec<u8> },
    Delete { at: usize },
    SetFlags { at: usize, flags: u8 },
    ClearFlags { at: usize, flags: u8 },
    Delta32 { at: usize, offset: usize, delta: i32 },
    Delta64 { at: usize, offset: usize, delta: i64 },
    SetExternalHeader { bytes: Vec<u8> },
    ResetPrefix { prefix: Vec<u8> },
    Compact,
}

/// Keys from a small alphabet so that prefixes are shared.
fn key() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::sample::select(vec![b'a', b'b', b'c', 0u8, 0xff]), 1..10)
}

fn data() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => prop::collection::vec(any::<u8>(), 1..24),
        1 => prop::collection::vec(any::<u8>(), 100..700),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let at = 0usize..64;
    prop_oneof![
        6 => (at.clone(), key(), data(), 0u8..4, any::<bool>(), prop::bool::weighted(0.05))
            .prop_map(|(at, key, data, flags, use_prefix, bad_prefix)| Op::Insert { at, key, data, flags, use_prefix, bad_prefix }),
        3 => (at.clone(), data()).prop_map(|(at, data)| Op::Replace { at, data }),
        3 => at.clone().prop_map(|at| Op::Delete { at }),
        1 => (at.clone(), 0u8..4).prop_map(|(at, flags)| Op::SetFlags { at, flags }),
        1 => (at.clone(), 0u8..4).prop_map(|(at, flags)| Op::ClearFlags { at, flags }),
        1 => (at.clone(), 0usize..24, any::<i32>()).prop_map(|(at, offset, delta)| Op::Delta32 { at, offset, delta }),
        1 => (at.clone(), 0usize..24, any::<i64>()).prop_map(|(at, offset, delta)| Op::Delta64 { at, offset, delta }),
        1 => key().prop_map(|bytes| Op::SetExternalHeader { bytes }),
        1 => prop::collection::vec(prop::sample::select(vec![b'a', b'b', b'c']), 0..6).prop_map(|prefix| Op::ResetPrefix { prefix }),
        1 => Just(Op::Compact),
    ]
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct MLine {
    flags: u8, // Version | Deleted
    cb_prefix: usize,
    key: Vec<u8>,
    data: Vec<u8>,
}

impl MLine {
    fn len(&self) -> usize {
        (if self.cb_prefix > 0 { 2 } else { 0 }) + 2 + self.key.len() - self.cb_prefix + self.data.len()
    }
}

/// The plain model: external header, lines, cbUncommittedFree.
#[derive(Debug, Clone)]
struct Model {
    cb_data: usize,
    max_tags: usize,
    ext: Vec<u8>,
    lines: Vec<MLine>,
    uncommitted: usize,
}

impl Model {
    fn cb_free(&self) -> usize {
        self.cb_data - self.ext.len() - 4 - self.lines.iter().map(|l| l.len() + 4).sum::<usize>()
    }
    fn available(&self) -> usize {
        self.cb_free() - self.uncommitted
    }
    fn common(a: &[u8], b: &[u8]) -> usize {
        a.iter().zip(b).take_while(|(x, y)| x == y).count()
    }
    /// §3.5: the common prefix length if it is more than 2 bytes, otherwise 0.
    fn cb_prefix_for(key: &[u8], prefix: &[u8]) -> usize {
        let c = Self::common(key, prefix);
        if c > 2 {
            c
        } else {
            0
        }
    }

    /// Applies `op`; returns the model after it, or `None` if the page must refuse it.
    fn apply(&self, op: &Op) -> Option<Model> {
        let mut m = self.clone();
        let n = m.lines.len();
        match op {
            Op::Insert { at, key, data, flags, use_prefix, bad_prefix } => {
                let at = at % (n + 2);
                let cb_prefix = if *bad_prefix {
                    key.len() + 1
                } else if *use_prefix {
                    Self::cb_prefix_for(key, &m.ext)
                } else {
                    0
                };
                let l = MLine { flags: *flags, cb_prefix, key: key.clone(), data: data.clone() };
                if at > n || *bad_prefix || l.len() + 4 > m.available() || n + 2 > m.max_tags {
                    return None;
                }
                m.lines.insert(at, l);
            }
            Op::Replace { at, data } => {
                let l = m.lines.get(*at % (n + 1))?.clone();
                let grow = (l.len() - l.data.len() + data.len()).saturating_sub(l.len());
                if grow > m.available() {
                    return None;
                }
                m.lines[*at % (n + 1)].data = data.clone();
            }
            Op::Delete { at } => {
                m.lines.get(*at % (n + 1))?;
                m.lines.remove(*at % (n + 1));
            }
            Op::SetFlags { at, flags } => m.lines.get_mut(*at % (n + 1))?.flags |= flags,
            Op::ClearFlags { at, flags } => m.lines.get_mut(*at % (n + 1))?.flags &= !flags,
            Op::Delta32 { at, offset, delta } => {
                let l = m.lines.get_mut(*at % (n + 1))?;
                let b = l.data.get_mut(*offset..offset + 4)?;
                let v = i32::from_le_bytes(b.try_into().unwrap()).wrapping_add(*delta);
                b.copy_from_slice(&v.to_le_bytes());
            }
            Op::Delta64 { at, offset, delta } => {
                let l = m.lines.get_mut(*at % (n + 1))?;
                let b = l.data.get_mut(*offset..offset + 8)?;
                let v = i64::from_le_bytes(b.try_into().unwrap()).wrapping_add(*delta);
                b.copy_from_slice(&v.to_le_bytes());
            }
            Op::SetExternalHeader { bytes } => {
                if m.lines.iter().any(|l| l.cb_prefix > bytes.len())
                    || bytes.len().saturating_sub(m.ext.len()) > m.available()
                {
                    return None;
                }
                // Compressed lines take their prefix from the new header.
                for l in &mut m.lines {
                    let mut k = bytes[..l.cb_prefix].to_vec();
                    k.extend_from_slice(&l.key[l.cb_prefix..]);
                    l.key = k;
                }
                m.ext = bytes.clone();
            }
            Op::ResetPrefix { prefix } => {
                let used = |m: &Model| m.ext.len() + m.lines.iter().map(MLine::len).sum::<usize>();
                let before = used(&m);
                m.ext = prefix.clone();
                for l in &mut m.lines {
                    l.cb_prefix = Self::cb_prefix_for(&l.key, prefix);
                }
                if used(&m).saturating_sub(before) > self.available() {
                    return None;
                }
            }
            Op::Compact => {}
        }
        Some(m)
    }
}

/// Applies `op` to the page.
fn apply_page(p: &mut PageMut<'_>, m: &Model, op: &Op) -> Result<(), PageError> {
    let n = m.lines.len();
    let r = match op {
        Op::Insert { at, key, data, flags, use_prefix, bad_prefix } => {
            let cb_prefix = if *bad_prefix {
                key.len() + 1
            } else if *use_prefix {
                Model::cb_prefix_for(key, &m.ext)
            } else {
                0
            };
            p.insert(at % (n + 2), &Node { flags: LineFlags(*flags), key, cb_prefix, data })
        }
        Op::Replace { at, data } => p.replace_data(at % (n + 1), data),
        Op::Delete { at } => p.delete(at % (n + 1)),
        Op::SetFlags { at, flags } => p.set_line_flags(at % (n + 1), LineFlags(*flags)),
        Op::ClearFlags { at, flags } => p.clear_line_flags(at % (n + 1), LineFlags(*flags)),
        Op::Delta32 { at, offset, delta } => p.delta_i32(at % (n + 1), *offset, *delta).map(drop),
        Op::Delta64 { at, offset, delta } => p.delta_i64(at % (n + 1), *offset, *delta).map(drop),
        Op::SetExternalHeader { bytes } => p.set_external_header(bytes),
        Op::ResetPrefix { prefix } => {
            let cbs: Vec<usize> = m.lines.iter().map(|l| Model::cb_prefix_for(&l.key, prefix)).collect();
            p.reset_prefix(prefix, &cbs)
        }
        Op::Compact => p.compact(),
    };
    r
}

fn compare(page: &[u8], m: &Model, step: usize, op: &Op) -> Result<(), TestCaseError> {
    let v = PageView::new(page).unwrap();
    let problems = check_structure(&v);
    prop_assert!(problems.is_empty(), "step {step} {op:?}: {problems:?}");
    prop_assert_eq!(v.external_header().unwrap(), m.ext.as_slice(), "step {} {:?}: external header", step, op);
    prop_assert_eq!(v.cb_free(), m.cb_free(), "step {} {:?}: cbFree", step, op);
    prop_assert_eq!(v.line_count(), m.lines.len(), "step {} {:?}: lines", step, op);
    for (i, ml) in m.lines.iter().enumerate() {
        let l = v.line(i).unwrap();
        let flags = ml.flags | if ml.cb_prefix > 0 { 4 } else { 0 };
        prop_assert_eq!(
            (l.flags.bits(), l.cb_prefix, l.key().to_vec(), l.data),
            (flags, ml.cb_prefix, ml.key.clone(), ml.data.as_slice()),
            "step {} {:?}: line {}",
            step,
            op,
            i
        );
    }
    Ok(())
}

/// Counters over all runs: accepted, rejected, and compactions made by an operation that
/// needed room (holes before, none after, not an explicit compaction).
static ACCEPTED: AtomicUsize = AtomicUsize::new(0);
static REJECTED: AtomicUsize = AtomicUsize::new(0);
static COMPACTIONS: AtomicUsize = AtomicUsize::new(0);

fn holes(page: &[u8]) -> isize {
    esehdr_recover::page::derive(&PageView::new(page).unwrap()).holes
}

fn run(ps: usize, uncommitted: usize, ops: &[Op]) -> Result<(), TestCaseError> {
    let mut page =
        PageBuilder::new(ps).unwrap().objid_fdp(5).dbtime(1).consumed(PageFlags(PageFlags::LEAF), b"").unwrap();
    let geo = PageView::new(&page).unwrap().geometry();
    let mut m = Model { cb_data: geo.data_len(), max_tags: geo.max_tags(), ext: vec![], lines: vec![], uncommitted };
    PageMut::new(&mut page).unwrap().set_cb_uncommitted_free(uncommitted).unwrap();
    for (step, op) in ops.iter().enumerate() {
        let before = page.clone();
        let expected = m.apply(op);
        let r = apply_page(&mut PageMut::new(&mut page).unwrap(), &m, op);
        prop_assert_eq!(
            r.is_ok(),
            expected.is_some(),
            "step {} {:?}: page {:?}, model accepts: {}",
            step,
            op,
            r,
            expected.is_some()
        );
        match expected {
            Some(next) => {
                m = next;
                ACCEPTED.fetch_add(1, Ordering::Relaxed);
                if holes(&before) > 0 && holes(&page) == 0 && !matches!(op, Op::Compact | Op::Delete { .. }) {
                    COMPACTIONS.fetch_add(1, Ordering::Relaxed);
                }
            }
            None => {
                REJECTED.fetch_add(1, Ordering::Relaxed);
                prop_assert!(page == before, "step {step} {op:?}: a rejected operation changed the page");
            }
        }
        compare(&page, &m, step, op)?;
    }
    Ok(())
}

fn case() -> impl Strategy<Value = (usize, usize, Vec<Op>)> {
    (
        prop::sample::select(vec![4096usize, 8192, 16384, 32768]),
        prop_oneof![3 => Just(0usize), 1 => 0usize..64],
        prop::collection::vec(op(), 1..300),
    )
}

proptest! {
    #![proptest_config(Config { cases: 64, ..Config::default() })]
    #[test]
    fn page_follows_the_model((ps, unc, ops) in case()) {
        run(ps, unc, &ops)?;
    }
}

/// A longer run from a printed seed (`PAGE_MODEL_SEED` replays it).
#[test]
fn model_seeded() {
    let seed: u64 = std::env::var("PAGE_MODEL_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
    });
    eprintln!("model_seeded: PAGE_MODEL_SEED={seed}");
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &bytes);
    let mut runner =
        TestRunner::new_with_rng(Config { cases: 32, failure_persistence: None, ..Config::default() }, rng);
    let strategy = (prop::sample::select(vec![4096usize, 32768]), Just(0usize), prop::collection::vec(op(), 500..1500));
    if let Err(e) = runner.run(&strategy, |(ps, unc, ops)| run(ps, unc, &ops)) {
        panic!("PAGE_MODEL_SEED={seed}: {e}");
    }
    let (a, r, c) =
        (ACCEPTED.load(Ordering::Relaxed), REJECTED.load(Ordering::Relaxed), COMPACTIONS.load(Ordering::Relaxed));
    eprintln!(
        "model_seeded: {a} operations accepted, {r} rejected (page unchanged), {c} compactions made to find room"
    );
    assert!(r > 100 && c > 10, "the run did not reach full pages");
}
