//! The one place that knows there are two engines: a statement (SQL text plus typed
//! arguments) is written once by the stores and run here on whichever pool the portal opened.
//!
//! Why this and not `sqlx::Any` or generics over `sqlx::Database`: `Any` converts every row
//! through a dynamic representation and hides the concrete pools; generic functions need a
//! trait bound for every bound type and executor, spelled out on every method. Here the stores
//! stay plain Rust (rustfmt, clippy and the IDE see all of it), the arguments keep the types
//! sqlx would give the Rust values (so PostgreSQL sees `int8`, `text`, `bool`, `bytea` exactly
//! as before), and rows decode through the same `sqlx::FromRow` derives on both engines.

use std::borrow::Cow;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Arguments, Decode, FromRow, Postgres, Sqlite, Type};

use super::profile::Timer;
use super::{Backend, DbResult};

/// The connection pool of one engine.
#[derive(Clone, Debug)]
pub enum Pool {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl Pool {
    pub fn backend(&self) -> Backend {
        match self {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Starts a transaction; it rolls back when dropped without [`Tx::commit`].
    ///
    /// On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`): a deferred transaction
    /// that reads and then writes cannot wait for the lock when another connection wrote in
    /// between (its snapshot is stale), so SQLite answers "database is locked" at once, busy
    /// timeout or not. `bench pages` found it on the event endpoints' replay, racing the
    /// dispatcher; every transaction here writes, so none loses anything by waiting instead.
    pub async fn begin(&self) -> DbResult<Tx> {
        Ok(match self {
            Pool::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    pub async fn close(&self) {
        match self {
            Pool::Sqlite(pool) => pool.close().await,
            Pool::Postgres(pool) => pool.close().await,
        }
    }
}

/// An open transaction on either engine.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

impl Tx {
    pub async fn commit(self) -> DbResult<()> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

/// A connection a statement runs on: taken from a pool for one statement, or borrowed from an
/// open transaction.
pub enum Conn<'c> {
    Sqlite(Lease<'c, Sqlite>),
    Postgres(Lease<'c, Postgres>),
}

pub enum Lease<'c, DB: sqlx::Database> {
    Pooled(PoolConnection<DB>),
    Borrowed(&'c mut DB::Connection),
}

impl<DB: sqlx::Database> Deref for Lease<'_, DB> {
    type Target = DB::Connection;
    fn deref(&self) -> &DB::Connection {
        match self {
            Lease::Pooled(c) => c,
            Lease::Borrowed(c) => c,
        }
    }
}

impl<DB: sqlx::Database> DerefMut for Lease<'_, DB> {
    fn deref_mut(&mut self) -> &mut DB::Connection {
        match self {
            Lease::Pooled(c) => c,
            Lease::Borrowed(c) => c,
        }
    }
}

/// Where a statement runs: `&pool` or `&mut tx`.
pub enum Target<'c> {
    Pool(&'c Pool),
    Tx(&'c mut Tx),
}

impl<'c> Target<'c> {
    async fn conn(self) -> DbResult<Conn<'c>> {
        Ok(match self {
            Target::Pool(Pool::Sqlite(pool)) => Conn::Sqlite(Lease::Pooled(pool.acquire().await?)),
            Target::Pool(Pool::Postgres(pool)) => {
                Conn::Postgres(Lease::Pooled(pool.acquire().await?))
            }
            Target::Tx(Tx::Sqlite(tx)) => Conn::Sqlite(Lease::Borrowed(&mut **tx)),
            Target::Tx(Tx::Postgres(tx)) => Conn::Postgres(Lease::Borrowed(&mut **tx)),
        })
    }
}

/// `&pool` and `&mut tx`, as a [`Target`].
pub trait On<'c>: Send {
    fn target(self) -> Target<'c>;
}

impl<'c> On<'c> for &'c Pool {
    fn target(self) -> Target<'c> {
        Target::Pool(self)
    }
}

impl<'c> On<'c> for &'c mut Tx {
    fn target(self) -> Target<'c> {
        Target::Tx(self)
    }
}

/// A bound argument, with the type sqlx gives the Rust value it came from.
#[derive(Debug, Clone)]
pub enum Arg<'q> {
    Int(Option<i64>),
    Text(Option<Cow<'q, str>>),
    Bool(Option<bool>),
    Bytes(Option<Cow<'q, [u8]>>),
}

/// Values a statement can bind.
pub trait IntoArg<'q> {
    fn into_arg(self) -> Arg<'q>;
}

impl<'q> IntoArg<'q> for i64 {
    fn into_arg(self) -> Arg<'q> {
        Arg::Int(Some(self))
    }
}
impl<'q> IntoArg<'q> for Option<i64> {
    fn into_arg(self) -> Arg<'q> {
        Arg::Int(self)
    }
}
impl<'q> IntoArg<'q> for &'q Option<i64> {
    fn into_arg(self) -> Arg<'q> {
        Arg::Int(*self)
    }
}
impl<'q> IntoArg<'q> for bool {
    fn into_arg(self) -> Arg<'q> {
        Arg::Bool(Some(self))
    }
}
impl<'q> IntoArg<'q> for Option<bool> {
    fn into_arg(self) -> Arg<'q> {
        Arg::Bool(self)
    }
}
impl<'q> IntoArg<'q> for &'q str {
    fn into_arg(self) -> Arg<'q> {
        Arg::Text(Some(Cow::Borrowed(self)))
    }
}
impl<'q> IntoArg<'q> for &'q String {
    fn into_arg(self) -> Arg<'q> {
        Arg::Text(Some(Cow::Borrowed(self)))
    }
}
impl<'q> IntoArg<'q> for String {
    fn into_arg(self) -> Arg<'q> {
        Arg::Text(Some(Cow::Owned(self)))
    }
}
impl<'q> IntoArg<'q> for Option<&'q str> {
    fn into_arg(self) -> Arg<'q> {
        Arg::Text(self.map(Cow::Borrowed))
    }
}
impl<'q> IntoArg<'q> for Option<String> {
    fn into_arg(self) -> Arg<'q> {
        Arg::Text(self.map(Cow::Owned))
    }
}
impl<'q> IntoArg<'q> for &'q Option<String> {
    fn into_arg(self) -> Arg<'q> {
        Arg::Text(self.as_deref().map(Cow::Borrowed))
    }
}
impl<'q> IntoArg<'q> for &'q [u8] {
    fn into_arg(self) -> Arg<'q> {
        Arg::Bytes(Some(Cow::Borrowed(self)))
    }
}
impl<'q> IntoArg<'q> for &'q Vec<u8> {
    fn into_arg(self) -> Arg<'q> {
        Arg::Bytes(Some(Cow::Borrowed(self)))
    }
}
impl<'q> IntoArg<'q> for Vec<u8> {
    fn into_arg(self) -> Arg<'q> {
        Arg::Bytes(Some(Cow::Owned(self)))
    }
}

/// A row type both engines decode (every `#[derive(sqlx::FromRow)]` struct and tuple of
/// portable columns is one).
pub trait Record:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}
impl<T> Record for T where
    T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

/// A single column value both engines decode.
pub trait Scalar:
    for<'r> Decode<'r, Sqlite>
    + Type<Sqlite>
    + for<'r> Decode<'r, Postgres>
    + Type<Postgres>
    + Send
    + Unpin
{
}
impl<T> Scalar for T where
    T: for<'r> Decode<'r, Sqlite>
        + Type<Sqlite>
        + for<'r> Decode<'r, Postgres>
        + Type<Postgres>
        + Send
        + Unpin
{
}

/// SQL text with its arguments. Placeholders are `$1`, `$2`, …, which SQLite accepts too.
#[derive(Debug, Clone)]
pub struct Statement<'q> {
    sql: Cow<'q, str>,
    args: Vec<Arg<'q>>,
    persistent: bool,
}

/// A statement whose rows are not read (or read as [`Done`]).
pub fn query<'q>(sql: impl Into<Cow<'q, str>>) -> Statement<'q> {
    Statement {
        sql: sql.into(),
        args: Vec::new(),
        persistent: true,
    }
}

/// A statement whose rows decode into `T`.
pub fn query_as<'q, T: Record>(sql: impl Into<Cow<'q, str>>) -> Rows<'q, T> {
    Rows(query(sql), PhantomData)
}

/// A statement whose first column decodes into `T`.
pub fn query_scalar<'q, T: Scalar>(sql: impl Into<Cow<'q, str>>) -> Column<'q, T> {
    Column(query(sql), PhantomData)
}

/// How many rows a statement changed.
#[derive(Debug, Clone, Copy)]
pub struct Done(u64);

impl Done {
    pub fn rows_affected(&self) -> u64 {
        self.0
    }
}

impl<'q> Statement<'q> {
    pub fn bind(mut self, value: impl IntoArg<'q>) -> Self {
        self.args.push(value.into_arg());
        self
    }

    /// Appends SQL text (for statements built piece by piece).
    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.to_mut().push_str(sql);
        self
    }

    /// Appends the next placeholder and binds `value` to it.
    pub fn push_bind(&mut self, value: impl IntoArg<'q>) -> &mut Self {
        self.args.push(value.into_arg());
        let placeholder = format!("${}", self.args.len());
        self.sql.to_mut().push_str(&placeholder);
        self
    }

    /// Appends `VALUES (…), (…)` with one parenthesised row per item, written by `row`.
    pub fn push_values<T>(
        &mut self,
        items: impl IntoIterator<Item = T>,
        mut row: impl FnMut(&mut ValuesRow<'_, 'q>, T),
    ) -> &mut Self {
        self.push("VALUES ");
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.push("(");
            row(
                &mut ValuesRow {
                    statement: self,
                    first: true,
                },
                item,
            );
            self.push(")");
        }
        self
    }

    /// `false`: run as a one-off statement, planned with its own arguments on PostgreSQL (a
    /// cached statement may switch to one generic plan after five runs).
    pub fn persistent(mut self, persistent: bool) -> Self {
        self.persistent = persistent;
        self
    }

    /// Reads rows as `T` from here on.
    pub fn rows<T: Record>(self) -> Rows<'q, T> {
        Rows(self, PhantomData)
    }

    /// Reads the first column as `T` from here on.
    pub fn column<T: Scalar>(self) -> Column<'q, T> {
        Column(self, PhantomData)
    }

    fn sqlite_args(&self) -> DbResult<SqliteArguments<'_>> {
        let mut out = SqliteArguments::default();
        for arg in &self.args {
            let added = match arg {
                Arg::Int(v) => out.add(*v),
                Arg::Text(v) => out.add(v.as_deref()),
                Arg::Bool(v) => out.add(*v),
                Arg::Bytes(v) => out.add(v.as_deref()),
            };
            added.map_err(sqlx::Error::Encode)?;
        }
        Ok(out)
    }

    fn pg_args(&self) -> DbResult<PgArguments> {
        let mut out = PgArguments::default();
        for arg in &self.args {
            let added = match arg {
                Arg::Int(v) => out.add(*v),
                Arg::Text(v) => out.add(v.as_deref()),
                Arg::Bool(v) => out.add(*v),
                Arg::Bytes(v) => out.add(v.as_deref()),
            };
            added.map_err(sqlx::Error::Encode)?;
        }
        Ok(out)
    }

    pub async fn execute<'c>(self, on: impl On<'c>) -> DbResult<Done> {
        let timer = Timer::start();
        let rows = match on.target().conn().await? {
            Conn::Sqlite(mut c) => sqlx::query_with(&self.sql, self.sqlite_args()?)
                .persistent(self.persistent)
                .execute(&mut *c)
                .await?
                .rows_affected(),
            Conn::Postgres(mut c) => sqlx::query_with(&self.sql, self.pg_args()?)
                .persistent(self.persistent)
                .execute(&mut *c)
                .await?
                .rows_affected(),
        };
        timer.finish(&self);
        Ok(Done(rows))
    }

    async fn all<'c, T: Record>(self, on: impl On<'c>) -> DbResult<Vec<T>> {
        let timer = Timer::start();
        let rows = match on.target().conn().await? {
            Conn::Sqlite(mut c) => {
                sqlx::query_as_with(&self.sql, self.sqlite_args()?)
                    .persistent(self.persistent)
                    .fetch_all(&mut *c)
                    .await?
            }
            Conn::Postgres(mut c) => {
                sqlx::query_as_with(&self.sql, self.pg_args()?)
                    .persistent(self.persistent)
                    .fetch_all(&mut *c)
                    .await?
            }
        };
        timer.finish(&self);
        Ok(rows)
    }

    async fn optional<'c, T: Record>(self, on: impl On<'c>) -> DbResult<Option<T>> {
        let timer = Timer::start();
        let row = match on.target().conn().await? {
            Conn::Sqlite(mut c) => {
                sqlx::query_as_with(&self.sql, self.sqlite_args()?)
                    .persistent(self.persistent)
                    .fetch_optional(&mut *c)
                    .await?
            }
            Conn::Postgres(mut c) => {
                sqlx::query_as_with(&self.sql, self.pg_args()?)
                    .persistent(self.persistent)
                    .fetch_optional(&mut *c)
                    .await?
            }
        };
        timer.finish(&self);
        Ok(row)
    }

    /// The SQL text, as run.
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// An owned copy, arguments and all (the profiler keeps the slowest statement).
    pub fn to_static(&self) -> Statement<'static> {
        Statement {
            sql: Cow::Owned(self.sql.to_string()),
            args: self
                .args
                .iter()
                .map(|arg| match arg {
                    Arg::Int(v) => Arg::Int(*v),
                    Arg::Text(v) => Arg::Text(v.as_ref().map(|t| Cow::Owned(t.to_string()))),
                    Arg::Bool(v) => Arg::Bool(*v),
                    Arg::Bytes(v) => Arg::Bytes(v.as_ref().map(|b| Cow::Owned(b.to_vec()))),
                })
                .collect(),
            persistent: self.persistent,
        }
    }

    /// This statement's query plan, with its own arguments, on `pool` (nothing is run:
    /// `EXPLAIN QUERY PLAN` on SQLite, `EXPLAIN` without `ANALYZE` on PostgreSQL).
    pub async fn explain(&self, pool: &Pool) -> DbResult<Vec<String>> {
        let prefix = match pool.backend() {
            Backend::Sqlite => "EXPLAIN QUERY PLAN",
            Backend::Postgres => "EXPLAIN",
        };
        let mut explain = self.to_static();
        explain.sql = Cow::Owned(format!("{prefix} {}", self.sql));
        explain.persistent = false;
        explain.plan_lines(pool).await
    }

    /// The query plan's lines (`EXPLAIN QUERY PLAN`'s `detail` column on SQLite, `EXPLAIN`'s
    /// one text column on PostgreSQL); the statement must be the EXPLAIN itself.
    pub async fn plan_lines<'c>(self, on: impl On<'c>) -> DbResult<Vec<String>> {
        use sqlx::Row;
        Ok(match on.target().conn().await? {
            Conn::Sqlite(mut c) => sqlx::query_with(&self.sql, self.sqlite_args()?)
                .persistent(self.persistent)
                .fetch_all(&mut *c)
                .await?
                .iter()
                .map(|row| row.try_get::<String, _>("detail"))
                .collect::<Result<_, _>>()?,
            Conn::Postgres(mut c) => sqlx::query_with(&self.sql, self.pg_args()?)
                .persistent(self.persistent)
                .fetch_all(&mut *c)
                .await?
                .iter()
                .map(|row| row.try_get::<String, _>(0))
                .collect::<Result<_, _>>()?,
        })
    }
}

/// One row of [`Statement::push_values`]: `bind` and `push` add comma-separated values, the
/// `_unseparated` forms continue the value before.
pub struct ValuesRow<'s, 'q> {
    statement: &'s mut Statement<'q>,
    first: bool,
}

impl<'q> ValuesRow<'_, 'q> {
    fn separate(&mut self) {
        if !self.first {
            self.statement.push(", ");
        }
        self.first = false;
    }

    pub fn bind(&mut self, value: impl IntoArg<'q>) -> &mut Self {
        self.separate();
        self.statement.push_bind(value);
        self
    }

    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.separate();
        self.statement.push(sql);
        self
    }

    pub fn bind_unseparated(&mut self, value: impl IntoArg<'q>) -> &mut Self {
        self.statement.push_bind(value);
        self
    }

    pub fn push_unseparated(&mut self, sql: &str) -> &mut Self {
        self.statement.push(sql);
        self
    }
}

/// A statement read as rows of `T`.
pub struct Rows<'q, T>(Statement<'q>, PhantomData<fn() -> T>);

impl<'q, T: Record> Rows<'q, T> {
    pub fn bind(self, value: impl IntoArg<'q>) -> Self {
        Rows(self.0.bind(value), PhantomData)
    }

    pub fn persistent(self, persistent: bool) -> Self {
        Rows(self.0.persistent(persistent), PhantomData)
    }

    pub async fn fetch_all<'c>(self, on: impl On<'c>) -> DbResult<Vec<T>> {
        self.0.all(on).await
    }

    pub async fn fetch_optional<'c>(self, on: impl On<'c>) -> DbResult<Option<T>> {
        self.0.optional(on).await
    }

    pub async fn fetch_one<'c>(self, on: impl On<'c>) -> DbResult<T> {
        self.0
            .optional(on)
            .await?
            .ok_or(sqlx::Error::RowNotFound.into())
    }
}

/// A statement read as its first column, of type `T`.
pub struct Column<'q, T>(Statement<'q>, PhantomData<fn() -> T>);

impl<'q, T: Scalar> Column<'q, T> {
    pub fn bind(self, value: impl IntoArg<'q>) -> Self {
        Column(self.0.bind(value), PhantomData)
    }

    pub fn persistent(self, persistent: bool) -> Self {
        Column(self.0.persistent(persistent), PhantomData)
    }

    pub async fn fetch_all<'c>(self, on: impl On<'c>) -> DbResult<Vec<T>> {
        let rows: Vec<(T,)> = self.0.all(on).await?;
        Ok(rows.into_iter().map(|(v,)| v).collect())
    }

    pub async fn fetch_optional<'c>(self, on: impl On<'c>) -> DbResult<Option<T>> {
        let row: Option<(T,)> = self.0.optional(on).await?;
        Ok(row.map(|(v,)| v))
    }

    pub async fn fetch_one<'c>(self, on: impl On<'c>) -> DbResult<T> {
        self.fetch_optional(on)
            .await?
            .ok_or(sqlx::Error::RowNotFound.into())
    }
}
