//! SIGINT and SIGTERM during an operation that changes a cluster: the operation stops where it is
//! and its revision is recorded `failed`, as Helm 3.7+ does (helm/helm#9180), instead of leaving a
//! `pending-*` lock behind.

/// Completes when the process receives SIGINT or SIGTERM (never, if they cannot be watched).
pub async fn interrupted() {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
}

/// The error an interrupted operation fails with (Go's `context.Canceled`).
pub const CANCELED: &str = "context canceled";
