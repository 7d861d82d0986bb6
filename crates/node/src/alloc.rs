//! The addon's allocator: every Rust allocation of the addon (the engine's included) goes
//! through [`Allocator`]. Blocks under [`LARGE`] come from mimalloc, larger ones from the C
//! library.
//!
//! A request allocates dozens of small, short-lived blocks (header maps, boxed futures, channel
//! nodes, strings), often made on one engine thread and freed on another or on the JS thread.
//! mimalloc serves them from per-thread pages without locks: about 10 % less CPU per request
//! for 200 B bodies at 64 in flight, in alternated runs. Larger blocks (read and TLS buffers,
//! bodies and their pieces) stay with the C library, whose behaviour with many large bodies in
//! flight is measured and described (README, "Known gaps"); given those too, mimalloc kept
//! more memory mapped and was no faster. mimalloc is built without transparent huge pages
//! (`no_thp`), which otherwise added about 10 MB of RSS to a client making small requests.

use std::alloc::{GlobalAlloc, Layout, System};

use mimalloc::MiMalloc;

/// Blocks of this many bytes or more come from the C library: above a request's own small
/// blocks, below read buffers and bodies.
pub(crate) const LARGE: usize = 4 * 1024;

/// mimalloc below [`LARGE`], the C library's allocator from it on. A block is freed by the
/// allocator that made it: `dealloc` receives the layout it was allocated with.
pub(crate) struct Allocator;

fn large(size: usize) -> bool {
    size >= LARGE
}

// SAFETY: each call is forwarded to one allocator chosen by the block's size, which is the same
// for a block's allocation and its release (Rust passes the allocation's layout to `dealloc`
// and `realloc`); a `realloc` that crosses `LARGE` allocates from the other allocator, copies
// and frees the old block with its own.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if large(layout.size()) {
            System.alloc(layout)
        } else {
            MiMalloc.alloc(layout)
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if large(layout.size()) {
            System.alloc_zeroed(layout)
        } else {
            MiMalloc.alloc_zeroed(layout)
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if large(layout.size()) {
            System.dealloc(ptr, layout)
        } else {
            MiMalloc.dealloc(ptr, layout)
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        match (large(layout.size()), large(new_size)) {
            (false, false) => MiMalloc.realloc(ptr, layout, new_size),
            (true, true) => System.realloc(ptr, layout, new_size),
            _ => {
                // SAFETY: the caller guarantees `new_size`, rounded up to `layout.align()`,
                // does not overflow `isize`.
                let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
                let new = self.alloc(new_layout);
                if !new.is_null() {
                    std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                    self.dealloc(ptr, layout);
                }
                new
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_keep_their_contents_across_the_threshold() {
        for (from, to) in [(1000, LARGE + 10), (LARGE + 10, 1000), (LARGE, LARGE * 2)] {
            let data: Vec<u8> = (0..from).map(|i| i as u8).collect();
            let layout = Layout::from_size_align(from, 1).unwrap();
            // SAFETY: the block is made with `layout`, filled with `from` bytes, grown or shrunk
            // with `layout`, read up to the smaller size and freed with its new layout.
            unsafe {
                let block = Allocator.alloc(layout);
                assert!(!block.is_null());
                std::ptr::copy_nonoverlapping(data.as_ptr(), block, from);
                let moved = Allocator.realloc(block, layout, to);
                assert!(!moved.is_null());
                let kept = from.min(to);
                assert_eq!(std::slice::from_raw_parts(moved, kept), &data[..kept]);
                Allocator.dealloc(moved, Layout::from_size_align(to, 1).unwrap());
            }
        }
    }
}
