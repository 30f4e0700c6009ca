//! Bounded work on PostgreSQL, whatever the planner knows: a conversation list on a table
//! that has never been analysed (a fresh database right after a burst of mail) touches a
//! page's worth of rows, not the folder once per row; and a statement that runs past
//! `--database-statement-timeout-ms` is cancelled and answered with a clear error.

mod support;

use std::time::Duration;

use ksuite_common::ErrorCode;
use ksuite_server::db::{Db, PoolSettings};
use ksuite_server::error::ApiError;
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;
use support::postgres::Postgres;

/// Rows every node of an `EXPLAIN (ANALYZE, FORMAT JSON)` plan produced or threw away,
/// over all its loops: the work the executor did.
fn rows_touched(node: &Value) -> f64 {
    let field = |name: &str| node.get(name).and_then(Value::as_f64).unwrap_or(0.0);
    let here = (field("Actual Rows")
        + field("Rows Removed by Filter")
        + field("Rows Removed by Join Filter")
        + field("Rows Removed by Index Recheck"))
        * field("Actual Loops").max(1.0);
    let below: f64 = node
        .get("Plans")
        .and_then(Value::as_array)
        .map(|plans| plans.iter().map(rows_touched).sum())
        .unwrap_or(0.0);
    here + below
}

/// The executed plan of the first conversation page (50) of folder 1.
async fn page_plan(pool: &PgPool) -> Value {
    let explain = format!(
        "EXPLAIN (ANALYZE, FORMAT JSON) {}",
        ksuite_server::mail::store::page_sql(true)
    );
    let plan: Value = sqlx::query_scalar(&explain)
        .bind(1_i64)
        .bind(i64::MAX)
        .bind(i64::MAX)
        .bind(i64::MAX)
        .bind(50_i64)
        .fetch_one(pool)
        .await
        .expect("explain");
    assert_eq!(plan[0]["Plan"]["Actual Rows"], 50, "a full page: {plan}");
    plan[0]["Plan"].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_conversation_list_on_an_unanalysed_table_touches_a_page_of_rows() {
    let pg = Postgres::start();
    let pool = PgPool::connect(&pg.url).await.expect("postgres");
    ksuite_server::db::migrate_postgres(&pool)
        .await
        .expect("migrations");
    sqlx::query("ALTER TABLE messages SET (autovacuum_enabled = false)")
        .execute(&pool)
        .await
        .expect("no autovacuum");
    // 6,000 messages in one folder, conversations of two (ids and times interleaved),
    // inserted without the foreign-key triggers so no account needs to exist.
    const MESSAGES: i64 = 6000;
    let mut tx = pool.begin().await.expect("tx");
    sqlx::query("SET LOCAL session_replication_role = replica")
        .execute(&mut *tx)
        .await
        .expect("replica role");
    sqlx::query(
        "INSERT INTO messages (mailbox_id, uid, modseq, blob, size, to_addresses, cc_addresses, \
         subject, snippet, received_at, thread_id, has_attachments) \
         SELECT 1, i, i, 'blob', 10, '', '', 'Message ' || i, '', 1000 + i, 't' || (i / 2), FALSE \
         FROM generate_series(1, $1) AS i",
    )
    .bind(MESSAGES)
    .execute(&mut *tx)
    .await
    .expect("messages");
    tx.commit().await.expect("commit");
    let reltuples: f32 =
        sqlx::query_scalar("SELECT reltuples FROM pg_class WHERE relname = 'messages'")
            .fetch_one(&pool)
            .await
            .expect("pg_class");
    assert_eq!(
        reltuples, -1.0,
        "the planner has no statistics for messages"
    );

    // Without statistics the planner may read the whole folder once (linear), never
    // the folder once per row (quadratic: 36 million rows here, 50 s at 20,000).
    let touched = rows_touched(&page_plan(&pool).await);
    assert!(
        touched < 4.0 * MESSAGES as f64,
        "one page of conversations touched {touched} rows of a {MESSAGES}-message folder"
    );
    // With them (autovacuum's first pass, or copy-data's ANALYZE), it walks a page.
    sqlx::query("ANALYZE messages")
        .execute(&pool)
        .await
        .expect("analyse");
    let plan = page_plan(&pool).await;
    let touched = rows_touched(&plan);
    assert!(
        touched < 1000.0,
        "one page of conversations touched {touched} rows of a {MESSAGES}-message folder: {plan:#}"
    );

    // The rows themselves: the newest message of each conversation, newest first.
    let newest: Vec<(String, i64)> = sqlx::query_as(&format!(
        "SELECT subject, thread_count FROM ({}) AS page",
        ksuite_server::mail::store::page_sql(true)
    ))
    .bind(1_i64)
    .bind(i64::MAX)
    .bind(i64::MAX)
    .bind(i64::MAX)
    .bind(3_i64)
    .fetch_all(&pool)
    .await
    .expect("page");
    assert_eq!(
        newest,
        vec![
            ("Message 6000".to_string(), 1),
            ("Message 5999".to_string(), 2),
            ("Message 5997".to_string(), 2),
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_statement_past_the_timeout_is_cancelled_and_answered_clearly() {
    let pg = Postgres::start();
    // Migrations run however short the limit: they take a connection of their own.
    let db = ksuite_server::db::connect_with(
        &pg.url,
        PoolSettings {
            max_connections: 2,
            statement_timeout: Some(Duration::from_millis(200)),
            search_language: None,
        },
    )
    .await
    .expect("migrated and connected");
    let Db::Postgres(pool) = &db else {
        panic!("a PostgreSQL pool")
    };
    let quick: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(pool)
        .await
        .expect("a quick statement runs");
    assert_eq!(quick, 0);
    let slow = sqlx::query("SELECT pg_sleep(5)")
        .execute(pool)
        .await
        .expect_err("cancelled at the limit");
    let answer = ApiError::from(slow);
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(answer.code, ErrorCode::TimedOut);
    assert_eq!(answer.retry_after, Some(5));
    assert!(
        answer.message.contains("took too long"),
        "{}",
        answer.message
    );
    // The connection is still good for the next request.
    let again: i64 = sqlx::query_scalar("SELECT 1::BIGINT")
        .fetch_one(pool)
        .await
        .expect("the pool still serves");
    assert_eq!(again, 1);
}
