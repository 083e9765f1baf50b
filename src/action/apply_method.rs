//! How a release's objects are sent, and what the new revision records as `apply_method`: Helm 4's
//! `--server-side` (`pkg/action`'s `getUpgradeServerSideValue`, helm v4.1.4) together with the force
//! flags.
//!
//! Helm 4: `install --server-side` is a boolean (default true); `upgrade` and `rollback` take
//! `true`, `false` or `auto` (the default), where `auto` follows the method recorded by the revision
//! the operation starts from (the current one for an upgrade, the target for a rollback; a record
//! without `apply_method`, as Helm 3 writes it, is client-side). Any other word is
//! `invalid/unknown release server-side apply method: WORD`.
//!
//! What Rudder does with each choice:
//! - server-side (`true`, or `auto` on a release applied server-side): server-side apply, conflicts
//!   forced only with `--force-conflicts`, as Helm 4; the fields a client-side revision gave to
//!   manager `helm` are moved to server-side apply first, as Helm 4's `csaupgrade` moves them.
//! - client-side (`false`, or `auto` on a release applied client-side, as Helm 3 applies):
//!   Helm's three-way merge (`crate::kube::client_side`), recorded `csa`, as Helm 4.
//! - `--force-replace` (or Helm 3's `--force`): objects replaced whole (`PUT`), recorded `csa`, as
//!   Helm 4 records a replace; refused with an explicit `--server-side=true`, as Helm 4 refuses it.
//! - `install --server-side=false`: objects created (`POST`, manager `helm`, operation
//!   `Update`), recorded `csa`, as Helm creates them; objects adopted (`--take-ownership`, or
//!   already the release's) patched as Helm 4 patches them (see `crate::kube::client_side`).
use super::release_error::Error;
use crate::kube::apply::ApplyParams;
use crate::storage::record::Release;

/// Helm 4's `--server-side`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ServerSide {
    /// Follow the method the starting revision recorded (upgrade, rollback).
    #[default]
    Auto,
    On,
    Off,
}

impl ServerSide {
    /// `upgrade`/`rollback --server-side=WORD`: exactly `auto`, `true` or `false`, as Helm 4.
    pub fn parse(text: &str) -> Result<ServerSide, String> {
        match text {
            "auto" => Ok(ServerSide::Auto),
            "true" => Ok(ServerSide::On),
            "false" => Ok(ServerSide::Off),
            other => Err(format!(
                "invalid/unknown release server-side apply method: {other}"
            )),
        }
    }

    /// `install --server-side[=BOOL]`.
    pub fn from_bool(on: bool) -> ServerSide {
        if on {
            ServerSide::On
        } else {
            ServerSide::Off
        }
    }
}

/// How an operation sends its objects and what its revision records.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub params: ApplyParams,
    /// The new revision's `apply_method`.
    pub method: &'static str,
}

/// The plan of an upgrade (`revisions`: the current one) or a rollback (the current one and the
/// target, the target last), from `--server-side` and the force flags.
pub fn plan(
    server_side: ServerSide,
    force_replace: bool,
    force_conflicts: bool,
    revisions: &[&Release],
) -> Result<Plan, Error> {
    if force_replace {
        if server_side == ServerSide::On {
            return Err(Error::msg(
                "invalid operation: cannot use server-side apply and force replace together",
            ));
        }
        return Ok(Plan {
            params: ApplyParams {
                replace: true,
                force_conflicts,
                ..ApplyParams::default()
            },
            method: "csa",
        });
    }
    // Helm 4's `auto`: the method of the revision the operation starts from (an upgrade's
    // current revision, a rollback's target: the last one given).
    let client_side = match server_side {
        ServerSide::Off => true,
        ServerSide::On => false,
        ServerSide::Auto => revisions.last().is_some_and(|r| r.apply_method != "ssa"),
    };
    if client_side {
        return Ok(Plan {
            params: ApplyParams {
                client_side: true,
                ..ApplyParams::default()
            },
            method: "csa",
        });
    }
    // `auto` back to a server-side revision from a client-side one: the fields the merge set
    // move to server-side apply, forced as the merge would overwrite them.
    let forced = force_conflicts
        || (server_side == ServerSide::Auto && revisions.iter().any(|r| r.apply_method != "ssa"));
    Ok(Plan {
        params: ApplyParams {
            force_conflicts: forced,
            ..ApplyParams::default()
        },
        method: "ssa",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn release(method: &str) -> Release {
        Release {
            apply_method: method.to_string(),
            ..Release::default()
        }
    }

    #[test]
    fn parses_only_helm_4_words() {
        assert_eq!(ServerSide::parse("auto"), Ok(ServerSide::Auto));
        assert_eq!(ServerSide::parse("true"), Ok(ServerSide::On));
        assert_eq!(ServerSide::parse("false"), Ok(ServerSide::Off));
        assert_eq!(
            ServerSide::parse("TRUE").unwrap_err(),
            "invalid/unknown release server-side apply method: TRUE"
        );
    }

    #[test]
    fn plans_as_documented() {
        let (ssa, csa) = (release("ssa"), release(""));
        let p = plan(ServerSide::Auto, false, false, &[&ssa]).unwrap();
        assert_eq!((p.method, p.params.force_conflicts), ("ssa", false));
        let p = plan(ServerSide::Auto, false, false, &[&csa]).unwrap();
        assert_eq!((p.method, p.params.client_side), ("csa", true));
        // A rollback follows its target: to a server-side revision from a client-side one.
        let p = plan(ServerSide::Auto, false, false, &[&csa, &ssa]).unwrap();
        assert_eq!((p.method, p.params.force_conflicts), ("ssa", true));
        let p = plan(ServerSide::Auto, false, false, &[&ssa, &csa]).unwrap();
        assert_eq!((p.method, p.params.client_side), ("csa", true));
        let p = plan(ServerSide::On, false, false, &[&csa]).unwrap();
        assert_eq!((p.method, p.params.force_conflicts), ("ssa", false));
        let p = plan(ServerSide::On, false, true, &[&ssa]).unwrap();
        assert!(p.params.force_conflicts);
        let p = plan(ServerSide::Off, true, false, &[&ssa]).unwrap();
        assert_eq!((p.method, p.params.replace), ("csa", true));
        assert_eq!(
            plan(ServerSide::On, true, false, &[&ssa])
                .unwrap_err()
                .to_string(),
            "invalid operation: cannot use server-side apply and force replace together"
        );
        let p = plan(ServerSide::Off, false, false, &[&ssa]).unwrap();
        assert_eq!((p.method, p.params.client_side), ("csa", true));
    }
}
