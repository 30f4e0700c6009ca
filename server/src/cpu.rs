//! CPU-heavy request work (recurrence expansion, rendering large reports, imports) runs
//! here, off the async workers, so one expensive request cannot delay health checks,
//! SMTP greetings or shutdown; a semaphore bounds how many run at once.

use std::sync::Arc;

use tokio::sync::Semaphore;

use crate::error::ApiError;

/// The bounded pool of CPU work.
#[derive(Clone)]
pub struct CpuPool {
    permits: Arc<Semaphore>,
}

impl CpuPool {
    /// At most `concurrent` pieces of work at once (at least one).
    pub fn new(concurrent: usize) -> CpuPool {
        CpuPool {
            permits: Arc::new(Semaphore::new(concurrent.max(1))),
        }
    }

    /// A pool as wide as the machine's cores.
    pub fn per_core() -> CpuPool {
        CpuPool::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    }

    /// Runs `work` on a blocking thread once a place is free.
    pub async fn run<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| ApiError::internal(format!("CPU pool closed: {e}")))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| ApiError::internal(format!("CPU work failed: {e}")))
    }
}
