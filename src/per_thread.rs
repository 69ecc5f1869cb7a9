//! A value per thread for one owner (the log sink's buffers, the journal's queues): each thread
//! writes to its own, so threads on the request path never write the same cache line, and the owner
//! reads them all.

use std::any::Any;
use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// One thread's value.
pub type Slot<T> = Arc<Mutex<T>>;

pub struct PerThread<T> {
    id: u64,
    /// Every thread's slot, registered on the thread's first use.
    slots: Mutex<Vec<Slot<T>>>,
}

/// Tells owners apart in the per-thread table (unique across all types, so a slot found under an
/// owner's id is always of its type).
static NEXT_OWNER: AtomicU64 = AtomicU64::new(0);

thread_local! {
    /// This thread's slot in each owner it has used.
    static MINE: RefCell<Vec<(u64, Arc<dyn Any + Send + Sync>)>> = const { RefCell::new(Vec::new()) };
}

pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<T: Default + Send + 'static> PerThread<T> {
    pub fn new() -> Self {
        PerThread {
            id: NEXT_OWNER.fetch_add(1, Ordering::Relaxed),
            slots: Mutex::new(Vec::new()),
        }
    }

    /// This thread's slot, made and registered on first use; `None` while the thread is exiting
    /// (its thread-locals are gone).
    pub fn mine(&self) -> Option<Slot<T>> {
        MINE.try_with(|mine| {
            let mut mine = mine.borrow_mut();
            let found = mine.iter().find(|(id, _)| *id == self.id);
            if let Some(slot) = found.and_then(|(_, slot)| Arc::clone(slot).downcast().ok()) {
                return slot;
            }
            // Forget the slots of owners that are gone.
            mine.retain(|(_, slot)| Arc::strong_count(slot) > 1);
            let slot = self.register();
            mine.push((self.id, Arc::clone(&slot) as Arc<dyn Any + Send + Sync>));
            slot
        })
        .ok()
    }

    /// A new slot, registered with the owner but kept by no thread.
    pub fn register(&self) -> Slot<T> {
        let slot = Slot::<T>::default();
        lock(&self.slots).push(Arc::clone(&slot));
        slot
    }

    /// Every slot registered.
    pub fn all(&self) -> MutexGuard<'_, Vec<Slot<T>>> {
        lock(&self.slots)
    }
}

impl<T: Default + Send + 'static> Default for PerThread<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> std::fmt::Debug for PerThread<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PerThread").field("id", &self.id).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_thread_gets_its_own_slot_and_the_owner_sees_them_all() {
        let counts: PerThread<u32> = PerThread::new();
        let other: PerThread<String> = PerThread::new();
        std::thread::scope(|s| {
            for _ in 0..3 {
                s.spawn(|| {
                    for _ in 0..10 {
                        *lock(&counts.mine().expect("a live thread")) += 1;
                    }
                    lock(&other.mine().expect("a live thread")).push('x');
                });
            }
        });
        let seen: Vec<u32> = counts.all().iter().map(|slot| *lock(slot)).collect();
        assert_eq!(seen, [10, 10, 10]);
        assert_eq!(other.all().len(), 3, "each owner keeps its own slots");
    }
}
