//! The `sql` driver: records in PostgreSQL with Helm's table layout (`pkg/storage/driver/sql.go`,
//! Helm v3.17.3), so Helm and Rudder read and write the same rows.
//!
//! Tables, as Helm's migrations create them (and recorded in `gorp_migrations` under the ids `init`
//! and `custom_labels`, as sql-migrate records them, so Helm finds its schema in place):
//! - `releases_v1(key, type, body, name, namespace, version, status, owner, createdAt, modifiedAt)`,
//!   primary key `(key, namespace)`; `body` is the same base64 text a Secret holds;
//! - `custom_labels_v1(releaseKey, releaseNamespace, key, value)`: the user's labels.
//!
//! Beyond Helm: updates are conditional on the row's body being the one read (`md5(body)` is the
//! record's version), so two writers cannot both win. The annotations Rudder keeps on a record (the
//! lock holder of a pending revision, `rudder.sh/lock-holder`) live in a table of Rudder's own,
//! `rudder_annotations_v1(releaseKey, releaseNamespace, key, value)`, created with `CREATE TABLE IF
//! NOT EXISTS` and deliberately not recorded in `gorp_migrations`: Helm's sql-migrate refuses a
//! database that records a migration it does not know, and never looks at tables it did not create.
//! Helm leaves those rows alone; a row whose record Helm deleted is replaced when the key is
//! created again, and a holder is only shown while its revision is pending.
use std::collections::BTreeMap;
use std::sync::Arc;

use tokio_postgres::{Client, NoTls, Row};

use super::driver::{BoxFuture, Driver, RawRecord, WriteRecord};
use super::error::Error;

const INIT_MIGRATION: &str = "
    CREATE TABLE releases_v1 (
        key VARCHAR(90),
        type VARCHAR(64) NOT NULL,
        body TEXT NOT NULL,
        name VARCHAR(64) NOT NULL,
        namespace VARCHAR(64) NOT NULL,
        version INTEGER NOT NULL,
        status TEXT NOT NULL,
        owner TEXT NOT NULL,
        createdAt INTEGER NOT NULL,
        modifiedAt INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY(key, namespace)
    );
    CREATE INDEX ON releases_v1 (key, namespace);
    CREATE INDEX ON releases_v1 (version);
    CREATE INDEX ON releases_v1 (status);
    CREATE INDEX ON releases_v1 (owner);
    CREATE INDEX ON releases_v1 (createdAt);
    CREATE INDEX ON releases_v1 (modifiedAt);
    GRANT ALL ON releases_v1 TO PUBLIC;
    ALTER TABLE releases_v1 ENABLE ROW LEVEL SECURITY;
";

const CUSTOM_LABELS_MIGRATION: &str = "
    CREATE TABLE custom_labels_v1 (
        releaseKey VARCHAR(64),
        releaseNamespace VARCHAR(67),
        key VARCHAR(317),
        value VARCHAR(63)
    );
    CREATE INDEX ON custom_labels_v1 (releaseKey, releaseNamespace);
    GRANT ALL ON custom_labels_v1 TO PUBLIC;
    ALTER TABLE custom_labels_v1 ENABLE ROW LEVEL SECURITY;
";

/// Rudder's table of record annotations (see the module documentation).
const ANNOTATIONS_TABLE: &str = "CREATE TABLE IF NOT EXISTS rudder_annotations_v1 (
        releaseKey VARCHAR(90) NOT NULL,
        releaseNamespace VARCHAR(67) NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (releaseKey, releaseNamespace, key)
    )";

/// The labels that are columns of `releases_v1` (Helm's `labelMap`).
const COLUMN_LABELS: [&str; 6] = [
    "modifiedAt",
    "createdAt",
    "version",
    "status",
    "owner",
    "name",
];

/// Records in PostgreSQL.
#[derive(Clone)]
pub struct Sql {
    client: Arc<Client>,
    /// `None`: every namespace (reads only).
    namespace: Option<String>,
}

fn sql_error(context: &str, e: tokio_postgres::Error) -> Error {
    let detail = match e.as_db_error() {
        Some(db) => db.message().to_string(),
        None => super::super::kube::error::chain(&e),
    };
    Error::Backend(format!("{context}: {detail}"))
}

impl Sql {
    /// Connects with a libpq connection string (`host=… port=… user=… dbname=… sslmode=disable`
    /// or `postgres://…`) and creates Helm's tables if they are missing.
    pub async fn connect(connection: &str, namespace: Option<String>) -> Result<Sql, Error> {
        let (client, conn) = tokio_postgres::connect(connection, NoTls)
            .await
            .map_err(|e| sql_error("failed to connect to the SQL database", e))?;
        tokio::spawn(async move {
            // Ends with the client; an error here surfaces on the next query.
            let _ = conn.await;
        });
        let sql = Sql {
            client: Arc::new(client),
            namespace,
        };
        sql.ensure_schema().await?;
        Ok(sql)
    }

    /// Runs Helm's migrations that are not recorded yet, recording them as sql-migrate does.
    async fn ensure_schema(&self) -> Result<(), Error> {
        let c = &self.client;
        let setup = |e| sql_error("failed to set up the SQL database", e);
        c.batch_execute(
            "CREATE TABLE IF NOT EXISTS gorp_migrations (id text NOT NULL PRIMARY KEY, applied_at timestamp with time zone)",
        )
        .await
        .map_err(setup)?;
        let applied: Vec<String> = c
            .query("SELECT id FROM gorp_migrations", &[])
            .await
            .map_err(setup)?
            .iter()
            .map(|r| r.get(0))
            .collect();
        for (id, ddl) in [
            ("init", INIT_MIGRATION),
            ("custom_labels", CUSTOM_LABELS_MIGRATION),
        ] {
            if applied.iter().any(|a| a == id) {
                continue;
            }
            c.batch_execute(&format!(
                "BEGIN; {ddl} INSERT INTO gorp_migrations (id, applied_at) VALUES ('{id}', now()); COMMIT;"
            ))
            .await
            .map_err(setup)?;
        }
        c.batch_execute(ANNOTATIONS_TABLE).await.map_err(setup)?;
        Ok(())
    }

    /// Rudder's annotations of every record of the namespace (or all), by (namespace, key).
    async fn annotations(
        &self,
    ) -> Result<BTreeMap<(String, String), BTreeMap<String, String>>, Error> {
        let select = "SELECT releaseKey, releaseNamespace, key, value FROM rudder_annotations_v1";
        let rows = match &self.namespace {
            Some(ns) => {
                self.client
                    .query(&format!("{select} WHERE releaseNamespace = $1"), &[ns])
                    .await
            }
            None => self.client.query(select, &[]).await,
        }
        .map_err(|e| sql_error("failed to get annotations", e))?;
        let mut out: BTreeMap<(String, String), BTreeMap<String, String>> = BTreeMap::new();
        for r in rows {
            out.entry((r.get(1), r.get(0)))
                .or_default()
                .insert(r.get(2), r.get(3));
        }
        Ok(out)
    }

    /// The version of a row (`md5(body)`).
    async fn digest(&self, key: &str, ns: &str) -> Result<Option<String>, Error> {
        let row = self
            .client
            .query_opt(
                "SELECT md5(body) FROM releases_v1 WHERE key = $1 AND namespace = $2",
                &[&key, &ns],
            )
            .await
            .map_err(|e| sql_error("get: failed to get", e))?;
        Ok(row.map(|r| r.get(0)))
    }

    fn ns(&self) -> &str {
        self.namespace.as_deref().unwrap_or("default")
    }

    /// The user's labels of every record of the namespace (or all), by (namespace, key).
    async fn custom_labels(
        &self,
    ) -> Result<BTreeMap<(String, String), BTreeMap<String, String>>, Error> {
        let rows = match &self.namespace {
            Some(ns) => {
                self.client
                    .query(
                        "SELECT releaseKey, releaseNamespace, key, value FROM custom_labels_v1 WHERE releaseNamespace = $1",
                        &[ns],
                    )
                    .await
            }
            None => {
                self.client
                    .query(
                        "SELECT releaseKey, releaseNamespace, key, value FROM custom_labels_v1",
                        &[],
                    )
                    .await
            }
        }
        .map_err(|e| sql_error("failed to get custom labels", e))?;
        let mut out: BTreeMap<(String, String), BTreeMap<String, String>> = BTreeMap::new();
        for r in rows {
            let key: Option<String> = r.get(0);
            let ns: Option<String> = r.get(1);
            let k: Option<String> = r.get(2);
            let v: Option<String> = r.get(3);
            if let (Some(key), Some(ns), Some(k)) = (key, ns, k) {
                if !COLUMN_LABELS.contains(&k.as_str()) {
                    out.entry((ns, key))
                        .or_default()
                        .insert(k, v.unwrap_or_default());
                }
            }
        }
        Ok(out)
    }

    fn raw(
        &self,
        r: &Row,
        custom: Option<&BTreeMap<String, String>>,
        annotations: Option<&BTreeMap<String, String>>,
    ) -> RawRecord {
        let key: String = r.get("key");
        let namespace: String = r.get("namespace");
        let mut labels = custom.cloned().unwrap_or_default();
        labels.insert("name".into(), r.get("name"));
        labels.insert("owner".into(), r.get("owner"));
        labels.insert("status".into(), r.get("status"));
        labels.insert("version".into(), r.get::<_, i32>("version").to_string());
        for (label, column) in [("createdAt", "createdat"), ("modifiedAt", "modifiedat")] {
            let t: i32 = r.get(column);
            if t != 0 {
                labels.insert(label.into(), t.to_string());
            }
        }
        RawRecord {
            object: format!("SQL row {namespace}/{key}"),
            key,
            namespace,
            labels,
            annotations: annotations.cloned().unwrap_or_default(),
            resource_version: Some(r.get("digest")),
            data: r.get::<_, String>("body").into_bytes(),
        }
    }
}

const COLUMNS: &str =
    "key, namespace, body, name, owner, status, version, createdAt, modifiedAt, md5(body) AS digest";

fn label_i32(record: &WriteRecord, label: &str) -> i32 {
    record
        .labels
        .get(label)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn label_str<'a>(record: &'a WriteRecord, label: &str) -> &'a str {
    record.labels.get(label).map(String::as_str).unwrap_or("")
}

impl Driver for Sql {
    fn name(&self) -> &'static str {
        "SQL"
    }

    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<RawRecord, Error>> {
        Box::pin(async move {
            let ns = self.ns().to_string();
            let row = self
                .client
                .query_opt(
                    &format!("SELECT {COLUMNS} FROM releases_v1 WHERE key = $1 AND namespace = $2"),
                    &[&key, &ns],
                )
                .await
                .map_err(|e| sql_error("get: failed to get", e))?
                .ok_or(Error::NotFound)?;
            let custom = self.custom_labels().await?;
            let annotations = self.annotations().await?;
            let id = (ns, key.to_string());
            Ok(self.raw(&row, custom.get(&id), annotations.get(&id)))
        })
    }

    fn query<'a>(
        &'a self,
        labels: &'a [(&'a str, &'a str)],
    ) -> BoxFuture<'a, Result<Vec<RawRecord>, Error>> {
        Box::pin(async move {
            let mut sql = format!("SELECT {COLUMNS} FROM releases_v1 WHERE TRUE");
            let mut params: Vec<Box<dyn tokio_postgres::types::ToSql + Sync + Send>> = Vec::new();
            for (k, v) in labels {
                match *k {
                    "version" => {
                        let n: i32 = v.parse().map_err(|_| Error::InvalidLabel(v.to_string()))?;
                        params.push(Box::new(n));
                    }
                    "name" | "owner" | "status" => params.push(Box::new(v.to_string())),
                    other => return Err(Error::Backend(format!("unknown label {other}"))),
                }
                sql.push_str(&format!(" AND {k} = ${}", params.len()));
            }
            if let Some(ns) = &self.namespace {
                params.push(Box::new(ns.clone()));
                sql.push_str(&format!(" AND namespace = ${}", params.len()));
            }
            let refs: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = params
                .iter()
                .map(|p| p.as_ref() as &(dyn tokio_postgres::types::ToSql + Sync))
                .collect();
            let context = if labels == [("owner", "helm")] {
                "list: failed to list"
            } else {
                "query: failed to query with labels"
            };
            let rows = self
                .client
                .query(&sql, &refs)
                .await
                .map_err(|e| sql_error(context, e))?;
            let custom = self.custom_labels().await?;
            let annotations = self.annotations().await?;
            Ok(rows
                .iter()
                .map(|r| {
                    let id = (r.get::<_, String>("namespace"), r.get::<_, String>("key"));
                    self.raw(r, custom.get(&id), annotations.get(&id))
                })
                .collect())
        })
    }

    fn create<'a>(
        &'a self,
        record: &'a WriteRecord,
    ) -> BoxFuture<'a, Result<Option<String>, Error>> {
        Box::pin(async move {
            let ns = self.ns().to_string();
            let created_at = label_i32(record, "createdAt");
            let version = label_i32(record, "version");
            let mut labels_sql = String::new();
            for (k, v) in &record.labels {
                if !COLUMN_LABELS.contains(&k.as_str()) {
                    labels_sql.push_str(&format!(
                        "INSERT INTO custom_labels_v1 (releaseKey, releaseNamespace, key, value) VALUES ({}, {}, {}, {});",
                        quote(&record.key),
                        quote(&ns),
                        quote(k),
                        quote(v)
                    ));
                }
            }
            let annotations_sql = annotations_sql(record, &ns);
            let insert = format!(
                "BEGIN; INSERT INTO releases_v1 (key, type, body, name, namespace, version, status, owner, createdAt) VALUES ({}, 'helm.sh/release.v1', {}, {}, {}, {version}, {}, 'helm', {created_at}); {labels_sql} {annotations_sql} COMMIT;",
                quote(&record.key),
                quote(&record.data),
                quote(label_str(record, "name")),
                quote(&ns),
                quote(label_str(record, "status")),
            );
            match self.client.batch_execute(&insert).await {
                Ok(()) => {}
                Err(e) => {
                    let _ = self.client.batch_execute("ROLLBACK").await;
                    if e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) {
                        return Err(Error::Exists);
                    }
                    return Err(sql_error("create: failed to create", e));
                }
            }
            self.digest(&record.key, &ns).await
        })
    }

    fn update<'a>(
        &'a self,
        record: &'a WriteRecord,
        resource_version: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Option<String>, Error>> {
        Box::pin(async move {
            let ns = self.ns().to_string();
            let now = chrono::Utc::now().timestamp() as i32;
            let version = label_i32(record, "version");
            let name = label_str(record, "name").to_string();
            let status = label_str(record, "status").to_string();
            let body = record.data.clone();
            let rv = resource_version.unwrap_or("").to_string();
            let updated = self
                .client
                .query_opt(
                    "UPDATE releases_v1 SET body = $1, name = $2, version = $3, status = $4, owner = 'helm', modifiedAt = $5 \
                     WHERE key = $6 AND namespace = $7 AND ($8 = '' OR md5(body) = $8) RETURNING md5(body)",
                    &[&body, &name, &version, &status, &now, &record.key, &ns, &rv],
                )
                .await
                .map_err(|e| sql_error("update: failed to update", e))?;
            if updated.is_none() {
                let exists = self
                    .client
                    .query_opt(
                        "SELECT 1 FROM releases_v1 WHERE key = $1 AND namespace = $2",
                        &[&record.key, &ns],
                    )
                    .await
                    .map_err(|e| sql_error("update: failed to update", e))?;
                return Err(match exists {
                    Some(_) => Error::Conflict {
                        object: format!("SQL row {ns}/{}", record.key),
                    },
                    None => Error::NotFound,
                });
            }
            self.client
                .batch_execute(&annotations_sql(record, &ns))
                .await
                .map_err(|e| sql_error("update: failed to update annotations", e))?;
            Ok(updated.map(|r| r.get(0)))
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            let ns = self.ns().to_string();
            let n = self
                .client
                .execute(
                    "DELETE FROM releases_v1 WHERE key = $1 AND namespace = $2",
                    &[&key, &ns],
                )
                .await
                .map_err(|e| sql_error("delete: failed to delete", e))?;
            if n == 0 {
                return Err(Error::NotFound);
            }
            self.client
                .execute(
                    "DELETE FROM custom_labels_v1 WHERE releaseKey = $1 AND releaseNamespace = $2",
                    &[&key, &ns],
                )
                .await
                .map_err(|e| sql_error("delete: failed to delete labels", e))?;
            self.client
                .execute(
                    "DELETE FROM rudder_annotations_v1 WHERE releaseKey = $1 AND releaseNamespace = $2",
                    &[&key, &ns],
                )
                .await
                .map_err(|e| sql_error("delete: failed to delete annotations", e))?;
            Ok(())
        })
    }
}

/// Statements that make the record's rows of `rudder_annotations_v1` its annotations (none: no row).
fn annotations_sql(record: &WriteRecord, ns: &str) -> String {
    let mut sql = format!(
        "DELETE FROM rudder_annotations_v1 WHERE releaseKey = {} AND releaseNamespace = {};",
        quote(&record.key),
        quote(ns)
    );
    for (k, v) in &record.annotations {
        sql.push_str(&format!(
            "INSERT INTO rudder_annotations_v1 (releaseKey, releaseNamespace, key, value) VALUES ({}, {}, {}, {});",
            quote(&record.key),
            quote(ns),
            quote(k),
            quote(v)
        ));
    }
    sql
}

/// A SQL string literal.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}
