//! Background work, started from one list so that a job cannot be written and never
//! started (a visit flusher once was): each job is a future that gets a stop signal and
//! finishes its last unit of work (a final flush) before the server exits.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Tells a job to finish: `stopped()` resolves once the server is shutting down.
#[derive(Clone)]
pub struct Stop(watch::Receiver<bool>);

impl Stop {
    /// Resolves when the server asks jobs to stop (at once if it already has).
    pub async fn stopped(&mut self) {
        let _ = self.0.wait_for(|stop| *stop).await;
    }
}

type JobFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A named background job.
pub struct Job {
    pub name: &'static str,
    pub run: Box<dyn FnOnce(Stop) -> JobFuture + Send>,
}

impl Job {
    pub fn new<F, Fut>(name: &'static str, run: F) -> Job
    where
        F: FnOnce(Stop) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        Job {
            name,
            run: Box::new(move |stop| Box::pin(run(stop))),
        }
    }
}

/// The running jobs.
pub struct Running {
    stop: watch::Sender<bool>,
    handles: Vec<(&'static str, JoinHandle<()>)>,
}

/// Starts every job of the list.
pub fn start(jobs: Vec<Job>) -> Running {
    let (stop, rx) = watch::channel(false);
    let handles = jobs
        .into_iter()
        .map(|job| {
            tracing::debug!(job = job.name, "starting background job");
            (job.name, tokio::spawn((job.run)(Stop(rx.clone()))))
        })
        .collect();
    Running { stop, handles }
}

impl Running {
    /// Signals every job to stop and waits (bounded) for each to finish its last work.
    pub async fn shutdown(self, grace: Duration) {
        let _ = self.stop.send(true);
        for (name, handle) in self.handles {
            let abort = handle.abort_handle();
            if tokio::time::timeout(grace, handle).await.is_err() {
                tracing::warn!(job = name, "background job did not stop in time; aborted");
                abort.abort();
            }
        }
    }
}

/// Runs `tick` every `period` until stopped, then once more (so nothing counted in
/// memory is left behind at a clean shutdown).
pub async fn every<F, Fut>(period: Duration, mut stop: Stop, mut tick: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    let mut interval = tokio::time::interval(period);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = interval.tick() => tick().await,
            _ = stop.stopped() => break,
        }
    }
    tick().await;
}
