//! Smoke test of the local Kubernetes control plane that cluster tests run against
//! (etcd + kube-apiserver + kube-controller-manager + kube-scheduler + kwok on 127.0.0.1,
//! started by `tests/cluster/up`; see docs/local-cluster.md).
//!
//! Cluster selection is tests/common's `kubeconfig()`: `KUBECONFIG` when it names a loopback
//! cluster, else `tests/cluster/up` (run once per test binary; it reuses a running cluster). If no
//! cluster can be had, the test fails when `CI=true` and is skipped (with the reason) otherwise.

mod common;

use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{Container, Namespace, PodSpec, PodTemplateSpec, Secret};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use kube::api::{Api, DeleteParams, ObjectMeta, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Prints the tail of each component log of the state dir beside `kubeconfig`, if any.
fn dump_logs(kubeconfig: &Path) {
    let Some(logs) = kubeconfig.parent().map(|d| d.join("logs")) else {
        return;
    };
    for comp in [
        "etcd",
        "kube-apiserver",
        "kube-controller-manager",
        "kube-scheduler",
        "kwok",
    ] {
        let file = logs.join(format!("{comp}.log"));
        if let Ok(text) = std::fs::read_to_string(&file) {
            let lines: Vec<&str> = text.lines().collect();
            eprintln!("---- last lines of {} ----", file.display());
            for l in &lines[lines.len().saturating_sub(15)..] {
                eprintln!("{l}");
            }
        }
    }
}

async fn client_for(kubeconfig: &Path) -> Result<Client, BoxError> {
    let kc = Kubeconfig::read_from(kubeconfig)?;
    let config = Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default()).await?;
    Ok(Client::try_from(config)?)
}

async fn wait_until<F, Fut>(what: &str, timeout: Duration, mut check: F) -> Result<(), BoxError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<bool, BoxError>>,
{
    let start = Instant::now();
    loop {
        if check().await? {
            return Ok(());
        }
        if start.elapsed() > timeout {
            return Err(format!("timed out after {timeout:?} waiting for {what}").into());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

fn labels(app: &str) -> std::collections::BTreeMap<String, String> {
    [("app".to_string(), app.to_string())].into()
}

async fn smoke(client: Client, ns: &str) -> Result<(), BoxError> {
    let pp = PostParams::default();

    let secrets: Api<Secret> = Api::namespaced(client.clone(), ns);
    let secret = Secret {
        metadata: ObjectMeta {
            name: Some("smoke".into()),
            ..Default::default()
        },
        string_data: Some([("greeting".to_string(), "hello".to_string())].into()),
        ..Default::default()
    };
    secrets.create(&pp, &secret).await?;
    let got = secrets.get("smoke").await?;
    let value = got
        .data
        .and_then(|d| d.get("greeting").cloned())
        .ok_or("secret has no data.greeting")?;
    assert_eq!(value.0, b"hello");

    let deployments: Api<Deployment> = Api::namespaced(client.clone(), ns);
    let deployment = Deployment {
        metadata: ObjectMeta {
            name: Some("smoke".into()),
            ..Default::default()
        },
        spec: Some(DeploymentSpec {
            replicas: Some(2),
            selector: LabelSelector {
                match_labels: Some(labels("smoke")),
                ..Default::default()
            },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels("smoke")),
                    ..Default::default()
                }),
                spec: Some(PodSpec {
                    containers: vec![Container {
                        name: "app".into(),
                        image: Some("registry.invalid/smoke:1".into()),
                        ..Default::default()
                    }],
                    ..Default::default()
                }),
            },
            ..Default::default()
        }),
        ..Default::default()
    };
    deployments.create(&pp, &deployment).await?;
    wait_until(
        "Deployment smoke to be Available with 2 replicas",
        Duration::from_secs(120),
        || {
            let deployments = deployments.clone();
            async move {
                let d = deployments.get("smoke").await?;
                let status = d.status.unwrap_or_default();
                let available = status
                    .conditions
                    .unwrap_or_default()
                    .iter()
                    .any(|c| c.type_ == "Available" && c.status == "True");
                Ok(available && status.available_replicas == Some(2))
            }
        },
    )
    .await?;
    deployments
        .delete("smoke", &DeleteParams::foreground())
        .await?;
    Ok(())
}

#[test]
fn deployment_becomes_available_in_fresh_namespace() {
    let Some(kubeconfig) = common::kubeconfig() else {
        return;
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let result: Result<(), BoxError> = rt.block_on(async {
        let client = client_for(&kubeconfig).await?;
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH)?.subsec_nanos();
        let ns = format!("rudder-smoke-{}-{nanos}", std::process::id());
        let namespaces: Api<Namespace> = Api::all(client.clone());
        let namespace = Namespace {
            metadata: ObjectMeta {
                name: Some(ns.clone()),
                ..Default::default()
            },
            ..Default::default()
        };
        namespaces
            .create(&PostParams::default(), &namespace)
            .await?;
        let outcome = smoke(client.clone(), &ns).await;
        // Delete the namespace whatever happened, then wait (bounded) until it is gone:
        // that needs the namespace controller and kwok removing the deleted pods.
        namespaces.delete(&ns, &DeleteParams::default()).await?;
        outcome?;
        wait_until(
            &format!("namespace {ns} to be deleted"),
            Duration::from_secs(120),
            || {
                let namespaces = namespaces.clone();
                let ns = ns.clone();
                async move { Ok(namespaces.get_opt(&ns).await?.is_none()) }
            },
        )
        .await
    });
    if let Err(e) = result {
        dump_logs(&kubeconfig);
        panic!(
            "cluster smoke test failed (kubeconfig {}): {e}",
            kubeconfig.display()
        );
    }
}
