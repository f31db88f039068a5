//! The order in which `CPAGE::ReorganizeData_` visits the TAGs: Microsoft's `std::sort`
//! (introsort of the MSVC standard library) over the TAG pointers in itag order, compared by
//! `ib` alone.
//!
//! Why not any sort: only zero-length TAGs can share an `ib` with another TAG (the empty
//! external header, a line being moved by `Replace_`), and the compaction gives each TAG the
//! running offset at its place in the sorted order, so the `ib` stored in a zero-length TAG
//! depends on how the sort treats ties. `std::sort` is not stable: below 33 elements it is an
//! insertion sort (ties keep itag order), above it partitions around a median guess first.
//!
//! This follows the algorithm's published structure (`_Sort_unchecked` with `_ISORT_MAX` = 32
//! and the 1.5·log2(N) depth budget, `_Partition_by_median_guess_unchecked` with
//! `_Guess_median_unchecked` (median of three, Tukey's ninther above 40 elements), heap sort
//! when the budget runs out, `_Insertion_sort_unchecked`); no code is taken from it.
//!
//! Sources: docs/page-internals.md §3.6 (compaction, "Zero-length TAGs receive an ib that
//! depends on sort order"), §8 item 6.

// Every index below stays inside the range [first, last) of the slice being sorted, as in the
// algorithm it follows; the module's tests sort random inputs of every size up to 300 with many
// ties without a panic.
#![allow(clippy::indexing_slicing)]

/// `_ISORT_MAX`: ranges up to this size are insertion-sorted.
const ISORT_MAX: usize = 32;

/// Sorts `v` by `less`, in the order MSVC's `std::sort` leaves equal elements.
pub(crate) fn sort_by<T, F: Fn(&T, &T) -> bool>(v: &mut [T], less: F) {
    let n = v.len();
    sort_range(v, 0, n, n, &less);
}

fn sort_range<T, F: Fn(&T, &T) -> bool>(v: &mut [T], mut first: usize, mut last: usize, mut ideal: usize, less: &F) {
    loop {
        let count = last - first;
        if count <= ISORT_MAX {
            insertion_sort(v, first, last, less);
            return;
        }
        if ideal == 0 {
            make_heap(v, first, last, less);
            sort_heap(v, first, last, less);
            return;
        }
        let (mid_first, mid_last) = partition_by_median_guess(v, first, last, less);
        ideal = (ideal >> 1) + (ideal >> 2);
        if mid_first - first < last - mid_last {
            sort_range(v, first, mid_first, ideal, less);
            first = mid_last;
        } else {
            sort_range(v, mid_last, last, ideal, less);
            last = mid_first;
        }
    }
}

fn insertion_sort<T, F: Fn(&T, &T) -> bool>(v: &mut [T], first: usize, last: usize, less: &F) {
    if last - first < 2 {
        return;
    }
    for next in first + 1..last {
        if less(&v[next], &v[first]) {
            // New earliest element: everything before it moves up one.
            v[first..=next].rotate_right(1);
        } else {
            let mut hole = next;
            while less(&v[hole], &v[hole - 1]) {
                v.swap(hole, hole - 1);
                hole -= 1;
            }
        }
    }
}

fn med3<T, F: Fn(&T, &T) -> bool>(v: &mut [T], a: usize, b: usize, c: usize, less: &F) {
    if less(&v[b], &v[a]) {
        v.swap(b, a);
    }
    if less(&v[c], &v[b]) {
        v.swap(c, b);
        if less(&v[b], &v[a]) {
            v.swap(b, a);
        }
    }
}

/// `_Guess_median_unchecked(first, mid, last)` with `last` inclusive.
fn guess_median<T, F: Fn(&T, &T) -> bool>(v: &mut [T], first: usize, mid: usize, last: usize, less: &F) {
    let count = last - first;
    if count > 40 {
        let step = (count + 1) >> 3;
        let two = step << 1;
        med3(v, first, first + step, first + two, less);
        med3(v, mid - step, mid, mid + step, less);
        med3(v, last - two, last - step, last, less);
        med3(v, first + step, mid, last - step, less);
    } else {
        med3(v, first, mid, last, less);
    }
}

/// `_Partition_by_median_guess_unchecked`: a three-way partition around the guessed median;
/// returns the range of elements equal to the pivot.
fn partition_by_median_guess<T, F: Fn(&T, &T) -> bool>(
    v: &mut [T],
    first: usize,
    last: usize,
    less: &F,
) -> (usize, usize) {
    let mid = first + ((last - first) >> 1);
    guess_median(v, first, mid, last - 1, less);
    let mut pfirst = mid;
    let mut plast = pfirst + 1;
    while first < pfirst && !less(&v[pfirst - 1], &v[pfirst]) && !less(&v[pfirst], &v[pfirst - 1]) {
        pfirst -= 1;
    }
    while plast < last && !less(&v[plast], &v[pfirst]) && !less(&v[pfirst], &v[plast]) {
        plast += 1;
    }
    let mut gfirst = plast;
    let mut glast = pfirst;
    loop {
        while gfirst < last {
            if less(&v[pfirst], &v[gfirst]) {
            } else if less(&v[gfirst], &v[pfirst]) {
                break;
            } else {
                if plast != gfirst {
                    v.swap(plast, gfirst);
                }
                plast += 1;
            }
            gfirst += 1;
        }
        while first < glast {
            if less(&v[glast - 1], &v[pfirst]) {
            } else if less(&v[pfirst], &v[glast - 1]) {
                break;
            } else {
                pfirst -= 1;
                if pfirst != glast - 1 {
                    v.swap(pfirst, glast - 1);
                }
            }
            glast -= 1;
        }
        if glast == first && gfirst == last {
            return (pfirst, plast);
        }
        if glast == first {
            // No room at the bottom: rotate the pivot run upward.
            if plast != gfirst {
                v.swap(pfirst, plast);
            }
            plast += 1;
            v.swap(pfirst, gfirst);
            pfirst += 1;
            gfirst += 1;
        } else if gfirst == last {
            // No room at the top: rotate the pivot run downward.
            glast -= 1;
            pfirst -= 1;
            if glast != pfirst {
                v.swap(glast, pfirst);
            }
            plast -= 1;
            v.swap(pfirst, plast);
        } else {
            glast -= 1;
            v.swap(gfirst, glast);
            gfirst += 1;
        }
    }
}

/// `_Push_heap_by_index`: moves the value at `hole` up towards `top`. The value travels by
/// swaps, which leaves every other element where the hole-and-move original leaves it.
fn push_heap_by_index<T, F: Fn(&T, &T) -> bool>(v: &mut [T], base: usize, mut hole: usize, top: usize, less: &F) {
    while top < hole {
        let idx = (hole - 1) >> 1;
        if !less(&v[base + idx], &v[base + hole]) {
            break;
        }
        v.swap(base + idx, base + hole);
        hole = idx;
    }
}

/// `_Pop_heap_hole_by_index`: the value at `hole` is taken out, the hole moves down to the
/// larger child until the bottom, then the value is pushed back up from there.
fn pop_heap_hole_by_index<T, F: Fn(&T, &T) -> bool>(
    v: &mut [T],
    base: usize,
    mut hole: usize,
    bottom: usize,
    less: &F,
) {
    let top = hole;
    let mut idx = hole;
    let max_non_leaf = (bottom - 1) >> 1;
    while idx < max_non_leaf {
        idx = 2 * idx + 2;
        if less(&v[base + idx], &v[base + idx - 1]) {
            idx -= 1;
        }
        v.swap(base + hole, base + idx);
        hole = idx;
    }
    if idx == max_non_leaf && bottom % 2 == 0 {
        v.swap(base + hole, base + bottom - 1);
        hole = bottom - 1;
    }
    push_heap_by_index(v, base, hole, top, less);
}

fn make_heap<T, F: Fn(&T, &T) -> bool>(v: &mut [T], first: usize, last: usize, less: &F) {
    let bottom = last - first;
    let mut hole = bottom >> 1;
    while hole > 0 {
        hole -= 1;
        pop_heap_hole_by_index(v, first, hole, bottom, less);
    }
}

fn sort_heap<T, F: Fn(&T, &T) -> bool>(v: &mut [T], first: usize, mut last: usize, less: &F) {
    while last - first >= 2 {
        last -= 1;
        // `_Pop_heap_unchecked`: the top goes to `last`, the old last value is re-inserted from
        // the root's hole.
        v.swap(first, last);
        pop_heap_hole_by_index(v, first, 0, last - first, less);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn small_ranges_keep_ties_in_order() {
        let mut v: Vec<(u16, usize)> = vec![(5, 0), (0, 1), (5, 2), (0, 3), (3, 4)];
        sort_by(&mut v, |a, b| a.0 < b.0);
        assert_eq!(v, [(0, 1), (0, 3), (3, 4), (5, 0), (5, 2)]);
    }

    #[test]
    fn large_ranges_may_reorder_ties() {
        // 40 elements, key = i / 2 except a zero-key element at the end: the partition moves it.
        let mut v: Vec<(u16, usize)> = (0..40).map(|i| ((i / 2) as u16, i)).collect();
        v.push((0, 40));
        sort_by(&mut v, |a, b| a.0 < b.0);
        assert!(v.windows(2).all(|w| w[0].0 <= w[1].0));
        let zeros: Vec<usize> = v.iter().take_while(|e| e.0 == 0).map(|e| e.1).collect();
        assert_eq!(zeros.len(), 3);
    }

    proptest! {
        #[test]
        fn sorts_every_input(keys in prop::collection::vec(0u16..20, 0..300)) {
            let mut v: Vec<(u16, usize)> = keys.iter().copied().zip(0..).collect();
            sort_by(&mut v, |a, b| a.0 < b.0);
            let mut got: Vec<u16> = v.iter().map(|e| e.0).collect();
            let mut want = keys.clone();
            want.sort_unstable();
            prop_assert_eq!(&got, &want);
            let mut idx: Vec<usize> = v.iter().map(|e| e.1).collect();
            idx.sort_unstable();
            prop_assert_eq!(idx, (0..keys.len()).collect::<Vec<_>>());
            got.clear();
        }

        #[test]
        fn heap_sort_path_sorts(keys in prop::collection::vec(0u16..50, 33..200)) {
            let mut v: Vec<(u16, usize)> = keys.iter().copied().zip(0..).collect();
            let n = v.len();
            make_heap(&mut v, 0, n, &|a: &(u16, usize), b: &(u16, usize)| a.0 < b.0);
            sort_heap(&mut v, 0, n, &|a: &(u16, usize), b: &(u16, usize)| a.0 < b.0);
            prop_assert!(v.windows(2).all(|w| w[0].0 <= w[1].0));
        }
    }
}
