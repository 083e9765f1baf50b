//! The error of the actions that change releases (`install`, `upgrade`, `rollback`, `uninstall`,
//! `test`). `Display` is the text Helm prints after `Error: INSTALLATION FAILED: ` and the like.
use super::deploy::BuildError;
use super::pipeline;
use crate::kube::apply;
use crate::kube::wait::WaitError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Rendering failed (locating the chart through sorting the manifests).
    #[error("{0}")]
    Pipeline(#[from] pipeline::Error),
    /// Reading or writing release records.
    #[error("{0}")]
    Storage(#[from] crate::storage::Error),
    /// Connecting to the cluster.
    #[error("{0}")]
    Kube(#[from] crate::kube::Error),
    /// Applying, reading or deleting objects.
    #[error("{0}")]
    Cluster(#[from] apply::Error),
    /// A manifest that is not a set of objects the server serves.
    #[error("{0}")]
    Build(#[from] BuildError),
    /// Waiting for objects or hooks.
    #[error("{0}")]
    Wait(#[from] WaitError),
    /// Anything else, in Helm's words.
    #[error("{0}")]
    Message(String),
}

impl Error {
    pub fn msg(text: impl Into<String>) -> Error {
        Error::Message(text.into())
    }
}

/// The text a `failed` record's description keeps of an error: its first line (Helm's line; a
/// wait's timeout lists the objects still waiting on the lines below, for the terminal only, so
/// that `history` stays one row per revision).
pub fn description_text(err: &dyn std::fmt::Display) -> String {
    let text = err.to_string();
    text.lines().next().unwrap_or_default().to_string()
}
