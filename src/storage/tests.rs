//! Storage over the memory driver: the pure logic (pruning, lookups, labels, concurrency).
use super::*;
use crate::storage::record::Info;

fn release(name: &str, version: i64, status: Status) -> Release {
    Release {
        name: name.into(),
        namespace: "default".into(),
        version,
        info: Some(Info {
            status,
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn run<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}

#[test]
fn create_get_history_last_deployed() {
    run(async {
        let s = Storage::new(Box::new(Memory::new(Some("default".into()))));
        for (v, st) in [
            (1, Status::Superseded),
            (2, Status::Deployed),
            (3, Status::Failed),
        ] {
            s.create(&mut Record::new(release("a", v, st)))
                .await
                .unwrap();
        }
        s.create(&mut Record::new(release("b", 1, Status::Deployed)))
            .await
            .unwrap();
        assert_eq!(s.get("a", 2).await.unwrap().release.version, 2);
        assert!(matches!(s.get("a", 9).await, Err(Error::NotFound)));
        assert_eq!(s.history("a").await.unwrap().len(), 3);
        assert_eq!(s.last("a").await.unwrap().release.version, 3);
        assert_eq!(s.deployed("a").await.unwrap().release.version, 2);
        assert!(matches!(s.history("zz").await, Err(Error::NotFound)));
        let e = s.deployed("zz").await.unwrap_err();
        assert_eq!(e.to_string(), "\"zz\" has no deployed releases");
        assert!(matches!(
            s.create(&mut Record::new(release("a", 3, Status::Failed)))
                .await,
            Err(Error::Exists)
        ));
    });
}

#[test]
fn labels_as_helm_writes_them() {
    run(async {
        let mem = Memory::new(Some("default".into()));
        let s = Storage::new(Box::new(mem.clone()));
        let mut r = Record::new(release("a", 1, Status::PendingInstall));
        r.labels.insert("team".into(), "x".into());
        s.create(&mut r).await.unwrap();
        let raw = mem.get(&key("a", 1)).await.unwrap();
        let keys: Vec<&str> = raw.labels.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            ["createdAt", "name", "owner", "status", "team", "version"]
        );
        assert_eq!(raw.labels["status"], "pending-install");
        // get hides system labels; history keeps them (Helm's Get vs Query).
        let got = s.get("a", 1).await.unwrap();
        assert_eq!(got.labels.keys().collect::<Vec<_>>(), ["team"]);
        let mut queried = s.last("a").await.unwrap();
        assert!(queried.labels.contains_key("createdAt"));
        let created = queried.labels["createdAt"].clone();
        queried
            .release
            .set_status(Status::Deployed, "Install complete");
        s.update(&mut queried).await.unwrap();
        let raw = mem.get(&key("a", 1)).await.unwrap();
        assert_eq!(raw.labels["createdAt"], created);
        assert!(raw.labels.contains_key("modifiedAt"));
        assert_eq!(raw.labels["status"], "deployed");
    });
}

#[test]
fn two_writers_cannot_both_win() {
    run(async {
        let s = Storage::new(Box::new(Memory::new(Some("default".into()))));
        s.create(&mut Record::new(release("a", 1, Status::Deployed)))
            .await
            .unwrap();
        let mut first = s.last("a").await.unwrap();
        let mut second = s.last("a").await.unwrap();
        first.release.set_status(Status::Superseded, "");
        s.update(&mut first).await.unwrap();
        second.release.set_status(Status::Failed, "");
        let e = s.update(&mut second).await.unwrap_err();
        assert!(matches!(e, Error::Conflict { .. }), "{e}");
        assert_eq!(
            s.last("a").await.unwrap().release.status(),
            Status::Superseded
        );
        // The winner can write again: its version was refreshed by its update.
        first.release.set_status(Status::Deployed, "");
        s.update(&mut first).await.unwrap();
    });
}

#[test]
fn history_max_keeps_last_deployed() {
    run(async {
        let s = Storage::new(Box::new(Memory::new(Some("default".into())))).with_max_history(3);
        // 1 deployed, then 2..6 failed: revision 1 must survive every prune.
        s.create(&mut Record::new(release("a", 1, Status::Deployed)))
            .await
            .unwrap();
        for v in 2..=6 {
            s.create(&mut Record::new(release("a", v, Status::Failed)))
                .await
                .unwrap();
        }
        let mut versions: Vec<i64> = s
            .history("a")
            .await
            .unwrap()
            .iter()
            .map(|r| r.release.version)
            .collect();
        versions.sort();
        assert_eq!(versions, [1, 5, 6]);
    });
}

#[test]
fn history_max_two_after_three_upgrades() {
    // HELM-FACTS §1: a history of 2 (revisions 3 and 4) after three upgrades with --history-max 2.
    run(async {
        let s = Storage::new(Box::new(Memory::new(Some("default".into())))).with_max_history(2);
        s.create(&mut Record::new(release("a", 1, Status::Deployed)))
            .await
            .unwrap();
        for v in 2..=4 {
            s.create(&mut Record::new(release("a", v, Status::PendingUpgrade)))
                .await
                .unwrap();
            let mut prev = s.get("a", v - 1).await.unwrap();
            prev.release.set_status(Status::Superseded, "");
            s.update(&mut prev).await.unwrap();
            let mut cur = s.get("a", v).await.unwrap();
            cur.release.set_status(Status::Deployed, "Upgrade complete");
            s.update(&mut cur).await.unwrap();
        }
        let mut versions: Vec<i64> = s
            .history("a")
            .await
            .unwrap()
            .iter()
            .map(|r| r.release.version)
            .collect();
        versions.sort();
        assert_eq!(versions, [3, 4]);
    });
}

#[test]
fn lock_holder_travels_with_pending_records_only() {
    run(async {
        let mem = Memory::new(Some("default".into()));
        let s = Storage::new(Box::new(mem.clone()));
        let mut r = Record::new(release("a", 1, Status::PendingInstall));
        r.holder = Some(LockHolder::current());
        s.create(&mut r).await.unwrap();
        let got = s.last("a").await.unwrap();
        assert_eq!(got.holder.as_ref().unwrap().pid, std::process::id());
        assert_eq!(got.holder.as_ref().unwrap().is_gone(), Some(false));
        let mut done = got;
        done.release
            .set_status(Status::Deployed, "Install complete");
        s.update(&mut done).await.unwrap();
        assert!(mem.get(&key("a", 1)).await.unwrap().annotations.is_empty());
    });
}

#[test]
fn corrupted_records_are_named() {
    run(async {
        let mem = Memory::new(Some("default".into()));
        let bad = WriteRecord {
            key: key("a", 1),
            labels: [
                ("name", "a"),
                ("owner", "helm"),
                ("status", "deployed"),
                ("version", "1"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
            annotations: BTreeMap::new(),
            data: "H4sI!!!".into(),
        };
        mem.create(&bad).await.unwrap();
        let s = Storage::new(Box::new(mem));
        let e = s.get("a", 1).await.unwrap_err();
        assert_eq!(
            e.to_string().split(": data").next().unwrap(),
            "get: failed to decode data \"sh.helm.release.v1.a.v1\" (Memory default/sh.helm.release.v1.a.v1)"
        );
        assert!(s.history("a").await.unwrap().is_empty());
        assert_eq!(s.take_skipped().len(), 1);
    });
}

#[test]
fn records_over_one_mebibyte_are_refused_naming_the_largest_files() {
    use crate::storage::record::{Chart, File};
    // Incompressible bytes, so the gzip stage cannot hide them.
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let noise: Vec<u8> = (0..900_000)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed as u8
        })
        .collect();
    let mut r = release("big", 1, Status::PendingInstall);
    r.chart = Some(Chart {
        files: Some(vec![
            File {
                name: "crds/huge.yaml".into(),
                data: Some(noise),
                ..Default::default()
            },
            File {
                name: "README.md".into(),
                data: Some(b"small".to_vec()),
                ..Default::default()
            },
        ]),
        ..Default::default()
    });
    let e = check_size(&r).unwrap_err().to_string();
    assert!(
        e.starts_with("release \"big\" revision 1 is too large to store"),
        "{e}"
    );
    assert!(
        e.contains("the largest parts are crds/huge.yaml (900000 bytes), README.md (5 bytes)"),
        "{e}"
    );
    assert!(check_size(&release("small", 1, Status::Deployed)).unwrap() < 1000);
}
