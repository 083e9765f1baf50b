//! `release-lock`: frees a release whose last revision is stuck in `pending-*` because the client
//! that held it is gone (killed, crashed, lost its connection). Helm has no such command; its users
//! delete the Secret by hand or roll back (helm/helm#4558, #8987, #10549).
//!
//! The pending revision is not deleted: it is marked `failed` with a description saying who held it
//! and that the lock was released, as Helm 3.7+ marks an interrupted operation failed. No history is
//! lost, and the next upgrade (which only refuses when the last revision is pending) proceeds. The
//! write is conditional on the record being unchanged since it was read, so a holder that finishes
//! at the same moment wins and nothing is overwritten.
//!
//! Safety: the lock is released without `force` only when Rudder recorded the holder and that
//! process is known to be gone (same host, no such pid). A holder on another host, or a pending
//! revision without a recorded holder (written by Helm, or by a Rudder that crashed before writing
//! it), needs `force`, because nothing here can tell whether that client still runs.
use crate::storage::{self, LockHolder, Status, Storage};

/// Why the lock was not released.
#[derive(Debug, thiserror::Error)]
pub enum ReleaseLockError {
    #[error(transparent)]
    Storage(#[from] storage::Error),
    #[error("release {name:?} is not locked: its last revision {revision} is {status}")]
    NotLocked {
        name: String,
        revision: i64,
        status: Status,
    },
    #[error("release {name:?} is locked by pid {} on {} since {}, which is still running; wait for it to finish", .holder.pid, .holder.host, .holder.started)]
    HolderRunning { name: String, holder: LockHolder },
    #[error("release {name:?} revision {revision} is {status}, held by pid {} on {} since {}; whether that process still runs cannot be checked from this host: pass --force if you know it is gone", .holder.pid, .holder.host, .holder.started)]
    HolderElsewhere {
        name: String,
        revision: i64,
        status: Status,
        holder: LockHolder,
    },
    #[error("release {name:?} revision {revision} is {status} and does not say which client holds it (Helm records no holder): pass --force if you know that client is gone")]
    NoHolder {
        name: String,
        revision: i64,
        status: Status,
    },
}

/// What was done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Released {
    pub revision: i64,
    pub previous_status: Status,
    pub description: String,
}

/// Marks the pending last revision of `name` failed, if its holder is gone (or `force`).
pub async fn run(storage: &Storage, name: &str, force: bool) -> Result<Released, ReleaseLockError> {
    let mut last = storage.last(name).await?;
    let status = last.release.status();
    let revision = last.release.version;
    if !status.is_pending() {
        return Err(ReleaseLockError::NotLocked {
            name: name.to_string(),
            revision,
            status,
        });
    }
    let holder = last.holder.clone();
    let who = match &holder {
        Some(h) => match (h.is_gone(), force) {
            (Some(false), _) => {
                return Err(ReleaseLockError::HolderRunning {
                    name: name.to_string(),
                    holder: h.clone(),
                })
            }
            (None, false) => {
                return Err(ReleaseLockError::HolderElsewhere {
                    name: name.to_string(),
                    revision,
                    status,
                    holder: h.clone(),
                })
            }
            _ => format!("pid {} on {} since {}", h.pid, h.host, h.started),
        },
        None if force => "an unrecorded client".to_string(),
        None => {
            return Err(ReleaseLockError::NoHolder {
                name: name.to_string(),
                revision,
                status,
            })
        }
    };
    let description = format!("{status} interrupted: lock held by {who} released by release-lock");
    last.release.set_status(Status::Failed, &description);
    last.holder = None;
    storage.update(&mut last).await?;
    Ok(Released {
        revision,
        previous_status: status,
        description,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::record::{Info, Release};
    use crate::storage::{Memory, Record};

    fn pending(holder: Option<LockHolder>) -> Record {
        Record {
            release: Release {
                name: "a".into(),
                namespace: "default".into(),
                version: 2,
                info: Some(Info {
                    status: Status::PendingUpgrade,
                    ..Default::default()
                }),
                ..Default::default()
            },
            holder,
            ..Default::default()
        }
    }

    fn block<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn frees_only_a_gone_holder() {
        block(async {
            let s = Storage::new(Box::new(Memory::new(Some("default".into()))));
            let mut gone = LockHolder::current();
            gone.pid = u32::MAX - 1;
            s.create(&mut pending(Some(LockHolder::current())))
                .await
                .unwrap();
            assert!(matches!(
                run(&s, "a", true).await,
                Err(ReleaseLockError::HolderRunning { .. })
            ));
            let mut rec = s.last("a").await.unwrap();
            rec.holder = Some(gone);
            s.update(&mut rec).await.unwrap();
            let done = run(&s, "a", false).await.unwrap();
            assert_eq!(done.previous_status, Status::PendingUpgrade);
            let after = s.last("a").await.unwrap();
            assert_eq!(after.release.status(), Status::Failed);
            assert!(after.holder.is_none());
            assert!(matches!(
                run(&s, "a", false).await,
                Err(ReleaseLockError::NotLocked { .. })
            ));
        });
    }

    #[test]
    fn unknown_or_remote_holders_need_force() {
        block(async {
            let s = Storage::new(Box::new(Memory::new(Some("default".into()))));
            s.create(&mut pending(None)).await.unwrap();
            assert!(matches!(
                run(&s, "a", false).await,
                Err(ReleaseLockError::NoHolder { .. })
            ));
            let mut rec = s.last("a").await.unwrap();
            rec.holder = Some(LockHolder {
                host: "elsewhere.invalid".into(),
                pid: 1,
                started: "2026-01-01T00:00:00Z".into(),
            });
            s.update(&mut rec).await.unwrap();
            assert!(matches!(
                run(&s, "a", false).await,
                Err(ReleaseLockError::HolderElsewhere { .. })
            ));
            run(&s, "a", true).await.unwrap();
            assert_eq!(s.last("a").await.unwrap().release.status(), Status::Failed);
        });
    }
}
