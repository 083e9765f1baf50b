//! Errors of release storage. The first line is Helm's where Helm has one
//! (`release: not found`, `"x" has no deployed releases`, `create: failed to create: …`).
use super::codec::DecodeError;

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Mirrors `driver.ErrReleaseNotFound`.
    #[error("release: not found")]
    NotFound,
    /// Mirrors `driver.ErrReleaseExists`: the revision's record already exists (the lock Helm
    /// relies on when two clients create the same revision).
    #[error("release: already exists")]
    Exists,
    /// Mirrors `driver.NewErrNoDeployedReleases`.
    #[error("{0:?} has no deployed releases")]
    NoDeployed(String),
    /// `Storage.Last` on a release without records.
    #[error("no revision for release {0:?}")]
    NoRevision(String),
    /// A stored record could not be decoded; `object` names it (`Secret ns/name`).
    #[error("get: failed to decode data {key:?} ({object}): {source}")]
    Decode {
        key: String,
        object: String,
        #[source]
        source: DecodeError,
    },
    /// Someone else changed the record between our read and our write (optimistic concurrency).
    #[error("update: failed to update: {object} was changed by another client since it was read; nothing was written")]
    Conflict { object: String },
    /// A label value the API server would refuse (Helm's `Query` check).
    #[error("invalid label value: {0:?}")]
    InvalidLabel(String),
    /// The release could not be encoded.
    #[error("failed to encode release {name:?}: {detail}")]
    Encode { name: String, detail: String },
    /// The cluster refused or could not be reached; `context` is Helm's prefix
    /// (`list: failed to list`, `create: failed to create`, …).
    #[error("{context}: {source}")]
    Kube {
        context: &'static str,
        #[source]
        source: crate::kube::Error,
    },
    /// The encoded record is over Kubernetes' 1 MiB object limit (helm/helm#6711, #7126, #9788):
    /// refused before anything is written, naming what made it large.
    #[error("release {name:?} revision {revision} is too large to store: its record would be {size} bytes, over the {limit}-byte limit of a Kubernetes object; the largest parts are {largest}. Leave files the release does not need out of the chart (.helmignore)")]
    TooLarge {
        name: String,
        revision: i64,
        size: usize,
        limit: usize,
        /// `path (N bytes)`, largest first.
        largest: String,
    },
    /// A driver-specific failure (SQL).
    #[error("{0}")]
    Backend(String),
}

impl Error {
    pub(crate) fn kube(context: &'static str, source: crate::kube::Error) -> Error {
        Error::Kube { context, source }
    }

    /// Whether the cluster could not be reached or answered as a server that is not up (5xx):
    /// worth trying again shortly.
    pub fn is_unreachable(&self) -> bool {
        match self {
            Error::Kube { source, .. } => matches!(
                source,
                crate::kube::Error::Unreachable { .. }
                    | crate::kube::Error::Api(crate::kube::error::ApiError { code: 500.., .. })
            ),
            _ => false,
        }
    }
}
