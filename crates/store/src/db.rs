//! How the store reaches its database: the one place where the backend is
//! chosen.
//!
//! Every statement of the store is written once, in the SQL both backends
//! speak, as an [`Sql`]: its text and the values bound to it, in our own
//! closed set of types ([`Value`]). Only when it runs, on a pool
//! ([`Store::reader`], [`Store::writer`]) or in a write transaction
//! ([`Tx`], from [`Store::begin_write`]), is it turned into a sqlx query of
//! the backend at hand; rows come back through sqlx's `FromRow`
//! ([`Record`]: tuples or `#[derive(sqlx::FromRow)]` structs that both
//! backends decode). What differs per backend beyond that, how writers
//! serialise ([`Tx::lock`]) and how listeners hear of a write
//! ([`Tx::notify_changes`]), is a method here that calls `sqlite.rs` or
//! `postgres.rs`.
//!
//! Design decision: the backend is a run-time value matched here, per
//! statement, rather than a type parameter of the store's logic. The logic
//! (`entities.rs`, `review.rs`, `federation.rs`, …) is then ordinary
//! `impl Store` code: one copy compiled, no sqlx trait bounds to repeat on
//! every function (sqlx's `Executor`, `Encode` and `Decode` bounds over a
//! generic database are not implied by a helper trait, so a generic
//! function would restate them), and compiler errors that point at the
//! code. The trade-off: a `match` per statement (nothing beside a round
//! trip to the database) and binds limited to [`Value`]'s types, which are
//! the ones the schema uses.

use std::borrow::Cow;

use serde_json::value::RawValue;
use sqlx::postgres::{PgPool, PgRow};
use sqlx::sqlite::{SqlitePool, SqliteRow};
use sqlx::types::Json;
use sqlx::{Database, Encode, FromRow, Postgres, SqlSafeStr, SqlStr, Sqlite, Transaction, Type};
use time::OffsetDateTime;

use crate::{PgStore, SqliteStore, Store, StoreError};

/// A value bound to a statement: the types both backends take.
#[derive(Debug)]
pub(crate) enum Value<'a> {
    Text(Option<Cow<'a, str>>),
    Int(Option<i64>),
    Float(f64),
    Bool(bool),
    Time(Option<OffsetDateTime>),
    /// JSON for a `JSONB` column (PostgreSQL); text on SQLite.
    Json(Box<RawValue>),
}

impl Value<'_> {
    /// `v` as JSON, for a `JSONB` column.
    pub(crate) fn json<T: serde::Serialize + ?Sized>(v: &T) -> Value<'static> {
        Value::Json(serde_json::value::to_raw_value(v).expect("stored values always serialise"))
    }
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(v: &'a str) -> Self {
        Value::Text(Some(Cow::Borrowed(v)))
    }
}

impl<'a> From<&'a String> for Value<'a> {
    fn from(v: &'a String) -> Self {
        Value::Text(Some(Cow::Borrowed(v)))
    }
}

impl From<String> for Value<'_> {
    fn from(v: String) -> Self {
        Value::Text(Some(Cow::Owned(v)))
    }
}

impl<'a> From<Option<&'a str>> for Value<'a> {
    fn from(v: Option<&'a str>) -> Self {
        Value::Text(v.map(Cow::Borrowed))
    }
}

impl<'a> From<&'a Option<String>> for Value<'a> {
    fn from(v: &'a Option<String>) -> Self {
        Value::Text(v.as_deref().map(Cow::Borrowed))
    }
}

impl From<Option<String>> for Value<'_> {
    fn from(v: Option<String>) -> Self {
        Value::Text(v.map(Cow::Owned))
    }
}

impl From<i64> for Value<'_> {
    fn from(v: i64) -> Self {
        Value::Int(Some(v))
    }
}

impl From<Option<i64>> for Value<'_> {
    fn from(v: Option<i64>) -> Self {
        Value::Int(v)
    }
}

impl From<f64> for Value<'_> {
    fn from(v: f64) -> Self {
        Value::Float(v)
    }
}

impl From<bool> for Value<'_> {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}

impl From<OffsetDateTime> for Value<'_> {
    fn from(v: OffsetDateTime) -> Self {
        Value::Time(Some(v))
    }
}

impl From<Option<OffsetDateTime>> for Value<'_> {
    fn from(v: Option<OffsetDateTime>) -> Self {
        Value::Time(v)
    }
}

/// A row type both backends decode: a tuple or a
/// `#[derive(sqlx::FromRow)]` struct of the types the schema uses.
pub(crate) trait Record:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

impl<T> Record for T where
    T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

/// A connection pool of the store.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Pool<'a> {
    Sqlite(&'a SqlitePool),
    Postgres(&'a PgPool),
}

/// A write transaction (see [`Store::begin_write`]): committed by
/// [`Tx::commit`], rolled back when dropped.
pub(crate) enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Where a statement runs: on a pool or in a transaction.
pub(crate) enum On<'c> {
    Pool(Pool<'c>),
    Tx(&'c mut Tx),
}

impl<'c> From<Pool<'c>> for On<'c> {
    fn from(p: Pool<'c>) -> Self {
        On::Pool(p)
    }
}

impl<'c> From<&'c mut Tx> for On<'c> {
    fn from(t: &'c mut Tx) -> Self {
        On::Tx(t)
    }
}

/// A statement and its bound values, for either backend.
#[derive(Debug)]
pub(crate) struct Sql<'a> {
    text: Text,
    values: Vec<Value<'a>>,
}

/// The text of a statement.
#[derive(Debug)]
enum Text {
    /// Complete, with `$n` placeholders (both backends read them).
    Whole(SqlStr),
    /// `head` followed by `rows` rows of `columns` placeholders, then
    /// `tail`, written when the backend is known (see [`insert_rows`] and
    /// [`in_list`]).
    Rows {
        head: String,
        rows: usize,
        columns: usize,
        tail: &'static str,
    },
}

/// How placeholders are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Marks {
    /// `?`, each the next value (SQLite).
    Anonymous,
    /// `$1`, `$2`, … (PostgreSQL).
    Numbered,
}

/// A statement of fixed text.
pub(crate) fn sql<'a>(text: &'static str) -> Sql<'a> {
    Sql {
        text: Text::Whole(text.into_sql_str()),
        values: Vec::new(),
    }
}

/// A statement whose text is assembled at run time, from fixed fragments
/// and numbered placeholders only: never from input, which is bound.
pub(crate) fn built<'a>(text: String) -> Sql<'a> {
    Sql {
        text: Text::Whole(sqlx::AssertSqlSafe(text).into_sql_str()),
        values: Vec::new(),
    }
}

/// A multi-row insert: `head` (fixed text ending in `VALUES `) and `rows`
/// rows of `columns` values, bound in order; they are its only parameters.
///
/// The rows' placeholders are written when the statement runs: `?` on
/// SQLite, `$n` on PostgreSQL (which reads nothing else). SQLite looks
/// every named or numbered parameter up in a list while it parses, so a
/// statement of 500 rows of 9 values took about 60 times longer to
/// prepare and run with `$n` than with `?` (124 ms against 2 ms, SQLite
/// 3.40 through Python's `sqlite3`, 2 cores): an import of a thousand
/// entities took three times as long.
pub(crate) fn insert_rows<'a>(head: impl Into<String>, rows: usize, columns: usize) -> Sql<'a> {
    Sql {
        text: Text::Rows {
            head: head.into(),
            rows,
            columns,
            tail: "",
        },
        values: Vec::new(),
    }
}

/// A read of `count` values listed in brackets, `head (…) tail`
/// (`… WHERE id IN ` and ` ORDER BY id`): the values are its only
/// parameters, bound in order. Written `?` on SQLite as for
/// [`insert_rows`], for the same reason: a list of a few hundred `$n`
/// is slow for SQLite to prepare. `head` is fixed text (assembled from
/// constants at most), never input.
pub(crate) fn in_list<'a>(head: impl Into<String>, count: usize, tail: &'static str) -> Sql<'a> {
    Sql {
        text: Text::Rows {
            head: head.into(),
            rows: 1,
            columns: count,
            tail,
        },
        values: Vec::new(),
    }
}

impl<'a> Sql<'a> {
    /// Binds the next `$n`.
    pub(crate) fn bind(mut self, v: impl Into<Value<'a>>) -> Self {
        self.values.push(v.into());
        self
    }

    /// Runs the statement; returns the number of rows it changed.
    pub(crate) async fn execute<'c>(self, on: impl Into<On<'c>>) -> Result<u64, sqlx::Error> {
        Ok(match on.into() {
            On::Pool(Pool::Sqlite(p)) => self.sqlite().execute(p).await?.rows_affected(),
            On::Pool(Pool::Postgres(p)) => self.postgres().execute(p).await?.rows_affected(),
            On::Tx(Tx::Sqlite(t)) => self.sqlite().execute(&mut **t).await?.rows_affected(),
            On::Tx(Tx::Postgres(t)) => self.postgres().execute(&mut **t).await?.rows_affected(),
        })
    }

    /// Every row of the answer.
    pub(crate) async fn fetch_all<'c, R: Record>(
        self,
        on: impl Into<On<'c>>,
    ) -> Result<Vec<R>, sqlx::Error> {
        match on.into() {
            On::Pool(Pool::Sqlite(p)) => self.sqlite().try_map(row).fetch_all(p).await,
            On::Pool(Pool::Postgres(p)) => self.postgres().try_map(row).fetch_all(p).await,
            On::Tx(Tx::Sqlite(t)) => self.sqlite().try_map(row).fetch_all(&mut **t).await,
            On::Tx(Tx::Postgres(t)) => self.postgres().try_map(row).fetch_all(&mut **t).await,
        }
    }

    /// The first row of the answer, if any.
    pub(crate) async fn fetch_optional<'c, R: Record>(
        self,
        on: impl Into<On<'c>>,
    ) -> Result<Option<R>, sqlx::Error> {
        match on.into() {
            On::Pool(Pool::Sqlite(p)) => self.sqlite().try_map(row).fetch_optional(p).await,
            On::Pool(Pool::Postgres(p)) => self.postgres().try_map(row).fetch_optional(p).await,
            On::Tx(Tx::Sqlite(t)) => self.sqlite().try_map(row).fetch_optional(&mut **t).await,
            On::Tx(Tx::Postgres(t)) => self.postgres().try_map(row).fetch_optional(&mut **t).await,
        }
    }

    /// The first row of the answer; [`sqlx::Error::RowNotFound`] when
    /// there is none.
    pub(crate) async fn fetch_one<'c, R: Record>(
        self,
        on: impl Into<On<'c>>,
    ) -> Result<R, sqlx::Error> {
        self.fetch_optional(on)
            .await?
            .ok_or(sqlx::Error::RowNotFound)
    }

    fn sqlite(self) -> sqlx::query::Query<'static, Sqlite, <Sqlite as Database>::Arguments> {
        self.query(Marks::Anonymous)
    }

    fn postgres(self) -> sqlx::query::Query<'static, Postgres, <Postgres as Database>::Arguments> {
        self.query(Marks::Numbered)
    }

    /// The sqlx query of backend `DB`, with the values bound.
    fn query<DB>(self, marks: Marks) -> sqlx::query::Query<'static, DB, <DB as Database>::Arguments>
    where
        DB: Database,
        for<'v> Option<&'v str>: Encode<'v, DB> + Type<DB>,
        for<'v> Option<i64>: Encode<'v, DB> + Type<DB>,
        for<'v> f64: Encode<'v, DB> + Type<DB>,
        for<'v> bool: Encode<'v, DB> + Type<DB>,
        for<'v> Option<OffsetDateTime>: Encode<'v, DB> + Type<DB>,
        for<'v> Json<Box<RawValue>>: Encode<'v, DB> + Type<DB>,
    {
        let text = match self.text {
            Text::Whole(text) => text,
            Text::Rows {
                mut head,
                rows,
                columns,
                tail,
            } => {
                value_rows(&mut head, rows, columns, marks);
                head.push_str(tail);
                sqlx::AssertSqlSafe(head).into_sql_str()
            }
        };
        let mut q = sqlx::query::<DB>(text);
        for v in self.values {
            q = match v {
                Value::Text(s) => q.bind(s.as_deref()),
                Value::Int(i) => q.bind(i),
                Value::Float(f) => q.bind(f),
                Value::Bool(b) => q.bind(b),
                Value::Time(t) => q.bind(t),
                Value::Json(j) => q.bind(Json(j)),
            };
        }
        q
    }
}

/// Appends `rows` groups of `columns` placeholders to an INSERT's VALUES
/// clause: `($1, $2), ($3, $4)` or `(?, ?), (?, ?)`.
fn value_rows(sql: &mut String, rows: usize, columns: usize, marks: Marks) {
    use std::fmt::Write;
    for i in 0..rows {
        sql.push_str(if i == 0 { "(" } else { ", (" });
        for c in 0..columns {
            if c > 0 {
                sql.push_str(", ");
            }
            match marks {
                Marks::Anonymous => sql.push('?'),
                Marks::Numbered => {
                    let _ = write!(sql, "${}", i * columns + c + 1);
                }
            }
        }
        sql.push(')');
    }
}

/// Decodes one row into `R`.
fn row<Row: sqlx::Row, R: for<'r> FromRow<'r, Row>>(r: Row) -> Result<R, sqlx::Error> {
    R::from_row(&r)
}

impl Store {
    /// The pool that serves reads (on SQLite, `query_only` connections
    /// beside the writer).
    pub(crate) fn reader(&self) -> Pool<'_> {
        match self {
            Store::Sqlite(s) => Pool::Sqlite(s.reader()),
            Store::Postgres(s) => Pool::Postgres(s.reader()),
        }
    }

    /// The pool for a write of one statement (on SQLite, the one writer
    /// connection).
    pub(crate) fn writer(&self) -> Pool<'_> {
        match self {
            Store::Sqlite(s) => Pool::Sqlite(s.writer()),
            Store::Postgres(s) => Pool::Postgres(s.writer()),
        }
    }

    /// Begins a write transaction (on SQLite, `BEGIN IMMEDIATE` on the
    /// writer).
    pub(crate) async fn begin_write(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Store::Sqlite(s) => Tx::Sqlite(s.begin_write().await?),
            Store::Postgres(s) => Tx::Postgres(s.begin_write().await?),
        })
    }
}

impl Tx {
    /// Serialises writers on `key` until the transaction ends (see
    /// [`SqliteStore::lock`], [`PgStore::lock`]).
    pub(crate) async fn lock(&mut self, key: &str) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(t) => SqliteStore::lock(t, key).await,
            Tx::Postgres(t) => PgStore::lock(t, key).await,
        }
    }

    /// Tells listeners, at commit, that the change feed reached `head`.
    pub(crate) async fn notify_changes(&mut self, head: i64) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(t) => SqliteStore::notify_changes(t, head).await,
            Tx::Postgres(t) => PgStore::notify_changes(t, head).await,
        }
    }

    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(t) => t.commit().await,
            Tx::Postgres(t) => t.commit().await,
        }
    }

    pub(crate) async fn rollback(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(t) => t.rollback().await,
            Tx::Postgres(t) => t.rollback().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_across_rows_or_anonymous() {
        let check = |marks, expect: &str| {
            let mut text = String::from("VALUES ");
            value_rows(&mut text, 2, 3, marks);
            assert_eq!(text, expect);
        };
        check(Marks::Numbered, "VALUES ($1, $2, $3), ($4, $5, $6)");
        check(Marks::Anonymous, "VALUES (?, ?, ?), (?, ?, ?)");
    }

    #[test]
    fn a_listed_read_writes_its_marks_for_the_backend() {
        let text = |marks| {
            let q = in_list("SELECT id FROM t WHERE id IN ", 3, " ORDER BY id");
            let Text::Rows {
                mut head,
                rows,
                columns,
                tail,
            } = q.text
            else {
                panic!("a list is written when the backend is known");
            };
            value_rows(&mut head, rows, columns, marks);
            head + tail
        };
        assert_eq!(
            text(Marks::Numbered),
            "SELECT id FROM t WHERE id IN ($1, $2, $3) ORDER BY id"
        );
        assert_eq!(
            text(Marks::Anonymous),
            "SELECT id FROM t WHERE id IN (?, ?, ?) ORDER BY id"
        );
    }

    #[test]
    fn values_keep_their_type_and_nulls() {
        let none: Option<String> = None;
        assert!(matches!(Value::from(&none), Value::Text(None)));
        assert!(matches!(Value::from(None::<i64>), Value::Int(None)));
        assert!(matches!(
            Value::from("x"),
            Value::Text(Some(Cow::Borrowed("x")))
        ));
        let json = Value::json(&vec!["status"]);
        assert!(matches!(&json, Value::Json(raw) if raw.get() == r#"["status"]"#));
    }
}
