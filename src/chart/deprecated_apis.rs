//! Kubernetes API lifecycle data for `lint`'s deprecation rule (Helm's `validateNoDeprecations`).
//!
//! Helm converts each rendered object's `apiVersion`/`kind` into a typed object of client-go's
//! scheme and asks k8s.io/apiserver's `deprecation.IsDeprecated` / `WarningMessage`, which read the
//! lifecycle k8s.io/api declares for its prerelease types. The table below holds that lifecycle for
//! every type of the scheme that declares a deprecation, at k8s.io/api v0.32.2 (the version helm
//! v3.17.3 pins; its lint checks against Kubernetes 1.32 unless `--kube-version` says otherwise).
//! Kinds that are not in the table (custom resources, types that were never deprecated) get no
//! warning. `tests/deprecated_apis_oracle.rs` compares the table with client-go's own scheme
//! (`scripts/k8s-lifecycle-oracle`); docs/compatibility.md lists how helm v4.1.4's table (k8s.io
//! v0.35.1, Kubernetes 1.35) differs.

/// A Kubernetes `major.minor` release.
pub type Release = (u16, u16);

/// The lifecycle of one group/version/kind that Kubernetes deprecated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiLifecycle {
    /// API group; `""` is the core group.
    pub group: &'static str,
    pub version: &'static str,
    pub kind: &'static str,
    pub introduced: Option<Release>,
    pub deprecated: Release,
    /// The release that no longer serves it, when one is declared.
    pub removed: Option<Release>,
    /// `(apiVersion, kind)` to use instead, when one is declared.
    pub replacement: Option<(&'static str, &'static str)>,
}

const fn api(
    group: &'static str,
    version: &'static str,
    kind: &'static str,
    introduced: Option<Release>,
    deprecated: Release,
    removed: Option<Release>,
    replacement: Option<(&'static str, &'static str)>,
) -> ApiLifecycle {
    ApiLifecycle {
        group,
        version,
        kind,
        introduced,
        deprecated,
        removed,
        replacement,
    }
}

/// Every deprecated type of client-go's scheme at k8s.io v0.32.2, sorted by group, version, kind:
/// `api(group, version, kind, introduced, deprecated, removed, replacement)`.
#[rustfmt::skip]
pub const DEPRECATED_APIS: &[ApiLifecycle] = &[
    api("", "v1", "ComponentStatus", Some((1, 0)), (1, 19), None, None),
    api("", "v1", "ComponentStatusList", Some((1, 0)), (1, 19), None, None),
    api("admissionregistration.k8s.io", "v1alpha1", "MutatingAdmissionPolicy", Some((1, 32)), (1, 35), Some((1, 38)), None),
    api("admissionregistration.k8s.io", "v1alpha1", "MutatingAdmissionPolicyBinding", Some((1, 32)), (1, 35), Some((1, 38)), None),
    api("admissionregistration.k8s.io", "v1alpha1", "MutatingAdmissionPolicyBindingList", Some((1, 32)), (1, 35), Some((1, 38)), None),
    api("admissionregistration.k8s.io", "v1alpha1", "MutatingAdmissionPolicyList", Some((1, 32)), (1, 35), Some((1, 38)), None),
    api("admissionregistration.k8s.io", "v1alpha1", "ValidatingAdmissionPolicy", Some((1, 26)), (1, 29), Some((1, 32)), None),
    api("admissionregistration.k8s.io", "v1alpha1", "ValidatingAdmissionPolicyBinding", Some((1, 26)), (1, 29), Some((1, 32)), None),
    api("admissionregistration.k8s.io", "v1alpha1", "ValidatingAdmissionPolicyBindingList", Some((1, 26)), (1, 29), Some((1, 32)), None),
    api("admissionregistration.k8s.io", "v1alpha1", "ValidatingAdmissionPolicyList", Some((1, 26)), (1, 29), Some((1, 32)), None),
    api("admissionregistration.k8s.io", "v1beta1", "MutatingWebhookConfiguration", Some((1, 9)), (1, 16), Some((1, 22)), Some(("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration"))),
    api("admissionregistration.k8s.io", "v1beta1", "MutatingWebhookConfigurationList", Some((1, 9)), (1, 16), Some((1, 22)), Some(("admissionregistration.k8s.io/v1", "MutatingWebhookConfigurationList"))),
    api("admissionregistration.k8s.io", "v1beta1", "ValidatingAdmissionPolicy", Some((1, 28)), (1, 31), Some((1, 34)), None),
    api("admissionregistration.k8s.io", "v1beta1", "ValidatingAdmissionPolicyBinding", Some((1, 28)), (1, 31), Some((1, 34)), None),
    api("admissionregistration.k8s.io", "v1beta1", "ValidatingAdmissionPolicyBindingList", Some((1, 28)), (1, 31), Some((1, 34)), None),
    api("admissionregistration.k8s.io", "v1beta1", "ValidatingAdmissionPolicyList", Some((1, 28)), (1, 31), Some((1, 34)), None),
    api("admissionregistration.k8s.io", "v1beta1", "ValidatingWebhookConfiguration", Some((1, 9)), (1, 16), Some((1, 22)), Some(("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration"))),
    api("admissionregistration.k8s.io", "v1beta1", "ValidatingWebhookConfigurationList", Some((1, 9)), (1, 16), Some((1, 22)), Some(("admissionregistration.k8s.io/v1", "ValidatingWebhookConfigurationList"))),
    api("apps", "v1beta1", "ControllerRevision", Some((1, 7)), (1, 8), Some((1, 16)), Some(("apps/v1", "ControllerRevision"))),
    api("apps", "v1beta1", "ControllerRevisionList", Some((1, 7)), (1, 8), Some((1, 16)), Some(("apps/v1", "ControllerRevisionList"))),
    api("apps", "v1beta1", "Deployment", Some((1, 6)), (1, 8), Some((1, 16)), Some(("apps/v1", "Deployment"))),
    api("apps", "v1beta1", "DeploymentList", Some((1, 6)), (1, 8), Some((1, 16)), Some(("apps/v1", "DeploymentList"))),
    api("apps", "v1beta1", "DeploymentRollback", Some((1, 6)), (1, 8), Some((1, 16)), Some(("apps/v1", "DeploymentRollback"))),
    api("apps", "v1beta1", "Scale", Some((1, 6)), (1, 8), Some((1, 16)), Some(("autoscaling/v1", "Scale"))),
    api("apps", "v1beta1", "StatefulSet", Some((1, 5)), (1, 8), Some((1, 16)), Some(("apps/v1", "StatefulSet"))),
    api("apps", "v1beta1", "StatefulSetList", Some((1, 5)), (1, 8), Some((1, 16)), Some(("apps/v1", "StatefulSetList"))),
    api("apps", "v1beta2", "ControllerRevision", Some((1, 8)), (1, 9), Some((1, 16)), Some(("apps/v1", "ControllerRevision"))),
    api("apps", "v1beta2", "ControllerRevisionList", Some((1, 8)), (1, 9), Some((1, 16)), Some(("apps/v1", "ControllerRevisionList"))),
    api("apps", "v1beta2", "DaemonSet", Some((1, 8)), (1, 9), Some((1, 16)), Some(("apps/v1", "DaemonSet"))),
    api("apps", "v1beta2", "DaemonSetList", Some((1, 8)), (1, 9), Some((1, 16)), Some(("apps/v1", "DaemonSetList"))),
    api("apps", "v1beta2", "Deployment", Some((1, 8)), (1, 9), Some((1, 16)), Some(("apps/v1", "Deployment"))),
    api("apps", "v1beta2", "DeploymentList", Some((1, 8)), (1, 9), Some((1, 16)), Some(("apps/v1", "DeploymentList"))),
    api("apps", "v1beta2", "ReplicaSet", Some((1, 8)), (1, 9), Some((1, 16)), Some(("apps/v1", "ReplicaSet"))),
    api("apps", "v1beta2", "ReplicaSetList", Some((1, 8)), (1, 9), Some((1, 16)), Some(("apps/v1", "ReplicaSetList"))),
    api("apps", "v1beta2", "Scale", Some((1, 8)), (1, 9), Some((1, 16)), Some(("autoscaling/v1", "Scale"))),
    api("apps", "v1beta2", "StatefulSet", Some((1, 8)), (1, 9), Some((1, 16)), Some(("apps/v1", "StatefulSet"))),
    api("apps", "v1beta2", "StatefulSetList", Some((1, 8)), (1, 9), Some((1, 16)), Some(("apps/v1", "StatefulSetList"))),
    api("authentication.k8s.io", "v1alpha1", "SelfSubjectReview", Some((1, 26)), (1, 29), Some((1, 32)), None),
    api("authentication.k8s.io", "v1beta1", "SelfSubjectReview", Some((1, 27)), (1, 30), Some((1, 33)), None),
    api("authentication.k8s.io", "v1beta1", "TokenReview", Some((1, 4)), (1, 19), Some((1, 22)), Some(("authentication.k8s.io/v1", "TokenReview"))),
    api("authorization.k8s.io", "v1beta1", "LocalSubjectAccessReview", Some((1, 2)), (1, 19), Some((1, 22)), Some(("authorization.k8s.io/v1", "LocalSubjectAccessReview"))),
    api("authorization.k8s.io", "v1beta1", "SelfSubjectAccessReview", Some((1, 2)), (1, 19), Some((1, 22)), Some(("authorization.k8s.io/v1", "SelfSubjectAccessReview"))),
    api("authorization.k8s.io", "v1beta1", "SelfSubjectRulesReview", Some((1, 8)), (1, 19), Some((1, 22)), Some(("authorization.k8s.io/v1", "SelfSubjectRulesReview"))),
    api("authorization.k8s.io", "v1beta1", "SubjectAccessReview", Some((1, 2)), (1, 19), Some((1, 22)), Some(("authorization.k8s.io/v1", "SubjectAccessReview"))),
    api("autoscaling", "v2beta1", "HorizontalPodAutoscaler", Some((1, 8)), (1, 22), Some((1, 25)), Some(("autoscaling/v2", "HorizontalPodAutoscaler"))),
    api("autoscaling", "v2beta1", "HorizontalPodAutoscalerList", Some((1, 8)), (1, 22), Some((1, 25)), Some(("autoscaling/v2beta2", "HorizontalPodAutoscalerList"))),
    api("autoscaling", "v2beta2", "HorizontalPodAutoscaler", Some((1, 12)), (1, 23), Some((1, 26)), Some(("autoscaling/v2", "HorizontalPodAutoscaler"))),
    api("autoscaling", "v2beta2", "HorizontalPodAutoscalerList", Some((1, 12)), (1, 22), Some((1, 25)), None),
    api("batch", "v1beta1", "CronJob", Some((1, 8)), (1, 21), Some((1, 25)), Some(("batch/v1", "CronJob"))),
    api("batch", "v1beta1", "CronJobList", Some((1, 8)), (1, 21), Some((1, 25)), Some(("batch/v1", "CronJobList"))),
    api("certificates.k8s.io", "v1alpha1", "ClusterTrustBundle", Some((1, 26)), (1, 34), Some((1, 37)), None),
    api("certificates.k8s.io", "v1alpha1", "ClusterTrustBundleList", Some((1, 26)), (1, 34), Some((1, 37)), None),
    api("certificates.k8s.io", "v1beta1", "CertificateSigningRequest", Some((1, 12)), (1, 19), Some((1, 22)), Some(("certificates.k8s.io/v1", "CertificateSigningRequest"))),
    api("certificates.k8s.io", "v1beta1", "CertificateSigningRequestList", Some((1, 12)), (1, 19), Some((1, 22)), Some(("certificates.k8s.io/v1", "CertificateSigningRequestList"))),
    api("coordination.k8s.io", "v1alpha2", "LeaseCandidate", Some((1, 32)), (1, 35), Some((1, 38)), None),
    api("coordination.k8s.io", "v1alpha2", "LeaseCandidateList", Some((1, 32)), (1, 35), Some((1, 38)), None),
    api("coordination.k8s.io", "v1beta1", "Lease", Some((1, 12)), (1, 19), Some((1, 22)), Some(("coordination.k8s.io/v1", "Lease"))),
    api("coordination.k8s.io", "v1beta1", "LeaseList", Some((1, 12)), (1, 19), Some((1, 22)), Some(("coordination.k8s.io/v1", "LeaseList"))),
    api("discovery.k8s.io", "v1beta1", "EndpointSlice", Some((1, 16)), (1, 21), Some((1, 25)), Some(("discovery.k8s.io/v1", "EndpointSlice"))),
    api("discovery.k8s.io", "v1beta1", "EndpointSliceList", Some((1, 16)), (1, 21), Some((1, 25)), Some(("discovery.k8s.io/v1", "EndpointSlice"))),
    api("events.k8s.io", "v1beta1", "Event", Some((1, 8)), (1, 22), Some((1, 25)), None),
    api("events.k8s.io", "v1beta1", "EventList", Some((1, 8)), (1, 22), Some((1, 25)), None),
    api("extensions", "v1beta1", "DaemonSet", Some((1, 1)), (1, 8), Some((1, 16)), Some(("apps/v1", "DaemonSet"))),
    api("extensions", "v1beta1", "DaemonSetList", Some((1, 1)), (1, 8), Some((1, 16)), Some(("apps/v1", "DaemonSetList"))),
    api("extensions", "v1beta1", "Deployment", Some((1, 1)), (1, 8), Some((1, 16)), Some(("apps/v1", "Deployment"))),
    api("extensions", "v1beta1", "DeploymentList", Some((1, 1)), (1, 8), Some((1, 16)), Some(("apps/v1", "DeploymentList"))),
    api("extensions", "v1beta1", "DeploymentRollback", Some((1, 2)), (1, 8), Some((1, 16)), None),
    api("extensions", "v1beta1", "Ingress", Some((1, 1)), (1, 14), Some((1, 22)), Some(("networking.k8s.io/v1", "Ingress"))),
    api("extensions", "v1beta1", "IngressList", Some((1, 1)), (1, 14), Some((1, 22)), Some(("networking.k8s.io/v1", "IngressList"))),
    api("extensions", "v1beta1", "NetworkPolicy", Some((1, 3)), (1, 9), Some((1, 16)), Some(("networking.k8s.io/v1", "NetworkPolicy"))),
    api("extensions", "v1beta1", "NetworkPolicyList", Some((1, 3)), (1, 9), Some((1, 16)), Some(("networking.k8s.io/v1", "NetworkPolicyList"))),
    api("extensions", "v1beta1", "ReplicaSet", Some((1, 2)), (1, 8), Some((1, 16)), Some(("apps/v1", "ReplicaSet"))),
    api("extensions", "v1beta1", "ReplicaSetList", Some((1, 2)), (1, 8), Some((1, 16)), Some(("apps/v1", "ReplicaSetList"))),
    api("extensions", "v1beta1", "Scale", Some((1, 1)), (1, 2), Some((1, 16)), None),
    api("flowcontrol.apiserver.k8s.io", "v1beta1", "FlowSchema", Some((1, 20)), (1, 23), Some((1, 26)), Some(("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema"))),
    api("flowcontrol.apiserver.k8s.io", "v1beta1", "FlowSchemaList", Some((1, 20)), (1, 23), Some((1, 26)), Some(("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchemaList"))),
    api("flowcontrol.apiserver.k8s.io", "v1beta1", "PriorityLevelConfiguration", Some((1, 20)), (1, 23), Some((1, 26)), Some(("flowcontrol.apiserver.k8s.io/v1beta3", "PriorityLevelConfiguration"))),
    api("flowcontrol.apiserver.k8s.io", "v1beta1", "PriorityLevelConfigurationList", Some((1, 20)), (1, 23), Some((1, 26)), Some(("flowcontrol.apiserver.k8s.io/v1beta3", "PriorityLevelConfigurationList"))),
    api("flowcontrol.apiserver.k8s.io", "v1beta2", "FlowSchema", Some((1, 23)), (1, 26), Some((1, 29)), Some(("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema"))),
    api("flowcontrol.apiserver.k8s.io", "v1beta2", "FlowSchemaList", Some((1, 23)), (1, 26), Some((1, 29)), Some(("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchemaList"))),
    api("flowcontrol.apiserver.k8s.io", "v1beta2", "PriorityLevelConfiguration", Some((1, 23)), (1, 26), Some((1, 29)), Some(("flowcontrol.apiserver.k8s.io/v1beta3", "PriorityLevelConfiguration"))),
    api("flowcontrol.apiserver.k8s.io", "v1beta2", "PriorityLevelConfigurationList", Some((1, 23)), (1, 26), Some((1, 29)), Some(("flowcontrol.apiserver.k8s.io/v1beta3", "PriorityLevelConfigurationList"))),
    api("flowcontrol.apiserver.k8s.io", "v1beta3", "FlowSchema", Some((1, 26)), (1, 29), Some((1, 32)), Some(("flowcontrol.apiserver.k8s.io/v1", "FlowSchema"))),
    api("flowcontrol.apiserver.k8s.io", "v1beta3", "FlowSchemaList", Some((1, 26)), (1, 29), Some((1, 32)), Some(("flowcontrol.apiserver.k8s.io/v1", "FlowSchemaList"))),
    api("flowcontrol.apiserver.k8s.io", "v1beta3", "PriorityLevelConfiguration", Some((1, 26)), (1, 29), Some((1, 32)), Some(("flowcontrol.apiserver.k8s.io/v1", "PriorityLevelConfiguration"))),
    api("flowcontrol.apiserver.k8s.io", "v1beta3", "PriorityLevelConfigurationList", Some((1, 26)), (1, 29), Some((1, 32)), Some(("flowcontrol.apiserver.k8s.io/v1", "PriorityLevelConfigurationList"))),
    api("networking.k8s.io", "v1alpha1", "IPAddress", Some((1, 27)), (1, 30), Some((1, 33)), None),
    api("networking.k8s.io", "v1alpha1", "IPAddressList", Some((1, 27)), (1, 30), Some((1, 33)), None),
    api("networking.k8s.io", "v1alpha1", "ServiceCIDR", Some((1, 27)), (1, 30), Some((1, 33)), None),
    api("networking.k8s.io", "v1alpha1", "ServiceCIDRList", Some((1, 27)), (1, 30), Some((1, 33)), None),
    api("networking.k8s.io", "v1beta1", "IPAddress", Some((1, 31)), (1, 34), Some((1, 37)), None),
    api("networking.k8s.io", "v1beta1", "IPAddressList", Some((1, 31)), (1, 34), Some((1, 37)), None),
    api("networking.k8s.io", "v1beta1", "Ingress", Some((1, 14)), (1, 19), Some((1, 22)), Some(("networking.k8s.io/v1", "Ingress"))),
    api("networking.k8s.io", "v1beta1", "IngressClass", Some((1, 18)), (1, 19), Some((1, 22)), Some(("networking.k8s.io/v1", "IngressClassList"))),
    api("networking.k8s.io", "v1beta1", "IngressClassList", Some((1, 18)), (1, 19), Some((1, 22)), Some(("networking.k8s.io/v1", "IngressClassList"))),
    api("networking.k8s.io", "v1beta1", "IngressList", Some((1, 14)), (1, 19), Some((1, 22)), Some(("networking.k8s.io/v1", "IngressList"))),
    api("networking.k8s.io", "v1beta1", "ServiceCIDR", Some((1, 31)), (1, 34), Some((1, 37)), None),
    api("networking.k8s.io", "v1beta1", "ServiceCIDRList", Some((1, 31)), (1, 34), Some((1, 37)), None),
    api("node.k8s.io", "v1beta1", "RuntimeClass", Some((1, 13)), (1, 22), Some((1, 25)), None),
    api("node.k8s.io", "v1beta1", "RuntimeClassList", Some((1, 13)), (1, 22), Some((1, 25)), None),
    api("policy", "v1beta1", "Eviction", Some((1, 5)), (1, 22), Some((1, 25)), None),
    api("policy", "v1beta1", "PodDisruptionBudget", Some((1, 5)), (1, 21), Some((1, 25)), Some(("policy/v1", "PodDisruptionBudget"))),
    api("policy", "v1beta1", "PodDisruptionBudgetList", Some((1, 5)), (1, 21), Some((1, 25)), Some(("policy/v1", "PodDisruptionBudgetList"))),
    api("rbac.authorization.k8s.io", "v1beta1", "ClusterRole", Some((1, 6)), (1, 17), Some((1, 22)), Some(("rbac.authorization.k8s.io/v1", "ClusterRole"))),
    api("rbac.authorization.k8s.io", "v1beta1", "ClusterRoleBinding", Some((1, 6)), (1, 17), Some((1, 22)), Some(("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"))),
    api("rbac.authorization.k8s.io", "v1beta1", "ClusterRoleBindingList", Some((1, 6)), (1, 17), Some((1, 22)), Some(("rbac.authorization.k8s.io/v1", "ClusterRoleBindingList"))),
    api("rbac.authorization.k8s.io", "v1beta1", "ClusterRoleList", Some((1, 6)), (1, 17), Some((1, 22)), Some(("rbac.authorization.k8s.io/v1", "ClusterRoleList"))),
    api("rbac.authorization.k8s.io", "v1beta1", "Role", Some((1, 6)), (1, 17), Some((1, 22)), Some(("rbac.authorization.k8s.io/v1", "Role"))),
    api("rbac.authorization.k8s.io", "v1beta1", "RoleBinding", Some((1, 6)), (1, 17), Some((1, 22)), Some(("rbac.authorization.k8s.io/v1", "RoleBinding"))),
    api("rbac.authorization.k8s.io", "v1beta1", "RoleBindingList", Some((1, 6)), (1, 17), Some((1, 22)), Some(("rbac.authorization.k8s.io/v1", "RoleBindingList"))),
    api("rbac.authorization.k8s.io", "v1beta1", "RoleList", Some((1, 6)), (1, 17), Some((1, 22)), Some(("rbac.authorization.k8s.io/v1", "RoleList"))),
    api("resource.k8s.io", "v1alpha3", "DeviceClass", Some((1, 31)), (1, 34), Some((1, 37)), Some(("resource.k8s.io/v1beta1", "DeviceClass"))),
    api("resource.k8s.io", "v1alpha3", "DeviceClassList", Some((1, 31)), (1, 34), Some((1, 37)), Some(("resource.k8s.io/v1beta1", "DeviceClassList"))),
    api("resource.k8s.io", "v1alpha3", "ResourceClaim", Some((1, 31)), (1, 34), Some((1, 37)), Some(("resource.k8s.io/v1beta1", "ResourceClaim"))),
    api("resource.k8s.io", "v1alpha3", "ResourceClaimList", Some((1, 31)), (1, 34), Some((1, 37)), Some(("resource.k8s.io/v1beta1", "ResourceClaimList"))),
    api("resource.k8s.io", "v1alpha3", "ResourceClaimTemplate", Some((1, 31)), (1, 34), Some((1, 37)), Some(("resource.k8s.io/v1beta1", "ResourceClaimTemplate"))),
    api("resource.k8s.io", "v1alpha3", "ResourceClaimTemplateList", Some((1, 31)), (1, 34), Some((1, 37)), Some(("resource.k8s.io/v1beta1", "ResourceClaimTemplateList"))),
    api("resource.k8s.io", "v1alpha3", "ResourceSlice", Some((1, 31)), (1, 34), Some((1, 37)), Some(("resource.k8s.io/v1beta1", "ResourceSlice"))),
    api("resource.k8s.io", "v1alpha3", "ResourceSliceList", Some((1, 31)), (1, 34), Some((1, 37)), Some(("resource.k8s.io/v1beta1", "ResourceSliceList"))),
    api("resource.k8s.io", "v1beta1", "DeviceClass", Some((1, 32)), (1, 35), Some((1, 38)), None),
    api("resource.k8s.io", "v1beta1", "DeviceClassList", Some((1, 32)), (1, 35), Some((1, 38)), None),
    api("resource.k8s.io", "v1beta1", "ResourceClaim", Some((1, 32)), (1, 35), Some((1, 38)), None),
    api("resource.k8s.io", "v1beta1", "ResourceClaimList", Some((1, 32)), (1, 35), Some((1, 38)), None),
    api("resource.k8s.io", "v1beta1", "ResourceClaimTemplate", Some((1, 32)), (1, 35), Some((1, 38)), None),
    api("resource.k8s.io", "v1beta1", "ResourceClaimTemplateList", Some((1, 32)), (1, 35), Some((1, 38)), None),
    api("resource.k8s.io", "v1beta1", "ResourceSlice", Some((1, 32)), (1, 35), Some((1, 38)), None),
    api("resource.k8s.io", "v1beta1", "ResourceSliceList", Some((1, 32)), (1, 35), Some((1, 38)), None),
    api("scheduling.k8s.io", "v1beta1", "PriorityClass", Some((1, 11)), (1, 14), Some((1, 22)), Some(("scheduling.k8s.io/v1", "PriorityClass"))),
    api("scheduling.k8s.io", "v1beta1", "PriorityClassList", Some((1, 11)), (1, 14), Some((1, 22)), Some(("scheduling.k8s.io/v1", "PriorityClassList"))),
    api("storage.k8s.io", "v1alpha1", "CSIStorageCapacity", Some((1, 19)), (1, 21), Some((1, 24)), Some(("storage.k8s.io/v1beta1", "CSIStorageCapacity"))),
    api("storage.k8s.io", "v1alpha1", "CSIStorageCapacityList", Some((1, 19)), (1, 21), Some((1, 24)), Some(("storage.k8s.io/v1beta1", "CSIStorageCapacityList"))),
    api("storage.k8s.io", "v1alpha1", "VolumeAttachment", Some((1, 9)), (1, 21), Some((1, 24)), Some(("storage.k8s.io/v1", "VolumeAttachment"))),
    api("storage.k8s.io", "v1alpha1", "VolumeAttachmentList", Some((1, 9)), (1, 21), Some((1, 24)), Some(("storage.k8s.io/v1", "VolumeAttachmentList"))),
    api("storage.k8s.io", "v1alpha1", "VolumeAttributesClass", Some((1, 29)), (1, 32), Some((1, 35)), None),
    api("storage.k8s.io", "v1alpha1", "VolumeAttributesClassList", Some((1, 29)), (1, 32), Some((1, 35)), None),
    api("storage.k8s.io", "v1beta1", "CSIDriver", Some((1, 14)), (1, 19), Some((1, 22)), Some(("storage.k8s.io/v1", "CSIDriver"))),
    api("storage.k8s.io", "v1beta1", "CSIDriverList", Some((1, 14)), (1, 19), Some((1, 22)), Some(("storage.k8s.io/v1", "CSIDriverList"))),
    api("storage.k8s.io", "v1beta1", "CSINode", Some((1, 14)), (1, 17), Some((1, 22)), Some(("storage.k8s.io/v1", "CSINode"))),
    api("storage.k8s.io", "v1beta1", "CSINodeList", Some((1, 14)), (1, 17), Some((1, 22)), Some(("storage.k8s.io/v1", "CSINode"))),
    api("storage.k8s.io", "v1beta1", "CSIStorageCapacity", Some((1, 21)), (1, 24), Some((1, 27)), Some(("storage.k8s.io/v1", "CSIStorageCapacity"))),
    api("storage.k8s.io", "v1beta1", "CSIStorageCapacityList", Some((1, 21)), (1, 24), Some((1, 27)), Some(("storage.k8s.io/v1", "CSIStorageCapacityList"))),
    api("storage.k8s.io", "v1beta1", "StorageClass", Some((1, 4)), (1, 19), Some((1, 22)), Some(("storage.k8s.io/v1", "StorageClass"))),
    api("storage.k8s.io", "v1beta1", "StorageClassList", Some((1, 4)), (1, 19), Some((1, 22)), Some(("storage.k8s.io/v1", "StorageClassList"))),
    api("storage.k8s.io", "v1beta1", "VolumeAttachment", Some((1, 10)), (1, 19), Some((1, 22)), Some(("storage.k8s.io/v1", "VolumeAttachment"))),
    api("storage.k8s.io", "v1beta1", "VolumeAttachmentList", Some((1, 10)), (1, 19), Some((1, 22)), Some(("storage.k8s.io/v1", "VolumeAttachmentList"))),
    api("storage.k8s.io", "v1beta1", "VolumeAttributesClass", Some((1, 31)), (1, 34), Some((1, 37)), None),
    api("storage.k8s.io", "v1beta1", "VolumeAttributesClassList", Some((1, 31)), (1, 34), Some((1, 37)), None),
    api("storagemigration.k8s.io", "v1alpha1", "StorageVersionMigration", Some((1, 30)), (1, 33), Some((1, 36)), None),
    api("storagemigration.k8s.io", "v1alpha1", "StorageVersionMigrationList", Some((1, 30)), (1, 33), Some((1, 36)), None),
];

/// apimachinery's `ParseGroupVersion` as `FromAPIVersionAndKind` uses it: `(group, version)`, or
/// `None` when the text has more than one `/` (the kind then matches no registered type).
fn split_api_version(api_version: &str) -> Option<(&str, &str)> {
    if api_version.is_empty() || api_version == "/" {
        return Some(("", ""));
    }
    match api_version.matches('/').count() {
        0 => Some(("", api_version)),
        1 => api_version.split_once('/'),
        _ => None,
    }
}

/// The lifecycle entry of a resource's `apiVersion` and `kind`, when Kubernetes deprecated it.
pub fn lookup(api_version: &str, kind: &str) -> Option<&'static ApiLifecycle> {
    let (group, version) = split_api_version(api_version)?;
    DEPRECATED_APIS
        .iter()
        .find(|a| a.group == group && a.version == version && a.kind == kind)
}

/// `GroupVersion.String()`: the version alone for the core group.
fn group_version(group: &str, version: &str) -> String {
    if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    }
}

impl ApiLifecycle {
    /// `deprecation.IsDeprecated` at Kubernetes `major.minor` (`0.0`: no version known, so yes).
    pub fn is_deprecated_at(&self, major: u64, minor: u64) -> bool {
        if (major, minor) == (0, 0) {
            return true;
        }
        let (d_major, d_minor) = (u64::from(self.deprecated.0), u64::from(self.deprecated.1));
        (d_major, d_minor) <= (major, minor)
    }

    /// `deprecation.WarningMessage`.
    pub fn warning(&self) -> String {
        let (d_major, d_minor) = self.deprecated;
        let mut text = format!(
            "{} {} is deprecated in v{d_major}.{d_minor}+",
            group_version(self.group, self.version),
            self.kind
        );
        if let Some((r_major, r_minor)) = self.removed {
            text.push_str(&format!(", unavailable in v{r_major}.{r_minor}+"));
        }
        if let Some((api_version, kind)) = self.replacement {
            text.push_str(&format!("; use {api_version} {kind}"));
        }
        text
    }
}

/// Helm's `validateNoDeprecations` for one rendered document: the warning for a deprecated
/// `apiVersion`/`kind` at Kubernetes `major.minor` (lint's `--kube-version`, else 1.32). Documents
/// without `apiVersion` or `kind` are not checked.
pub fn check(api_version: &str, kind: &str, major: u64, minor: u64) -> Result<(), String> {
    if api_version.is_empty() || kind.is_empty() {
        return Ok(());
    }
    match lookup(api_version, kind) {
        Some(api) if api.is_deprecated_at(major, minor) => Err(api.warning()),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warning_texts() {
        assert_eq!(
            check("batch/v1beta1", "CronJob", 1, 32),
            Err("batch/v1beta1 CronJob is deprecated in v1.21+, unavailable in v1.25+; use batch/v1 CronJob".into())
        );
        // No removal or replacement declared.
        assert_eq!(
            check("v1", "ComponentStatus", 1, 32),
            Err("v1 ComponentStatus is deprecated in v1.19+".into())
        );
        assert_eq!(
            check("events.k8s.io/v1beta1", "Event", 1, 32),
            Err(
                "events.k8s.io/v1beta1 Event is deprecated in v1.22+, unavailable in v1.25+".into()
            )
        );
        // `/v1` is the core group, printed as Go prints the parsed group version.
        assert_eq!(
            check("/v1", "ComponentStatus", 1, 19),
            Err("v1 ComponentStatus is deprecated in v1.19+".into())
        );
    }

    #[test]
    fn versions_and_unknown_kinds() {
        assert!(check("batch/v1beta1", "CronJob", 1, 20).is_ok());
        assert!(check("batch/v1beta1", "CronJob", 1, 21).is_err());
        assert!(check("batch/v1beta1", "CronJob", 2, 0).is_err());
        assert!(check("batch/v1beta1", "CronJob", 0, 0).is_err());
        assert!(check("batch/v1beta1", "CronJob", 0, 30).is_ok());
        assert!(check("batch/v1", "CronJob", 1, 32).is_ok());
        assert!(check("example.com/v1beta1", "CronJob", 1, 32).is_ok());
        assert!(check("batch/v1beta1/x", "CronJob", 1, 32).is_ok());
        assert!(check("batch/v1beta1", "", 1, 32).is_ok());
        assert!(check("", "CronJob", 1, 32).is_ok());
        assert!(check("batch/v1beta1", "cronjob", 1, 32).is_ok());
    }

    #[test]
    fn table_is_sorted_and_unique() {
        for pair in DEPRECATED_APIS.windows(2) {
            let key = |a: &ApiLifecycle| (a.group, a.version, a.kind);
            assert!(key(&pair[0]) < key(&pair[1]), "{:?}", pair[1]);
        }
    }
}
