//! Client-side updates, as Helm 3 (and Helm 4 with `--server-side=false`, or `auto` on a release
//! applied client-side) sends them: Helm's `Client.Update` with `patchResourceClientSide`
//! (`pkg/kube/client.go`, helm v3.17.3 and v4.1.4). For each object of the new manifest:
//!
//! - it does not exist: created (`POST`, field manager `helm`);
//! - it exists: the patch from the previous manifest's object (the *original*; for an object the
//!   previous manifest lacks, as when adopted, the new object itself, as Helm appends the adopted
//!   objects to its originals) to the new one, given the live object (see [`super::merge_patch`]):
//!   a strategic merge patch for the kinds Helm's scheme knows, a JSON merge patch for the others
//!   (custom resources; three-way when Helm 4's install adopts objects with `--take-ownership`,
//!   see [`ApplyParams::three_way_json`]); `{}` is not sent.
//!
//! Patch metadata comes from the server's OpenAPI document ([`super::patch_meta`]), read when
//! first needed and kept for the process (a command talks to one cluster; the preflight and the
//! waves of one update share it). Each request can be a server-side dry run (the preflight).
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ::kube::api::DynamicObject;
use ::kube::api::{Patch, PatchParams, PostParams};
use serde_json::Value;

use super::apply::{api_failure, Applier, ApplyParams, Error, FIELD_MANAGER};
use super::discovery::Kind;
use super::merge_patch;
use super::object::Object;
use super::patch_meta::{Meta, Schemas};

/// What a client-side update did to one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    Created,
    Patched,
    /// The patch was empty: nothing sent.
    Unchanged,
}

/// Groups whose kinds Helm's scheme (client-go's, with apiextensions added) knows: their objects
/// get strategic merge patches. Any other group is a custom resource to Helm (JSON merge patch).
const BUILT_IN_GROUPS: &[&str] = &[
    "",
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "apps",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "autoscaling",
    "batch",
    "certificates.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "events.k8s.io",
    "flowcontrol.apiserver.k8s.io",
    "internal.apiserver.k8s.io",
    "networking.k8s.io",
    "node.k8s.io",
    "policy",
    "rbac.authorization.k8s.io",
    "resource.k8s.io",
    "scheduling.k8s.io",
    "storage.k8s.io",
    "storagemigration.k8s.io",
];

/// Whether Helm sends objects of `kind` a strategic merge patch. apiextensions `v1beta1` CRDs
/// get a JSON merge patch (Helm's explicit `isCRD` case).
pub fn is_strategic(kind: &Kind) -> bool {
    let group = kind.resource.group.as_str();
    BUILT_IN_GROUPS.contains(&group)
        && !(group == "apiextensions.k8s.io" && kind.resource.version == "v1beta1")
}

/// Updates every object of `target` concurrently (see the module doc); `originals` is the
/// previous manifest's objects. Of `params`, `dry_run` and `three_way_json` count. Results in
/// order.
pub async fn update_all(
    applier: &Applier,
    target: &[(Object, Kind)],
    originals: &[(Object, Kind)],
    params: ApplyParams,
) -> Vec<Result<Sent, Error>> {
    let dry_run = params.dry_run;
    let live = applier.get_all(target).await;
    let needs_schema = target
        .iter()
        .zip(&live)
        .any(|((_, kind), live)| is_strategic(kind) && matches!(live, Ok(Some(_))));
    let schemas = if needs_schema {
        match schemas(applier).await {
            Ok(s) => Some(s),
            Err(e) => return target.iter().map(|_| Err(e.clone())).collect(),
        }
    } else {
        None
    };
    let schemas = schemas.as_deref();
    // Reversed so that the first of two same-key objects wins, as a search from the start would.
    let originals: HashMap<_, &Value> = originals
        .iter()
        .rev()
        .map(|(o, _)| (o.key(), &o.body))
        .collect();
    let originals = &originals;
    let requests = target
        .iter()
        .zip(live)
        .map(|((object, kind), live)| async move {
            let live = live?;
            match live {
                None => create(applier, object, kind, dry_run)
                    .await
                    .map(|_| Sent::Created),
                Some(live) => {
                    let original = originals
                        .get(&object.key())
                        .copied()
                        .unwrap_or(&object.body);
                    let patch = patch_for(
                        kind,
                        (original, &object.body, &live),
                        schemas,
                        params.three_way_json,
                    );
                    if merge_patch::is_empty(&patch) {
                        return Ok(Sent::Unchanged);
                    }
                    send(applier, object, kind, patch, dry_run)
                        .await
                        .map(|_| Sent::Patched)
                }
            }
        });
    futures::future::join_all(requests).await
}

/// The server's patch metadata, read once per process.
async fn schemas(applier: &Applier) -> Result<Arc<Schemas>, Error> {
    static CACHE: Mutex<Option<Arc<Schemas>>> = Mutex::new(None);
    let cached = CACHE.lock().unwrap_or_else(|e| e.into_inner()).clone();
    if let Some(schemas) = cached {
        return Ok(schemas);
    }
    let fetched = Schemas::fetch(applier.client())
        .await
        .map_err(|e| Error::Unreachable(format!("reading the server's OpenAPI document: {e}")))?;
    let fetched = Arc::new(fetched);
    *CACHE.lock().unwrap_or_else(|e| e.into_inner()) = Some(fetched.clone());
    Ok(fetched)
}

/// Helm's `createPatch` for one object.
fn patch_for(
    kind: &Kind,
    (original, modified, live): (&Value, &Value, &Value),
    schemas: Option<&Schemas>,
    three_way_json: bool,
) -> Value {
    if !is_strategic(kind) {
        if three_way_json {
            return merge_patch::three_way_json(original, modified, live);
        }
        return merge_patch::two_way_json(original, modified);
    }
    let r = &kind.resource;
    let meta = schemas.map_or(Meta::none(), |s| s.kind(&r.group, &r.version, &r.kind));
    merge_patch::three_way_strategic(original, modified, live, meta)
}

async fn create(
    applier: &Applier,
    object: &Object,
    kind: &Kind,
    dry_run: bool,
) -> Result<Value, Error> {
    let params = PostParams {
        dry_run,
        field_manager: Some(FIELD_MANAGER.to_string()),
    };
    let body: DynamicObject = serde_json::from_value(object.body.clone())
        .map_err(|e| Error::Unreachable(e.to_string()))?;
    applier
        .api(object, kind)
        .create(&params, &body)
        .await
        .map(|o| serde_json::to_value(o).unwrap_or(Value::Null))
        .map_err(|e| api_failure("create", object, e))
}

async fn send(
    applier: &Applier,
    object: &Object,
    kind: &Kind,
    patch: Value,
    dry_run: bool,
) -> Result<Value, Error> {
    let params = PatchParams {
        dry_run,
        field_manager: Some(FIELD_MANAGER.to_string()),
        ..PatchParams::default()
    };
    let patch = if is_strategic(kind) {
        Patch::Strategic(patch)
    } else {
        Patch::Merge(patch)
    };
    applier
        .api(object, kind)
        .patch(&object.name, &params, &patch)
        .await
        .map(|o| serde_json::to_value(o).unwrap_or(Value::Null))
        .map_err(|e| api_failure("patch", object, e))
}
