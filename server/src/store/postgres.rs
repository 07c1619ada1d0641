//! The store on PostgreSQL, which several relays share
//! (`kartoteka serve --database postgres://USER@HOST:PORT/DB`).
//!
//! The client is `tokio-postgres` with a `deadpool` pool, driven on a small
//! runtime of the store's own: a [`Storage`] call sends its work there and
//! blocks the calling thread on the answer (see [`super`] for why the trait
//! blocks). Nothing here ever blocks inside a future of that runtime.
//!
//! Concurrency:
//! - every transaction that numbers changes first locks the `seq` row of
//!   `counters` (`SELECT … FOR UPDATE`), so those transactions run one at a
//!   time across every relay: numbers are given in commit order and a
//!   reader never sees number N without every number below it;
//! - a change carries the number of the document it was checked against
//!   ([`DocChange::base`]) and is written only if the document still has
//!   that number — under the counter lock, so of two relays that checked
//!   the same take from the exchange against the same document, exactly
//!   one writes and the other gets [`Committed::Stale`] and checks again;
//! - the committing transaction says `NOTIFY kartoteka_changes` (delivered
//!   only on commit), which [`Storage::other_writers`] passes on to the
//!   relay so that devices on every relay hear of the change.
//!
//! The schema is versioned in `schema_version`; [`MIGRATIONS`] run in order
//! at start, each in its own transaction, under an advisory lock so that
//! relays starting together do not run them twice.

use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use futures::StreamExt;
use kartoteka::ids::UserId;
use tokio_postgres::{AsyncMessage, IsolationLevel, NoTls};

use super::{
    ChangedDoc, Committed, DocBytes, DocChange, DocVisitor, Dump, DumpedDoc, SessionRecord,
    Storage, StoreError, StoredDoc, SummaryVisitor, UserRecord, backup_key_hex,
};

/// The schema, one step per version; a database at version N runs the
/// steps after N. Never edit a released step: add one.
const MIGRATIONS: &[&str] = &[
    // 1: everything the embedded store keeps.
    "CREATE TABLE users (
        id text PRIMARY KEY,
        login text NOT NULL UNIQUE,
        record bytea NOT NULL
     );
     CREATE TABLE sessions (
        token_hash bytea PRIMARY KEY,
        record bytea NOT NULL
     );
     CREATE TABLE docs (
        id text PRIMARY KEY,
        snapshot bytea NOT NULL,
        summary bytea,
        seq bigint NOT NULL UNIQUE
     );
     CREATE TABLE doc_chunks (
        doc text NOT NULL REFERENCES docs (id) ON DELETE CASCADE,
        n bigint NOT NULL,
        chunk bytea NOT NULL,
        PRIMARY KEY (doc, n)
     );
     CREATE TABLE meta (name text PRIMARY KEY, value text NOT NULL);
     CREATE TABLE counters (name text PRIMARY KEY, value bigint NOT NULL);
     INSERT INTO counters VALUES ('seq', 0);
     INSERT INTO meta VALUES ('storage_id', gen_random_uuid()::text);
     CREATE TABLE sync_states (
        storage text NOT NULL,
        doc text NOT NULL,
        state bytea NOT NULL,
        PRIMARY KEY (storage, doc)
     );
     CREATE TABLE hello_days (device text PRIMARY KEY, day bigint NOT NULL);",
];

/// The channel the committing transaction notifies.
const CHANNEL: &str = "kartoteka_changes";

/// Connections in the pool of one relay.
const POOL_SIZE: usize = 16;

/// The PostgreSQL store. Cheap to clone.
#[derive(Clone)]
pub struct PgStore {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    config: tokio_postgres::Config,
    /// Runs the client; shut down in the background when the store goes,
    /// wherever that is (dropping a runtime inside another would panic).
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PgStore")
    }
}

fn db_error(e: impl std::fmt::Display) -> StoreError {
    StoreError::Storage(e.to_string())
}

fn runtime() -> Result<tokio::runtime::Runtime, StoreError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("kartoteka-pg")
        .enable_all()
        .build()
        .map_err(|e| StoreError::Connect(e.to_string()))
}

/// Runs `work` on `runtime` and waits for it from any thread (also from
/// inside another runtime's future, as a blocking call).
fn block<T: Send + 'static>(
    runtime: &tokio::runtime::Runtime,
    work: impl std::future::Future<Output = Result<T, StoreError>> + Send + 'static,
) -> Result<T, StoreError> {
    futures::executor::block_on(runtime.spawn(work))
        .map_err(|e| StoreError::Storage(format!("a database task failed: {e}")))?
}

/// Creates a database on a server unless it exists, and returns its URL
/// (the tests' throw-away databases).
pub fn create_database(server: &str, name: &str) -> Result<String, StoreError> {
    let config: tokio_postgres::Config = server
        .parse()
        .map_err(|e| StoreError::Connect(format!("{server}: {e}")))?;
    let runtime = runtime()?;
    let name_owned = name.to_owned();
    let admin = config.clone();
    let created = block(&runtime, async move {
        let (client, connection) = admin
            .connect(NoTls)
            .await
            .map_err(|e| StoreError::Connect(e.to_string()))?;
        tokio::spawn(connection);
        let exists = client
            .query_opt(
                "SELECT 1 FROM pg_database WHERE datname = $1",
                &[&name_owned],
            )
            .await
            .map_err(db_error)?
            .is_some();
        if !exists {
            // A name the caller made of letters, digits and underscores.
            client
                .batch_execute(&format!("CREATE DATABASE \"{name_owned}\""))
                .await
                .map_err(db_error)?;
        }
        Ok(())
    });
    runtime.shutdown_background();
    created?;
    let mut url = server.to_owned();
    if let Some(query) = url.find('?') {
        url.truncate(query);
    }
    match url.rfind('/') {
        Some(slash) if slash > "postgres://".len() => url.truncate(slash),
        _ => {}
    }
    Ok(format!("{url}/{name}"))
}

impl PgStore {
    /// Connects and runs the migrations the database has not had yet.
    pub fn connect(url: &str) -> Result<PgStore, StoreError> {
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| StoreError::Connect(format!("{e}")))?;
        let runtime = runtime()?;
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(Duration::from_secs(30)))
            .create_timeout(Some(Duration::from_secs(10)))
            .build()
            .map_err(|e| StoreError::Connect(e.to_string()))?;
        let store = PgStore {
            inner: Arc::new(Inner {
                pool,
                config,
                runtime: Some(runtime),
            }),
        };
        store.run(|pool| async move { migrate(&pool).await })?;
        Ok(store)
    }

    fn run<T, F>(&self, work: impl FnOnce(Pool) -> F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: std::future::Future<Output = Result<T, StoreError>> + Send + 'static,
    {
        let runtime = self
            .inner
            .runtime
            .as_ref()
            .ok_or_else(|| StoreError::Storage("the store is closed".into()))?;
        block(runtime, work(self.inner.pool.clone()))
    }
}

async fn client(pool: &Pool) -> Result<deadpool_postgres::Object, StoreError> {
    pool.get()
        .await
        .map_err(|e| StoreError::Connect(e.to_string()))
}

async fn migrate(pool: &Pool) -> Result<(), StoreError> {
    let mut client = client(pool).await?;
    let tx = client.transaction().await.map_err(db_error)?;
    // One relay migrates at a time; the others wait here, then find the
    // schema up to date.
    tx.batch_execute(
        "SELECT pg_advisory_xact_lock(7253018);
         CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL);",
    )
    .await
    .map_err(db_error)?;
    let version: i32 = tx
        .query_opt("SELECT version FROM schema_version", &[])
        .await
        .map_err(db_error)?
        .map_or(0, |row| row.get(0));
    let done = usize::try_from(version).unwrap_or(0);
    for (i, step) in MIGRATIONS.iter().enumerate().skip(done) {
        tx.batch_execute(step)
            .await
            .map_err(|e| StoreError::Storage(format!("migration {}: {e}", i + 1)))?;
    }
    let latest = i32::try_from(MIGRATIONS.len()).unwrap_or(i32::MAX);
    if version < latest {
        tx.execute("DELETE FROM schema_version", &[])
            .await
            .map_err(db_error)?;
        tx.execute("INSERT INTO schema_version VALUES ($1)", &[&latest])
            .await
            .map_err(db_error)?;
    }
    tx.commit().await.map_err(db_error)
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(value).map_err(|e| StoreError::Damaged(e.to_string()))
}

fn parse<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Damaged(e.to_string()))
}

fn seq_of(value: i64) -> u64 {
    u64::try_from(value).unwrap_or_default()
}

fn seq_value(seq: u64) -> Result<i64, StoreError> {
    i64::try_from(seq).map_err(|_| StoreError::Damaged(format!("change number {seq}")))
}

/// Locks the change counter for the rest of the transaction (every
/// numbering transaction runs alone from here on) and reads it.
async fn lock_counter(tx: &tokio_postgres::Transaction<'_>) -> Result<u64, StoreError> {
    let row = tx
        .query_one(
            "SELECT value FROM counters WHERE name = 'seq' FOR UPDATE",
            &[],
        )
        .await
        .map_err(db_error)?;
    Ok(seq_of(row.get(0)))
}

/// Saves the counter and tells the other relays, at commit.
async fn finish_numbering(
    tx: &tokio_postgres::Transaction<'_>,
    seq: u64,
) -> Result<(), StoreError> {
    let value = seq_value(seq)?;
    tx.execute(
        "UPDATE counters SET value = $1 WHERE name = 'seq'",
        &[&value],
    )
    .await
    .map_err(db_error)?;
    tx.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &seq.to_string()])
        .await
        .map_err(db_error)?;
    Ok(())
}

/// Replaces a whole document (snapshot, no chunks) and numbers it.
async fn put_whole(
    tx: &tokio_postgres::Transaction<'_>,
    id: &str,
    bytes: &[u8],
    summary: Option<&[u8]>,
    seq: u64,
) -> Result<(), StoreError> {
    let value = seq_value(seq)?;
    tx.execute("DELETE FROM doc_chunks WHERE doc = $1", &[&id])
        .await
        .map_err(db_error)?;
    tx.execute(
        "INSERT INTO docs (id, snapshot, summary, seq) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET snapshot = EXCLUDED.snapshot,
             summary = COALESCE(EXCLUDED.summary, docs.summary), seq = EXCLUDED.seq",
        &[&id, &bytes, &summary, &value],
    )
    .await
    .map_err(db_error)?;
    Ok(())
}

impl Storage for PgStore {
    fn put_user(&self, user: &UserRecord) -> Result<(), StoreError> {
        let json = to_json(user)?;
        let login = user.login.to_lowercase();
        let id = user.id.as_str().to_owned();
        let shown = user.login.clone();
        self.run(|pool| async move {
            let mut client = client(&pool).await?;
            let tx = client.transaction().await.map_err(db_error)?;
            let owner = tx
                .query_opt(
                    "SELECT id FROM users WHERE login = $1 FOR UPDATE",
                    &[&login],
                )
                .await
                .map_err(db_error)?;
            if let Some(owner) = owner
                && owner.get::<_, String>(0) != id
            {
                return Err(StoreError::Storage(format!(
                    "the login \"{shown}\" belongs to another user"
                )));
            }
            tx.execute(
                "INSERT INTO users (id, login, record) VALUES ($1, $2, $3)
                 ON CONFLICT (id) DO UPDATE SET login = EXCLUDED.login, record = EXCLUDED.record",
                &[&id, &login, &json],
            )
            .await
            .map_err(db_error)?;
            tx.commit().await.map_err(db_error)
        })
    }

    fn user_by_login(&self, login: &str) -> Result<Option<UserRecord>, StoreError> {
        let login = login.trim().to_lowercase();
        self.run(|pool| async move {
            let row = client(&pool)
                .await?
                .query_opt("SELECT record FROM users WHERE login = $1", &[&login])
                .await
                .map_err(db_error)?;
            row.map(|r| parse(r.get::<_, &[u8]>(0))).transpose()
        })
    }

    fn user(&self, id: &UserId) -> Result<Option<UserRecord>, StoreError> {
        let id = id.as_str().to_owned();
        self.run(|pool| async move {
            let row = client(&pool)
                .await?
                .query_opt("SELECT record FROM users WHERE id = $1", &[&id])
                .await
                .map_err(db_error)?;
            row.map(|r| parse(r.get::<_, &[u8]>(0))).transpose()
        })
    }

    fn users(&self) -> Result<Vec<UserRecord>, StoreError> {
        self.run(|pool| async move {
            let rows = client(&pool)
                .await?
                .query("SELECT record FROM users ORDER BY id", &[])
                .await
                .map_err(db_error)?;
            rows.iter().map(|r| parse(r.get::<_, &[u8]>(0))).collect()
        })
    }

    fn put_session(&self, token_hash: &[u8], session: &SessionRecord) -> Result<(), StoreError> {
        let json = to_json(session)?;
        let hash = token_hash.to_vec();
        self.run(|pool| async move {
            client(&pool)
                .await?
                .execute(
                    "INSERT INTO sessions (token_hash, record) VALUES ($1, $2)
                     ON CONFLICT (token_hash) DO UPDATE SET record = EXCLUDED.record",
                    &[&hash, &json],
                )
                .await
                .map_err(db_error)?;
            Ok(())
        })
    }

    fn session(&self, token_hash: &[u8]) -> Result<Option<SessionRecord>, StoreError> {
        let hash = token_hash.to_vec();
        self.run(|pool| async move {
            let row = client(&pool)
                .await?
                .query_opt(
                    "SELECT record FROM sessions WHERE token_hash = $1",
                    &[&hash],
                )
                .await
                .map_err(db_error)?;
            row.map(|r| parse(r.get::<_, &[u8]>(0))).transpose()
        })
    }

    fn remove_session(&self, token_hash: &[u8]) -> Result<(), StoreError> {
        let hash = token_hash.to_vec();
        self.run(|pool| async move {
            client(&pool)
                .await?
                .execute("DELETE FROM sessions WHERE token_hash = $1", &[&hash])
                .await
                .map_err(db_error)?;
            Ok(())
        })
    }

    fn remove_sessions_of(&self, user: &UserId) -> Result<usize, StoreError> {
        let user = user.as_str().to_owned();
        self.run(|pool| async move {
            // The record is the session as JSON bytes (see `to_json`).
            let removed = client(&pool)
                .await?
                .execute(
                    "DELETE FROM sessions
                     WHERE convert_from(record, 'UTF8')::jsonb ->> 'user' = $1",
                    &[&user],
                )
                .await
                .map_err(db_error)?;
            usize::try_from(removed).map_err(|e| StoreError::Storage(e.to_string()))
        })
    }

    fn put_docs(&self, docs: &[StoredDoc]) -> Result<(), StoreError> {
        let docs = docs.to_vec();
        self.run(|pool| async move {
            let mut client = client(&pool).await?;
            let tx = client.transaction().await.map_err(db_error)?;
            let mut seq = lock_counter(&tx).await?;
            for doc in &docs {
                seq += 1;
                put_whole(&tx, &doc.id, &doc.bytes, doc.summary.as_deref(), seq).await?;
            }
            finish_numbering(&tx, seq).await?;
            tx.commit().await.map_err(db_error)
        })
    }

    fn doc_with_chunks(&self, id: &str) -> Result<Option<DocBytes>, StoreError> {
        let id = id.to_owned();
        self.run(|pool| async move {
            let mut client = client(&pool).await?;
            // The snapshot and its chunks from one moment.
            let tx = client
                .build_transaction()
                .isolation_level(IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .await
                .map_err(db_error)?;
            let Some(row) = tx
                .query_opt("SELECT snapshot, seq FROM docs WHERE id = $1", &[&id])
                .await
                .map_err(db_error)?
            else {
                return Ok(None);
            };
            let mut bytes: Vec<u8> = row.get(0);
            let seq = seq_of(row.get(1));
            let chunks = tx
                .query(
                    "SELECT chunk FROM doc_chunks WHERE doc = $1 ORDER BY n",
                    &[&id],
                )
                .await
                .map_err(db_error)?;
            for chunk in &chunks {
                bytes.extend_from_slice(chunk.get::<_, &[u8]>(0));
            }
            tx.commit().await.map_err(db_error)?;
            Ok(Some(DocBytes {
                bytes,
                chunks: chunks.len() as u64,
                seq,
            }))
        })
    }

    fn for_each_client_doc(&self, visit: &mut DocVisitor<'_>) -> Result<(), StoreError> {
        // Read in pages of documents, so that a large base is never in
        // memory twice.
        let mut after = String::new();
        loop {
            let from = after.clone();
            let page: Vec<(String, Vec<u8>, Vec<u8>)> = self.run(|pool| async move {
                let mut client = client(&pool).await?;
                let tx = client
                    .build_transaction()
                    .isolation_level(IsolationLevel::RepeatableRead)
                    .read_only(true)
                    .start()
                    .await
                    .map_err(db_error)?;
                let docs = tx
                    .query(
                        "SELECT id, snapshot, summary FROM docs
                         WHERE summary IS NOT NULL AND id > $1 ORDER BY id LIMIT 1000",
                        &[&from],
                    )
                    .await
                    .map_err(db_error)?;
                let ids: Vec<String> = docs.iter().map(|r| r.get(0)).collect();
                let chunks = tx
                    .query(
                        "SELECT doc, chunk FROM doc_chunks WHERE doc = ANY($1) ORDER BY doc, n",
                        &[&ids],
                    )
                    .await
                    .map_err(db_error)?;
                tx.commit().await.map_err(db_error)?;
                let mut by_doc: std::collections::HashMap<String, Vec<u8>> =
                    std::collections::HashMap::new();
                for row in &chunks {
                    by_doc
                        .entry(row.get(0))
                        .or_default()
                        .extend_from_slice(row.get::<_, &[u8]>(1));
                }
                Ok(docs
                    .iter()
                    .map(|r| {
                        let id: String = r.get(0);
                        let mut bytes: Vec<u8> = r.get(1);
                        if let Some(more) = by_doc.get(&id) {
                            bytes.extend_from_slice(more);
                        }
                        (id, bytes, r.get(2))
                    })
                    .collect())
            })?;
            let Some(last) = page.last() else {
                return Ok(());
            };
            after = last.0.clone();
            for (id, bytes, summary) in &page {
                visit(id, bytes, summary)?;
            }
        }
    }

    fn for_each_summary(&self, visit: &mut SummaryVisitor<'_>) -> Result<(), StoreError> {
        let rows: Vec<(String, Vec<u8>)> = self.run(|pool| async move {
            let rows = client(&pool)
                .await?
                .query(
                    "SELECT id, summary FROM docs WHERE summary IS NOT NULL ORDER BY id",
                    &[],
                )
                .await
                .map_err(db_error)?;
            Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
        })?;
        for (id, summary) in &rows {
            visit(id, summary)?;
        }
        Ok(())
    }

    fn summary_version(&self) -> Result<u32, StoreError> {
        self.run(|pool| async move {
            let row = client(&pool)
                .await?
                .query_opt("SELECT value FROM meta WHERE name = 'summary_version'", &[])
                .await
                .map_err(db_error)?;
            Ok(row
                .and_then(|r| r.get::<_, String>(0).parse().ok())
                .unwrap_or(1))
        })
    }

    fn replace_summaries(
        &self,
        summaries: &[(String, Vec<u8>)],
        version: u32,
    ) -> Result<(), StoreError> {
        let summaries = summaries.to_vec();
        self.run(|pool| async move {
            let mut client = client(&pool).await?;
            let tx = client.transaction().await.map_err(db_error)?;
            for (id, summary) in &summaries {
                tx.execute("UPDATE docs SET summary = $2 WHERE id = $1", &[id, summary])
                    .await
                    .map_err(db_error)?;
            }
            tx.execute(
                "INSERT INTO meta VALUES ('summary_version', $1)
                 ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
                &[&version.to_string()],
            )
            .await
            .map_err(db_error)?;
            tx.commit().await.map_err(db_error)
        })
    }

    fn summary(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let id = id.to_owned();
        self.run(|pool| async move {
            let row = client(&pool)
                .await?
                .query_opt("SELECT summary FROM docs WHERE id = $1", &[&id])
                .await
                .map_err(db_error)?;
            Ok(row.and_then(|r| r.get(0)))
        })
    }

    fn client_count(&self) -> Result<u64, StoreError> {
        self.run(|pool| async move {
            let row = client(&pool)
                .await?
                .query_one("SELECT count(*) FROM docs WHERE summary IS NOT NULL", &[])
                .await
                .map_err(db_error)?;
            Ok(seq_of(row.get(0)))
        })
    }

    fn commit_changes(&self, changes: &[DocChange<'_>]) -> Result<Vec<Committed>, StoreError> {
        let owned: Vec<OwnedChange> = changes.iter().map(OwnedChange::from).collect();
        self.run(|pool| async move {
            let mut client = client(&pool).await?;
            let tx = client.transaction().await.map_err(db_error)?;
            let mut seq = lock_counter(&tx).await?;
            let mut out = Vec::with_capacity(owned.len());
            for change in &owned {
                let current = tx
                    .query_opt(
                        "SELECT seq, (SELECT COALESCE(max(n) + 1, 0) FROM doc_chunks WHERE doc = $1)
                         FROM docs WHERE id = $1",
                        &[&change.id],
                    )
                    .await
                    .map_err(db_error)?;
                let current_seq = current.as_ref().map(|r| seq_of(r.get(0)));
                if current_seq != change.base {
                    out.push(Committed::Stale);
                    continue;
                }
                seq += 1;
                let value = seq_value(seq)?;
                match (&change.snapshot, &current) {
                    (Some(snapshot), _) => {
                        put_whole(&tx, &change.id, snapshot, change.summary.as_deref(), seq)
                            .await?;
                    }
                    (None, None) => {
                        put_whole(
                            &tx,
                            &change.id,
                            &change.chunk,
                            change.summary.as_deref(),
                            seq,
                        )
                        .await?;
                    }
                    (None, Some(row)) => {
                        let next: i64 = row.get(1);
                        tx.execute(
                            "INSERT INTO doc_chunks (doc, n, chunk) VALUES ($1, $2, $3)",
                            &[&change.id, &next, &change.chunk],
                        )
                        .await
                        .map_err(db_error)?;
                        tx.execute(
                            "UPDATE docs SET seq = $2, summary = COALESCE($3, summary)
                             WHERE id = $1",
                            &[&change.id, &value, &change.summary],
                        )
                        .await
                        .map_err(db_error)?;
                    }
                }
                if let Some((storage, state)) = &change.sync_state {
                    put_state(&tx, storage, &change.id, state).await?;
                }
                out.push(Committed::Numbered(seq));
            }
            if out.iter().any(|c| matches!(c, Committed::Numbered(_))) {
                finish_numbering(&tx, seq).await?;
            }
            tx.commit().await.map_err(db_error)?;
            Ok(out)
        })
    }

    fn last_seq(&self) -> Result<u64, StoreError> {
        self.run(|pool| async move {
            let row = client(&pool)
                .await?
                .query_one("SELECT value FROM counters WHERE name = 'seq'", &[])
                .await
                .map_err(db_error)?;
            Ok(seq_of(row.get(0)))
        })
    }

    fn changed_since(&self, cursor: u64) -> Result<(Vec<ChangedDoc>, u64), StoreError> {
        let cursor = i64::try_from(cursor).unwrap_or(i64::MAX);
        self.run(|pool| async move {
            let mut client = client(&pool).await?;
            // The counter and the index from one moment: every number up to
            // the counter is there.
            let tx = client
                .build_transaction()
                .isolation_level(IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .await
                .map_err(db_error)?;
            let last = tx
                .query_one("SELECT value FROM counters WHERE name = 'seq'", &[])
                .await
                .map_err(db_error)?;
            let rows = tx
                .query(
                    "SELECT seq, id, summary FROM docs WHERE seq > $1 ORDER BY seq",
                    &[&cursor],
                )
                .await
                .map_err(db_error)?;
            tx.commit().await.map_err(db_error)?;
            let changed = rows
                .iter()
                .map(|r| ChangedDoc {
                    seq: seq_of(r.get(0)),
                    id: r.get(1),
                    summary: r.get(2),
                })
                .collect();
            Ok((changed, seq_of(last.get(0))))
        })
    }

    fn storage_id(&self) -> Result<String, StoreError> {
        self.run(|pool| async move {
            let row = client(&pool)
                .await?
                .query_opt("SELECT value FROM meta WHERE name = 'storage_id'", &[])
                .await
                .map_err(db_error)?;
            row.map(|r| r.get(0))
                .ok_or_else(|| StoreError::Damaged("the store has no storage id".into()))
        })
    }

    fn sync_state(&self, storage: &str, doc: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let (storage, doc) = (storage.to_owned(), doc.to_owned());
        self.run(|pool| async move {
            let row = client(&pool)
                .await?
                .query_opt(
                    "SELECT state FROM sync_states WHERE storage = $1 AND doc = $2",
                    &[&storage, &doc],
                )
                .await
                .map_err(db_error)?;
            Ok(row.map(|r| r.get(0)))
        })
    }

    fn put_sync_state(
        &self,
        storage: &str,
        doc: &str,
        state: Option<&[u8]>,
    ) -> Result<(), StoreError> {
        let (storage, doc) = (storage.to_owned(), doc.to_owned());
        let state = state.map(<[u8]>::to_vec);
        self.run(|pool| async move {
            let client = client(&pool).await?;
            // Not worth a wait for the disk (see the trait): committed
            // without waiting for the log flush.
            client
                .batch_execute("SET synchronous_commit = off")
                .await
                .map_err(db_error)?;
            let done = match &state {
                Some(state) => {
                    client
                        .execute(
                            "INSERT INTO sync_states (storage, doc, state) VALUES ($1, $2, $3)
                             ON CONFLICT (storage, doc) DO UPDATE SET state = EXCLUDED.state",
                            &[&storage, &doc, state],
                        )
                        .await
                }
                None => {
                    client
                        .execute(
                            "DELETE FROM sync_states WHERE storage = $1 AND doc = $2",
                            &[&storage, &doc],
                        )
                        .await
                }
            };
            client
                .batch_execute("SET synchronous_commit = on")
                .await
                .map_err(db_error)?;
            done.map(|_| ()).map_err(db_error)
        })
    }

    fn hello_day(&self, device: &str) -> Result<Option<i64>, StoreError> {
        let device = device.to_owned();
        self.run(|pool| async move {
            let row = client(&pool)
                .await?
                .query_opt("SELECT day FROM hello_days WHERE device = $1", &[&device])
                .await
                .map_err(db_error)?;
            Ok(row.map(|r| r.get(0)))
        })
    }

    fn put_hello_day(&self, device: &str, day: i64) -> Result<(), StoreError> {
        let device = device.to_owned();
        self.run(|pool| async move {
            client(&pool)
                .await?
                .execute(
                    "INSERT INTO hello_days (device, day) VALUES ($1, $2)
                     ON CONFLICT (device) DO UPDATE SET day = EXCLUDED.day",
                    &[&device, &day],
                )
                .await
                .map_err(db_error)?;
            Ok(())
        })
    }

    fn workspace_id(&self) -> Result<Option<String>, StoreError> {
        self.run(|pool| async move {
            let row = client(&pool)
                .await?
                .query_opt("SELECT value FROM meta WHERE name = 'workspace_doc'", &[])
                .await
                .map_err(db_error)?;
            Ok(row.map(|r| r.get(0)))
        })
    }

    fn put_workspace(&self, id: &str, bytes: &[u8]) -> Result<(), StoreError> {
        let (id, bytes) = (id.to_owned(), bytes.to_vec());
        self.run(|pool| async move {
            let mut client = client(&pool).await?;
            let tx = client.transaction().await.map_err(db_error)?;
            let seq = lock_counter(&tx).await? + 1;
            put_whole(&tx, &id, &bytes, None, seq).await?;
            tx.execute(
                "INSERT INTO meta VALUES ('workspace_doc', $1)
                 ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
                &[&id],
            )
            .await
            .map_err(db_error)?;
            finish_numbering(&tx, seq).await?;
            tx.commit().await.map_err(db_error)
        })
    }

    /// A copy of a database several relays write is PostgreSQL's own job:
    /// `pg_dump` makes it consistent (one snapshot) without stopping them
    /// (docs/postgres.md, "Backup").
    fn backup_to(&self, _path: &std::path::Path) -> Result<u64, StoreError> {
        Err(StoreError::Unsupported(
            "a relay on PostgreSQL is backed up with pg_dump (docs/postgres.md, \"Backup\")",
        ))
    }

    fn set_backup_key(&self, key_hash: &[u8]) -> Result<(), StoreError> {
        let hex = backup_key_hex(key_hash);
        self.run(|pool| async move {
            client(&pool)
                .await?
                .execute(
                    "INSERT INTO meta VALUES ('backup_key_sha256', $1)
                     ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
                    &[&hex],
                )
                .await
                .map_err(db_error)?;
            Ok(())
        })
    }

    fn is_backup_key(&self, key_hash: &[u8]) -> Result<bool, StoreError> {
        let hex = backup_key_hex(key_hash);
        self.run(|pool| async move {
            let row = client(&pool)
                .await?
                .query_opt(
                    "SELECT value FROM meta WHERE name = 'backup_key_sha256'",
                    &[],
                )
                .await
                .map_err(db_error)?;
            Ok(row.is_some_and(|r| r.get::<_, String>(0) == hex))
        })
    }

    fn dump(&self) -> Result<Dump, StoreError> {
        let mut dump = Dump {
            users: self.users()?,
            storage_id: self.storage_id()?,
            workspace: self.workspace_id()?,
            summary_version: self.summary_version()?,
            last_seq: self.last_seq()?,
            ..Dump::default()
        };
        let (sessions, docs, states, days) = self.run(|pool| async move {
            let client = client(&pool).await?;
            let q = |sql: &'static str| {
                let client = &client;
                async move { client.query(sql, &[]).await.map_err(db_error) }
            };
            let sessions = q("SELECT token_hash, record FROM sessions").await?;
            let docs = q("SELECT id, snapshot, summary, seq FROM docs ORDER BY id").await?;
            let chunks = q("SELECT doc, chunk FROM doc_chunks ORDER BY doc, n").await?;
            let states = q("SELECT storage, doc, state FROM sync_states").await?;
            let days = q("SELECT device, day FROM hello_days").await?;
            let mut sessions_out = Vec::new();
            for r in &sessions {
                sessions_out.push((r.get::<_, Vec<u8>>(0), parse(r.get::<_, &[u8]>(1))?));
            }
            let mut by_doc: std::collections::HashMap<String, Vec<Vec<u8>>> =
                std::collections::HashMap::new();
            for r in &chunks {
                by_doc.entry(r.get(0)).or_default().push(r.get(1));
            }
            let docs: Vec<DumpedDoc> = docs
                .iter()
                .map(|r| {
                    let id: String = r.get(0);
                    DumpedDoc {
                        chunks: by_doc.remove(&id).unwrap_or_default(),
                        snapshot: r.get(1),
                        summary: r.get(2),
                        seq: seq_of(r.get(3)),
                        id,
                    }
                })
                .collect();
            let states: Vec<(String, String, Vec<u8>)> = states
                .iter()
                .map(|r| (r.get(0), r.get(1), r.get(2)))
                .collect();
            let days: Vec<(String, i64)> = days.iter().map(|r| (r.get(0), r.get(1))).collect();
            Ok((sessions_out, docs, states, days))
        })?;
        dump.sessions = sessions;
        dump.docs = docs;
        dump.sync_states = states;
        dump.hello_days = days;
        Ok(dump)
    }

    fn restore(&self, dump: &Dump) -> Result<(), StoreError> {
        let users: Vec<(String, String, Vec<u8>)> = dump
            .users
            .iter()
            .map(|u| {
                Ok((
                    u.id.as_str().to_owned(),
                    u.login.to_lowercase(),
                    to_json(u)?,
                ))
            })
            .collect::<Result<_, StoreError>>()?;
        let sessions: Vec<(Vec<u8>, Vec<u8>)> = dump
            .sessions
            .iter()
            .map(|(h, s)| Ok((h.clone(), to_json(s)?)))
            .collect::<Result<_, StoreError>>()?;
        let docs = dump.docs.clone();
        let states = dump.sync_states.clone();
        let days = dump.hello_days.clone();
        let meta = [
            Some(("storage_id", dump.storage_id.clone())),
            Some(("summary_version", dump.summary_version.to_string())),
            dump.workspace.clone().map(|w| ("workspace_doc", w)),
        ];
        let last = seq_value(dump.last_seq)?;
        self.run(|pool| async move {
            let mut client = client(&pool).await?;
            let tx = client.transaction().await.map_err(db_error)?;
            lock_counter(&tx).await?;
            for (id, login, record) in &users {
                tx.execute(
                    "INSERT INTO users (id, login, record) VALUES ($1, $2, $3)",
                    &[id, login, record],
                )
                .await
                .map_err(db_error)?;
            }
            for (hash, record) in &sessions {
                tx.execute(
                    "INSERT INTO sessions (token_hash, record) VALUES ($1, $2)",
                    &[hash, record],
                )
                .await
                .map_err(db_error)?;
            }
            for doc in &docs {
                let seq = seq_value(doc.seq)?;
                tx.execute(
                    "INSERT INTO docs (id, snapshot, summary, seq) VALUES ($1, $2, $3, $4)",
                    &[&doc.id, &doc.snapshot, &doc.summary, &seq],
                )
                .await
                .map_err(db_error)?;
                for (n, chunk) in doc.chunks.iter().enumerate() {
                    let n = n as i64;
                    tx.execute(
                        "INSERT INTO doc_chunks (doc, n, chunk) VALUES ($1, $2, $3)",
                        &[&doc.id, &n, chunk],
                    )
                    .await
                    .map_err(db_error)?;
                }
            }
            for (storage, doc, state) in &states {
                put_state(&tx, storage, doc, state).await?;
            }
            for (device, day) in &days {
                tx.execute(
                    "INSERT INTO hello_days (device, day) VALUES ($1, $2)",
                    &[device, day],
                )
                .await
                .map_err(db_error)?;
            }
            for (name, value) in meta.iter().flatten() {
                tx.execute(
                    "INSERT INTO meta VALUES ($1, $2)
                     ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
                    &[name, value],
                )
                .await
                .map_err(db_error)?;
            }
            tx.execute(
                "UPDATE counters SET value = $1 WHERE name = 'seq'",
                &[&last],
            )
            .await
            .map_err(db_error)?;
            tx.commit().await.map_err(db_error)
        })
    }

    fn other_writers(&self) -> Option<tokio::sync::mpsc::UnboundedReceiver<()>> {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let config = self.inner.config.clone();
        let runtime = self.inner.runtime.as_ref()?;
        runtime.spawn(listen(config, tx));
        Some(rx)
    }
}

/// Passes on every `NOTIFY` of the change channel, reconnecting after a
/// failure (the relay also looks at the change sequence every second, so a
/// notification lost while reconnecting only costs that second).
async fn listen(config: tokio_postgres::Config, wake: tokio::sync::mpsc::UnboundedSender<()>) {
    loop {
        if wake.is_closed() {
            return;
        }
        match config.connect(NoTls).await {
            Ok((client, mut connection)) => {
                let (notes_tx, mut notes) = tokio::sync::mpsc::unbounded_channel();
                let driver = tokio::spawn(async move {
                    let mut messages =
                        futures::stream::poll_fn(move |cx| connection.poll_message(cx));
                    while let Some(message) = messages.next().await {
                        match message {
                            Ok(AsyncMessage::Notification(_)) => {
                                if notes_tx.send(()).is_err() {
                                    return;
                                }
                            }
                            Ok(_) => {}
                            Err(e) => {
                                tracing::warn!(error = %e, "the change listener's connection broke");
                                return;
                            }
                        }
                    }
                });
                if let Err(e) = client.batch_execute(&format!("LISTEN {CHANNEL}")).await {
                    tracing::warn!(error = %e, "cannot listen for changes");
                } else {
                    while notes.recv().await.is_some() {
                        if wake.send(()).is_err() {
                            driver.abort();
                            return;
                        }
                    }
                }
                driver.abort();
            }
            Err(e) => tracing::warn!(error = %e, "the change listener cannot connect"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// A [`DocChange`] the store's runtime can own.
struct OwnedChange {
    id: String,
    base: Option<u64>,
    chunk: Vec<u8>,
    snapshot: Option<Vec<u8>>,
    summary: Option<Vec<u8>>,
    sync_state: Option<(String, Vec<u8>)>,
}

impl From<&DocChange<'_>> for OwnedChange {
    fn from(c: &DocChange<'_>) -> Self {
        OwnedChange {
            id: c.id.to_owned(),
            base: c.base,
            chunk: c.chunk.to_vec(),
            snapshot: c.snapshot.map(<[u8]>::to_vec),
            summary: c.summary.map(<[u8]>::to_vec),
            sync_state: c.sync_state.map(|(s, st)| (s.to_owned(), st.to_vec())),
        }
    }
}

async fn put_state(
    tx: &tokio_postgres::Transaction<'_>,
    storage: &str,
    doc: &str,
    state: &[u8],
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO sync_states (storage, doc, state) VALUES ($1, $2, $3)
         ON CONFLICT (storage, doc) DO UPDATE SET state = EXCLUDED.state",
        &[&storage, &doc, &state],
    )
    .await
    .map_err(db_error)?;
    Ok(())
}
