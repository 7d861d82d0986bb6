//! Spare whole-body buffers. A body read whole (`readAll`) lands in one allocation that
//! JavaScript owns until its Buffer is collected. Allocating a fresh megabyte for every such
//! body is not free: glibc returns the freed pages to the system and the next body faults new
//! ones in (about 0.25 faults per KiB, 2-3 µs each on the project's machine, over 100 µs per
//! MiB). So while a client has requests in flight, the buffers its collected bodies leave
//! behind are kept for its next bodies of about the same size: at most [`SPARE_MAX`] bytes
//! per client, none once it has nothing in flight.

use std::sync::{Arc, Weak};

use parking_lot::Mutex;

use crate::Shared;

/// The most bytes of spare buffers one client keeps.
pub(crate) const SPARE_MAX: usize = 64 * 1024 * 1024;

/// Bodies up to this size are left to the allocator: they can arrive as one piece, which
/// becomes the body without a copy (see `Body::read_to_end`), and small blocks are reused
/// by the allocator without page faults anyway.
const SPARE_MIN: usize = 256 * 1024;

/// The buffers one client keeps for its next whole bodies, most recently returned last.
#[derive(Default)]
pub(crate) struct Spares {
    list: Mutex<SpareList>,
}

#[derive(Default)]
struct SpareList {
    buffers: Vec<Vec<u8>>,
    /// Their capacities added up.
    bytes: usize,
}

impl Spares {
    /// An empty buffer for a body of `len` bytes: a spare one whose capacity is at most an
    /// eighth more, else a new empty one (which the read sizes itself).
    pub(crate) fn take(&self, len: Option<usize>) -> Vec<u8> {
        let Some(len) = len.filter(|&n| n > SPARE_MIN) else {
            return Vec::new();
        };
        let mut list = self.list.lock();
        let fits = |b: &Vec<u8>| b.capacity() >= len && b.capacity() - len <= len / 8;
        match list.buffers.iter().rposition(fits) {
            Some(i) => {
                let buffer = list.buffers.swap_remove(i);
                list.bytes -= buffer.capacity();
                buffer
            }
            None => Vec::new(),
        }
    }

    /// Keeps `buffer` for a later body while `busy` and there is room; otherwise frees it, and
    /// an idle client (`busy` false) frees every spare it kept.
    fn give(&self, mut buffer: Vec<u8>, busy: bool) {
        let mut list = self.list.lock();
        if !busy {
            *list = SpareList::default();
            return;
        }
        let capacity = buffer.capacity();
        if capacity <= SPARE_MIN || list.bytes + capacity > SPARE_MAX {
            return;
        }
        buffer.clear();
        list.bytes += capacity;
        list.buffers.push(buffer);
    }
}

/// A whole body on its way to JavaScript, with the client its buffer goes back to.
#[derive(Default)]
pub(crate) struct WholeBody {
    pub(crate) data: Vec<u8>,
    home: Weak<Shared>,
}

impl WholeBody {
    pub(crate) fn new(data: Vec<u8>, home: &Arc<Shared>) -> Self {
        WholeBody {
            data,
            home: Arc::downgrade(home),
        }
    }

    /// JavaScript is done with the bytes: the buffer goes back to its client, if still open.
    pub(crate) fn release(self) {
        if let Some(shared) = self.home.upgrade() {
            let busy = !shared.slots.lock().is_empty();
            shared.spares.give(self.data, busy);
        }
    }
}
