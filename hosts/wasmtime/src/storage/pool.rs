//! The idle connections of a network store, shared by the threads that use it.

use std::io;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// The most idle connections a store keeps: as many as threads that used it at once, up to
/// this; a busier moment opens more and closes them when done.
const MAX_IDLE: usize = 16;

/// Idle connections of one store. An operation takes one (or opens one when none is idle),
/// uses it without holding the lock, and puts it back once it succeeded.
///
/// A failed operation closes its connection, whose state is unknown (a reply half read, a
/// transaction left open), and every idle one too: an operation fails when the server went
/// away or restarted, and then the idle connections are dead as well. So a server that comes
/// back is used from the next operation on, rather than after one failure per stale
/// connection. No operation is retried: a compare-and-swap whose reply was lost may have
/// happened, and only the flows, which read the key again, can tell.
pub(super) struct Pool<C> {
    idle: Mutex<Vec<C>>,
}

impl<C> Pool<C> {
    pub(super) fn new() -> Self {
        Pool { idle: Mutex::new(Vec::new()) }
    }

    /// Runs `operation` on an idle connection, or on a new one from `connect`.
    pub(super) fn run<T>(
        &self,
        connect: impl FnOnce() -> io::Result<C>,
        operation: impl FnOnce(&mut C) -> io::Result<T>,
    ) -> io::Result<T> {
        let idle = self.idle().pop();
        let mut connection = match idle {
            Some(connection) => connection,
            None => connect()?,
        };
        match operation(&mut connection) {
            Ok(value) => {
                let mut idle = self.idle();
                if idle.len() < MAX_IDLE {
                    idle.push(connection);
                }
                Ok(value)
            }
            Err(error) => {
                // Dropped outside the lock: closing a connection may wait on the network.
                let stale = std::mem::take(&mut *self.idle());
                drop(stale);
                Err(error)
            }
        }
    }

    fn idle(&self) -> MutexGuard<'_, Vec<C>> {
        // Nothing panics while the lock is held, and a list of connections cannot be left
        // half-updated: a poisoned lock is still a good one.
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_closes_every_idle_connection() {
        let pool = Pool::new();
        let opened = std::cell::Cell::new(0);
        let connect = || {
            opened.set(opened.get() + 1);
            Ok(opened.get())
        };
        assert_eq!(pool.run(connect, |c| Ok(*c)).unwrap(), 1);
        assert_eq!(pool.run(connect, |c| Ok(*c)).unwrap(), 1, "reused");
        let failed: io::Result<()> = pool.run(connect, |_| Err(io::Error::other("gone")));
        assert!(failed.is_err());
        assert_eq!(pool.run(connect, |c| Ok(*c)).unwrap(), 2, "a fresh one after the failure");
        let refused = pool.run(|| Err::<i32, _>(io::Error::other("refused")), |c| Ok(*c));
        assert_eq!(refused.unwrap(), 2, "an idle one is used before connecting");
    }
}
