//! `test`: run a release's test hooks. Mirrors `action.ReleaseTesting` (`pkg/action/release_testing.go`,
//! Helm v3.17.3): the last revision's hooks for the `test` event run as any hook does (weights,
//! delete policies, Jobs and Pods awaited), and their phases are recorded in the revision.
use std::time::Duration;

use super::hooks;
use super::release_error::Error;
use crate::kube::apply::Applier;
use crate::release::HookEvent;
use crate::storage::record::Release;
use crate::storage::Storage;

/// Runs the test hooks of `name`'s last revision; returns the revision with their results, and the
/// error of the first failing test.
pub async fn run(
    applier: &Applier,
    storage: &Storage,
    name: &str,
    timeout: Duration,
) -> (Option<Release>, Result<(), Error>) {
    if let Err(e) = super::release_name::validate(name) {
        return (None, Err(Error::msg(e.to_string())));
    }
    let mut record = match storage.last(name).await {
        Ok(r) => r,
        Err(e) => return (None, Err(e.into())),
    };
    let result = hooks::run(applier, storage, &mut record, HookEvent::Test, timeout).await;
    let stored = storage.update(&mut record).await;
    let result = result.and(stored.map_err(Error::from));
    (Some(record.release), result)
}
