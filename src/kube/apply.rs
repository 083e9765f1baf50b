//! Changing objects on the cluster: server-side apply (field manager `helm`), create, get, delete,
//! each for any kind the server serves (resolved through [`super::discovery`]), namespaced or
//! cluster-scoped as the server says.
//!
//! Batches ([`Applier::apply_all`], [`Applier::replace_all`], [`Applier::delete_all`]) run their
//! requests concurrently, as Helm's `batchPerform` does for objects of one kind.
use std::sync::Mutex;

use ::kube::api::{
    Api, DeleteParams, DynamicObject, Patch, PatchParams, PostParams, PropagationPolicy,
};
use serde_json::Value;

use super::discovery::{Kind, ServerResources};
use super::object::Object;

/// The field manager Helm uses (`kube.ManagedFieldsManager` defaults to `helm`).
pub const FIELD_MANAGER: &str = "helm";

/// A failure talking to the cluster. `Display` is the text Helm prints after its own prefix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// No usable connection (kubeconfig, context, TLS, unreachable server).
    #[error("Kubernetes cluster unreachable: {0}")]
    Unreachable(String),
    /// A kind the server does not serve (no CRD for it, or a wrong apiVersion).
    #[error("resource mapping not found for name: {name:?} namespace: {namespace:?} from \"\": no matches for kind {kind:?} in version {api_version:?}\nensure CRDs are installed first")]
    UnknownKind {
        name: String,
        namespace: String,
        kind: String,
        api_version: String,
    },
    /// The API server refused a request for one object.
    #[error("{0}")]
    Api(ApiFailure),
    /// Several objects failed (Helm joins their errors with ` && `).
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join(" && "))]
    Many(Vec<Error>),
}

/// What the API server said about one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiFailure {
    /// `create`, `patch`, `get`, `delete`.
    pub verb: &'static str,
    pub kind: String,
    pub name: String,
    /// The server's message (`StatefulSet.apps "db" is invalid: spec: Forbidden: …`).
    pub message: String,
    /// The server's reason (`Invalid`, `NotFound`, `AlreadyExists`, `Conflict`, `Forbidden`).
    pub reason: String,
    pub code: u16,
}

impl std::fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.verb {
            "create" => write!(f, "failed to create resource: {}", self.message),
            "replace" => write!(f, "failed to replace object: {}", self.message),
            // A server-side apply conflict: the message is Helm 4's whole text.
            "apply" => f.write_str(&self.message),
            verb => write!(
                f,
                "cannot {verb} {:?} with kind {}: {}",
                self.name, self.kind, self.message
            ),
        }
    }
}

impl Error {
    /// Whether the server answered 404 for the object.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::Api(f) if f.code == 404)
    }
    /// Whether a server-side apply was refused because another field manager owns a field.
    pub fn is_conflict(&self) -> bool {
        matches!(self, Error::Api(f) if f.verb == "apply")
    }
    /// Whether the object already existed (a create).
    pub fn is_already_exists(&self) -> bool {
        matches!(self, Error::Api(f) if f.reason == "AlreadyExists" || f.code == 409 && f.verb == "create")
    }
}

/// A refused request as `verb` on `object`, or the cluster unreachable.
pub(super) fn api_failure(verb: &'static str, object: &Object, err: ::kube::Error) -> Error {
    match err {
        ::kube::Error::Api(status) => Error::Api(ApiFailure {
            verb,
            kind: object.kind.clone(),
            name: object.name.clone(),
            message: status.message.clone(),
            reason: status.reason.clone(),
            code: status.code,
        }),
        other => Error::Unreachable(other.to_string()),
    }
}

/// A refused server-side apply as Helm 4's `patchResourceServerSide` words it: a conflict
/// (another field manager owns a field) names the object and its group/version/kind.
fn apply_failure(object: &Object, kind: &Kind, err: ::kube::Error) -> Error {
    match err {
        ::kube::Error::Api(status) if status.code == 409 && status.reason == "Conflict" => {
            let ns = object.namespace.as_deref().unwrap_or_default();
            let gvk = format!(
                "{}/{}, Kind={}",
                kind.resource.group, kind.resource.version, kind.resource.kind
            );
            Error::Api(ApiFailure {
                verb: "apply",
                kind: object.kind.clone(),
                name: object.name.clone(),
                message: format!(
                    "conflict occurred while applying object {ns}/{} {gvk}: {}",
                    object.name, status.message
                ),
                reason: status.reason.clone(),
                code: status.code,
            })
        }
        other => api_failure("patch", object, other),
    }
}

/// How to apply.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApplyParams {
    /// Server-side dry run: the server validates and admits, nothing is stored.
    pub dry_run: bool,
    /// Take over fields another manager owns (`--force-conflicts`).
    pub force_conflicts: bool,
    /// Replace existing objects whole (`PUT`) instead of applying them: Helm 3's `--force`, Helm
    /// 4's `--force-replace` (see [`Applier::replace_all`]).
    pub replace: bool,
    /// Update existing objects with Helm's client-side patches instead (see
    /// [`super::client_side`]).
    pub client_side: bool,
    /// With `client_side`: custom resources get a three-way JSON merge patch instead of the
    /// two-way one (Helm 4's install adopting objects with `--take-ownership`).
    pub three_way_json: bool,
}

/// Applies objects to one cluster, resolving kinds through discovery.
pub struct Applier {
    client: ::kube::Client,
    resources: Mutex<ServerResources>,
}

impl Applier {
    /// Reads what the server serves.
    pub async fn new(client: ::kube::Client) -> Result<Applier, Error> {
        let resources = ServerResources::discover(&client)
            .await
            .map_err(|e| Error::Unreachable(e.to_string()))?;
        Ok(Applier {
            client,
            resources: Mutex::new(resources),
        })
    }

    /// The kube-rs client.
    pub fn client(&self) -> &::kube::Client {
        &self.client
    }

    /// What the server serves (a snapshot).
    pub fn resources(&self) -> ServerResources {
        self.lock().clone()
    }

    /// `.Capabilities` of this server.
    pub fn capabilities(&self) -> crate::engine::Capabilities {
        self.lock().capabilities()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ServerResources> {
        self.resources.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Reads discovery again (after CRDs were created).
    pub async fn refresh(&self) -> Result<(), Error> {
        let fresh = ServerResources::discover(&self.client)
            .await
            .map_err(|e| Error::Unreachable(e.to_string()))?;
        *self.lock() = fresh;
        Ok(())
    }

    /// Resolves the object's kind and, for namespaced kinds without a namespace, sets
    /// `namespace`; cluster-scoped objects lose any namespace they were given (the server ignores
    /// it too). Discovery is read again once when the kind is unknown.
    pub async fn resolve(&self, object: &mut Object, namespace: &str) -> Result<Kind, Error> {
        let found = self.lock().kind(&object.api_version, &object.kind).cloned();
        let kind = match found {
            Some(kind) => kind,
            None => {
                self.refresh().await?;
                let found = self.lock().kind(&object.api_version, &object.kind).cloned();
                found.ok_or_else(|| Error::UnknownKind {
                    name: object.name.clone(),
                    namespace: object.namespace.clone().unwrap_or_default(),
                    kind: object.kind.clone(),
                    api_version: object.api_version.clone(),
                })?
            }
        };
        if kind.namespaced {
            if object.namespace.is_none() {
                object.set_namespace(namespace);
            }
        } else {
            object.namespace = None;
        }
        Ok(kind)
    }

    /// Resolves every object (see [`Applier::resolve`]).
    pub async fn resolve_all(
        &self,
        objects: Vec<Object>,
        namespace: &str,
    ) -> Result<Vec<(Object, Kind)>, Error> {
        let mut out = Vec::with_capacity(objects.len());
        for mut object in objects {
            let kind = self.resolve(&mut object, namespace).await?;
            out.push((object, kind));
        }
        Ok(out)
    }

    /// The API of the object's resource (in its namespace when namespaced).
    pub(crate) fn api(&self, object: &Object, kind: &Kind) -> Api<DynamicObject> {
        match &object.namespace {
            Some(ns) if kind.namespaced => {
                Api::namespaced_with(self.client.clone(), ns, &kind.resource)
            }
            _ => Api::all_with(self.client.clone(), &kind.resource),
        }
    }

    /// The live object, or `None` if it does not exist.
    pub async fn get(&self, object: &Object, kind: &Kind) -> Result<Option<Value>, Error> {
        self.api(object, kind)
            .get_opt(&object.name)
            .await
            .map(|o| o.map(|o| serde_json::to_value(o).unwrap_or(Value::Null)))
            .map_err(|e| api_failure("get", object, e))
    }

    /// Every object's live state, concurrently, in order.
    pub async fn get_all(&self, objects: &[(Object, Kind)]) -> Vec<Result<Option<Value>, Error>> {
        futures::future::join_all(objects.iter().map(|(o, k)| self.get(o, k))).await
    }

    /// Server-side applies every object concurrently; returns each object's result in order.
    pub async fn apply_all(
        &self,
        objects: &[(Object, Kind)],
        params: ApplyParams,
    ) -> Vec<Result<Value, Error>> {
        let mut patch = PatchParams::apply(FIELD_MANAGER).validation_strict();
        patch.force = params.force_conflicts;
        patch.dry_run = params.dry_run;
        let patch = &patch;
        let requests = objects.iter().map(|(object, kind)| {
            let api = self.api(object, kind);
            async move {
                api.patch(&object.name, patch, &Patch::Apply(&object.body))
                    .await
                    .map(|o| serde_json::to_value(o).unwrap_or(Value::Null))
                    .map_err(|e| apply_failure(object, kind, e))
            }
        });
        futures::future::join_all(requests).await
    }

    /// Replaces every object whole (`PUT`), concurrently, as Helm's `--force` does
    /// (`helper.Replace`): the manifest becomes the object, fields it does not set are dropped
    /// (defaulted again by the server), and the field manager `helm` (operation `Update`) owns
    /// what it sets. An object that does not exist is created (`POST`), as Helm creates it.
    /// Returns each object's live state and whether it was created.
    ///
    /// Helm reads each object for its `resourceVersion` first; the `PUT` here is sent without
    /// one (an unconditional update, the same effect in one round trip), and only a kind whose
    /// server refuses unconditional updates has its version read and the `PUT` sent again.
    pub async fn replace_all(
        &self,
        objects: &[(Object, Kind)],
        dry_run: bool,
    ) -> Vec<Result<(Value, bool), Error>> {
        let params = PostParams {
            dry_run,
            field_manager: Some(FIELD_MANAGER.to_string()),
        };
        let params = &params;
        let requests = objects.iter().map(|(object, kind)| async move {
            let api = self.api(object, kind);
            let mut body: DynamicObject = serde_json::from_value(object.body.clone())
                .map_err(|e| Error::Unreachable(e.to_string()))?;
            let mut replaced = api.replace(&object.name, params, &body).await;
            if let Err(::kube::Error::Api(status)) = &replaced {
                if status.code == 422 && status.message.contains("must be specified for an update")
                {
                    if let Some(live) = api
                        .get_opt(&object.name)
                        .await
                        .map_err(|e| api_failure("get", object, e))?
                    {
                        body.metadata.resource_version = live.metadata.resource_version;
                        replaced = api.replace(&object.name, params, &body).await;
                    }
                }
            }
            match replaced {
                Ok(o) => Ok((serde_json::to_value(o).unwrap_or(Value::Null), false)),
                Err(::kube::Error::Api(status)) if status.code == 404 => api
                    .create(params, &body)
                    .await
                    .map(|o| (serde_json::to_value(o).unwrap_or(Value::Null), true))
                    .map_err(|e| api_failure("create", object, e)),
                Err(e) => Err(api_failure("replace", object, e)),
            }
        });
        futures::future::join_all(requests).await
    }

    /// Replaces the object's `metadata.managedFields`, on condition that it is still at
    /// `resource_version` (a merge patch; the server keeps managed fields a request sets).
    pub async fn set_managed_fields(
        &self,
        object: &Object,
        kind: &Kind,
        managed_fields: Value,
        resource_version: &str,
    ) -> Result<(), Error> {
        let body = serde_json::json!({
            "metadata": {"managedFields": managed_fields, "resourceVersion": resource_version}
        });
        self.api(object, kind)
            .patch(&object.name, &PatchParams::default(), &Patch::Merge(&body))
            .await
            .map(|_| ())
            .map_err(|e| api_failure("patch", object, e))
    }

    /// Creates every object concurrently (CRDs, hooks).
    pub async fn create_all(&self, objects: &[(Object, Kind)]) -> Vec<Result<Value, Error>> {
        let params = PostParams {
            dry_run: false,
            field_manager: Some(FIELD_MANAGER.to_string()),
        };
        let params = &params;
        let requests = objects.iter().map(|(object, kind)| {
            let api = self.api(object, kind);
            async move {
                let body: DynamicObject = serde_json::from_value(object.body.clone())
                    .map_err(|e| Error::Unreachable(e.to_string()))?;
                api.create(params, &body)
                    .await
                    .map(|o| serde_json::to_value(o).unwrap_or(Value::Null))
                    .map_err(|e| api_failure("create", object, e))
            }
        });
        futures::future::join_all(requests).await
    }

    /// Deletes every object concurrently with the given propagation (`background` by default, as
    /// Helm). An object already gone counts as deleted (`Ok(false)`).
    pub async fn delete_all(
        &self,
        objects: &[(Object, Kind)],
        propagation: Option<PropagationPolicy>,
    ) -> Vec<Result<bool, Error>> {
        self.delete_each(objects, propagation)
            .await
            .into_iter()
            .map(|r| r.map(|d| d != Deletion::Absent))
            .collect()
    }

    /// [`Applier::delete_all`], saying of each object whether the API server removed it at once
    /// or is still deleting it (finalizers, graceful deletion): only the latter need to be
    /// awaited.
    pub async fn delete_each(
        &self,
        objects: &[(Object, Kind)],
        propagation: Option<PropagationPolicy>,
    ) -> Vec<Result<Deletion, Error>> {
        let params = DeleteParams {
            propagation_policy: Some(propagation.unwrap_or(PropagationPolicy::Background)),
            ..DeleteParams::default()
        };
        let params = &params;
        let requests = objects.iter().map(|(object, kind)| {
            let api = self.api(object, kind);
            async move {
                match api.delete(&object.name, params).await {
                    // The object back (`Left`) with a deletion timestamp: still being deleted;
                    // a `Status` (`Right`), or the object without one: removed.
                    Ok(answer) => Ok(match answer.left() {
                        Some(o) if o.metadata.deletion_timestamp.is_some() => Deletion::Pending,
                        _ => Deletion::Gone,
                    }),
                    Err(::kube::Error::Api(s)) if s.code == 404 => Ok(Deletion::Absent),
                    Err(e) => Err(api_failure("delete", object, e)),
                }
            }
        });
        futures::future::join_all(requests).await
    }
}

/// What a `DELETE` did to one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deletion {
    /// There was no such object (404).
    Absent,
    /// Removed at once: the server answered with a `Status`, or with the object as it was
    /// (kinds that return the deleted object) without a `deletionTimestamp`.
    Gone,
    /// Still there, marked for deletion (finalizers, a graceful deletion, foreground
    /// propagation): gone only once a watch says so.
    Pending,
}

/// The errors of a batch, as one error (`None` when every request succeeded).
pub fn collect_errors<T>(results: Vec<Result<T, Error>>) -> Result<Vec<T>, Error> {
    let mut ok = Vec::new();
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok(v) => ok.push(v),
            Err(e) => errors.push(e),
        }
    }
    match errors.len() {
        0 => Ok(ok),
        1 => Err(errors.remove(0)),
        _ => Err(Error::Many(errors)),
    }
}
