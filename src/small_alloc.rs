//! A per-thread cache of small freed blocks in front of the system allocator.
//!
//! Rendering allocates and frees hundreds of thousands of small blocks (strings, map nodes, parse
//! tree nodes). glibc keeps only seven freed blocks per size in its per-thread cache; the rest of a
//! burst of frees (dropping a tree) goes through its general path, which coalesces neighbours, and the
//! next burst of allocations splits them again: about a quarter of the instructions of a
//! `rudder template` run were spent in `malloc`/`free`. [`SmallBlockCache`] keeps up to
//! [`MAX_CACHED`] freed blocks per size class up to [`MAX_SMALL`] bytes in a thread-local
//! free list and hands them out again; everything else goes straight to [`System`].
//!
//! Blocks of a class are always requested from the system at the class's full size, so any cached
//! block fits any request of its class. A block freed on another thread than it was allocated on
//! simply joins that thread's cache. The methods are not inlined: one
//! copy of them, rather than one per allocation site, keeps the program's code (and what of it is
//! paged in) small. Blocks still cached when a thread ends stay allocated (at most
//! `MAX_CACHED` per class); the CLI's threads live as long as the command.
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::UnsafeCell;
use std::ptr;

/// Size classes follow glibc's chunk sizes (request plus an 8-byte header, rounded up to 16 bytes,
/// at least 32): class `c` holds requests of up to `SMALLEST + c * GRANULE` bytes, which glibc serves
/// with the same chunk as any smaller request of the class, so rounding up wastes nothing.
const SMALLEST: usize = 24;

/// Size-class step, and the alignment every block from glibc has (and all the cache serves).
const GRANULE: usize = 16;

const CLASSES: usize = 16;

/// Largest request served from the cache.
pub const MAX_SMALL: usize = SMALLEST + (CLASSES - 1) * GRANULE;

/// Most freed blocks kept per class and thread.
pub const MAX_CACHED: usize = 32;

/// The global allocator of the `rudder` binary (see the module doc).
pub struct SmallBlockCache;

#[derive(Clone, Copy)]
struct FreeList {
    /// First free block; each free block stores the next one in its first word.
    head: *mut u8,
    len: usize,
}

struct Cache {
    lists: UnsafeCell<[FreeList; CLASSES]>,
}

thread_local! {
    // Constant initialiser and no destructor: access never allocates and never fails.
    static CACHE: Cache = const {
        Cache {
            lists: UnsafeCell::new(
                [FreeList {
                    head: ptr::null_mut(),
                    len: 0,
                }; CLASSES],
            ),
        }
    };
}

/// The class of a request, when the cache serves it.
#[inline]
fn class_of(layout: Layout) -> Option<usize> {
    if layout.size() == 0 || layout.size() > MAX_SMALL || layout.align() > GRANULE {
        return None;
    }
    Some(layout.size().saturating_sub(SMALLEST).div_ceil(GRANULE))
}

/// The layout every block of `class` is requested with from the system.
#[inline]
fn class_layout(class: usize) -> Layout {
    // SAFETY: the size is non-zero and far from overflowing; the alignment is a power of two.
    unsafe { Layout::from_size_align_unchecked(SMALLEST + class * GRANULE, GRANULE) }
}

// SAFETY: blocks handed out are either fresh from `System` or were freed to us with a layout of the
// same class (so they are at least the class size, 16-aligned, and no longer used by anyone); each
// free list is only touched by its own thread (thread-local), and no reference to it outlives a call.
unsafe impl GlobalAlloc for SmallBlockCache {
    #[inline(never)]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let Some(class) = class_of(layout) else {
            return System.alloc(layout);
        };
        let cached = CACHE.with(|cache| {
            let list = &mut (*cache.lists.get())[class];
            let block = list.head;
            if !block.is_null() {
                list.head = *(block as *mut *mut u8);
                list.len -= 1;
            }
            block
        });
        if cached.is_null() {
            System.alloc(class_layout(class))
        } else {
            cached
        }
    }

    #[inline(never)]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if class_of(layout).is_none() {
            // `calloc` knows when fresh memory is already zero.
            return System.alloc_zeroed(layout);
        }
        let block = self.alloc(layout);
        if !block.is_null() {
            ptr::write_bytes(block, 0, layout.size());
        }
        block
    }

    #[inline(never)]
    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        let Some(class) = class_of(layout) else {
            return System.dealloc(block, layout);
        };
        let kept = CACHE.with(|cache| {
            let list = &mut (*cache.lists.get())[class];
            if list.len >= MAX_CACHED {
                return false;
            }
            *(block as *mut *mut u8) = list.head;
            list.head = block;
            list.len += 1;
            true
        });
        if !kept {
            System.dealloc(block, class_layout(class));
        }
    }

    #[inline(never)]
    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
        match (class_of(layout), class_of(new_layout)) {
            (None, None) => System.realloc(block, layout, new_size),
            (Some(old), Some(new)) if old == new => block,
            _ => {
                let moved = self.alloc(new_layout);
                if !moved.is_null() {
                    ptr::copy_nonoverlapping(block, moved, layout.size().min(new_size));
                    self.dealloc(block, layout);
                }
                moved
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_cover_small_requests() {
        let l = |size, align| Layout::from_size_align(size, align).unwrap();
        assert_eq!(class_of(l(1, 1)), Some(0));
        assert_eq!(class_of(l(24, 8)), Some(0));
        assert_eq!(class_of(l(25, 8)), Some(1));
        assert_eq!(class_of(l(40, 8)), Some(1));
        assert_eq!(class_of(l(41, 8)), Some(2));
        assert_eq!(class_of(l(MAX_SMALL, 16)), Some(CLASSES - 1));
        assert_eq!(class_of(l(MAX_SMALL + 1, 8)), None);
        assert_eq!(class_of(l(8, 32)), None);
        assert_eq!(class_of(l(0, 1)), None);
    }

    #[test]
    fn blocks_are_reused_and_hold_their_data() {
        let a = SmallBlockCache;
        let layout = Layout::from_size_align(40, 8).unwrap();
        unsafe {
            let first = a.alloc(layout);
            assert!(!first.is_null());
            a.dealloc(first, layout);
            // Same class: the freed block comes back.
            let again = a.alloc(Layout::from_size_align(33, 16).unwrap());
            assert_eq!(again, first);
            for i in 0..33 {
                *again.add(i) = i as u8;
            }
            // Shrinking within the class keeps the block; growing beyond it moves the data.
            let same = a.realloc(again, Layout::from_size_align(33, 16).unwrap(), 26);
            assert_eq!(same, again);
            let grown = a.realloc(same, Layout::from_size_align(26, 16).unwrap(), 1000);
            for i in 0..26 {
                assert_eq!(*grown.add(i), i as u8);
            }
            a.dealloc(grown, Layout::from_size_align(1000, 16).unwrap());
        }
    }

    #[test]
    fn cache_is_bounded() {
        let a = SmallBlockCache;
        let layout = Layout::from_size_align(24, 8).unwrap();
        unsafe {
            let blocks: Vec<*mut u8> = (0..MAX_CACHED + 10).map(|_| a.alloc(layout)).collect();
            for b in &blocks {
                a.dealloc(*b, layout);
            }
            let len = CACHE.with(|c| (*c.lists.get())[class_of(layout).unwrap()].len);
            assert!(len <= MAX_CACHED);
        }
    }
}
