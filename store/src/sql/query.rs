//! One statement for both databases: SQL text with `$1, $2, ...` placeholders and its
//! arguments, run on either pool or transaction.
//!
//! PostgreSQL numbers its parameters `$N`; SQLite accepts `$N` too and sqlx binds it by
//! position, so one text serves both. The arguments are kept as a small enum of the
//! types the schemas use (integers, reals, text, bytes), so a statement can be built
//! before it is known which database will run it.

use super::pool::{On, Row};
use crate::error::Result;
use sqlx::{postgres::PgArguments, sqlite::SqliteArguments, Postgres, Sqlite};
use std::{borrow::Cow, fmt::Write};

/// Binds every argument to a sqlx query of either database (the same code, typed per
/// database by the compiler).
macro_rules! bind_all {
    ($query:expr, $args:expr) => {{
        let mut q = $query;
        for a in $args {
            q = match a {
                Arg::Int(v) => q.bind(*v),
                Arg::Real(v) => q.bind(*v),
                Arg::Text(v) => q.bind(v.as_deref()),
                Arg::Blob(v) => q.bind(v.as_deref()),
            };
        }
        q
    }};
}

/// One bound value. Booleans are stored as 0/1 integers in both schemas; counts as
/// signed 64-bit integers (neither database has an unsigned one).
#[derive(Debug, Clone)]
pub enum Arg<'a> {
    Int(Option<i64>),
    Real(Option<f64>),
    Text(Option<Cow<'a, str>>),
    Blob(Option<Cow<'a, [u8]>>),
}

/// Text as both databases store it: PostgreSQL refuses a NUL byte in text (SQLite keeps
/// it), so a NUL from outside becomes U+FFFD on both instead of failing a whole flush.
fn text(v: Cow<'_, str>) -> Cow<'_, str> {
    if v.contains('\0') {
        Cow::Owned(v.replace('\0', "\u{FFFD}"))
    } else {
        v
    }
}

macro_rules! arg_from {
    ($($t:ty => |$v:ident| $e:expr),+ $(,)?) => {$(
        impl<'a> From<$t> for Arg<'a> {
            fn from($v: $t) -> Arg<'a> {
                $e
            }
        }
    )+};
}

arg_from! {
    i64 => |v| Arg::Int(Some(v)),
    Option<i64> => |v| Arg::Int(v),
    i32 => |v| Arg::Int(Some(v.into())),
    u32 => |v| Arg::Int(Some(v.into())),
    u16 => |v| Arg::Int(Some(v.into())),
    Option<u16> => |v| Arg::Int(v.map(i64::from)),
    // A count past i64::MAX is stored as i64::MAX rather than wrapping negative.
    u64 => |v| Arg::Int(Some(i64::try_from(v).unwrap_or(i64::MAX))),
    bool => |v| Arg::Int(Some(i64::from(v))),
    f64 => |v| Arg::Real(Some(v)),
    Option<f64> => |v| Arg::Real(v),
    &'a str => |v| Arg::Text(Some(text(Cow::Borrowed(v)))),
    &'a String => |v| Arg::Text(Some(text(Cow::Borrowed(v.as_str())))),
    String => |v| Arg::Text(Some(text(Cow::Owned(v)))),
    Option<&'a str> => |v| Arg::Text(v.map(|v| text(Cow::Borrowed(v)))),
    &'a Option<String> => |v| Arg::Text(v.as_deref().map(|v| text(Cow::Borrowed(v)))),
    Option<String> => |v| Arg::Text(v.map(|v| text(Cow::Owned(v)))),
    Vec<u8> => |v| Arg::Blob(Some(Cow::Owned(v))),
    Option<Vec<u8>> => |v| Arg::Blob(v.map(Cow::Owned)),
}

/// A statement and its arguments. Build it with [`Sql::new`] and [`Sql::bind`] for a
/// fixed text (`$N` written in it), or with [`Sql::push`] / [`Sql::push_bind`] for a
/// text assembled from filters (each bind writes its own `$N`).
#[derive(Debug, Clone, Default)]
pub struct Sql<'a> {
    text: String,
    args: Vec<Arg<'a>>,
}

impl<'a> Sql<'a> {
    pub fn new(text: impl Into<String>) -> Sql<'a> {
        Sql {
            text: text.into(),
            args: Vec::new(),
        }
    }

    /// Binds the next `$N` of a fixed text.
    pub fn bind(mut self, value: impl Into<Arg<'a>>) -> Sql<'a> {
        self.args.push(value.into());
        self
    }

    /// Appends text (never a value from outside: those go through [`Sql::push_bind`]).
    pub fn push(&mut self, text: &str) -> &mut Sql<'a> {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder for `value`.
    pub fn push_bind(&mut self, value: impl Into<Arg<'a>>) -> &mut Sql<'a> {
        self.args.push(value.into());
        let _ = write!(self.text, "${}", self.args.len());
        self
    }

    /// The placeholder the next bound value takes (`$4`), for an expression that names
    /// it more than once or before its value is bound with [`Sql::push_arg`].
    pub fn next_param(&self) -> String {
        format!("${}", self.args.len() + 1)
    }

    /// Binds a value whose placeholder the text already names (see [`Sql::next_param`]).
    pub fn push_arg(&mut self, value: impl Into<Arg<'a>>) -> &mut Sql<'a> {
        self.args.push(value.into());
        self
    }

    /// Appends `VALUES (...), (...)`: one tuple per item, its values bound by `row`.
    pub fn push_values<T>(
        &mut self,
        items: impl IntoIterator<Item = T>,
        mut row: impl FnMut(&mut Tuple<'_, 'a>, T),
    ) -> &mut Sql<'a> {
        self.text.push_str(" VALUES ");
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.text.push('(');
            row(
                &mut Tuple {
                    sql: self,
                    first: true,
                },
                item,
            );
            self.text.push(')');
        }
        self
    }

    /// Appends `(v1, v2, ...)`, each value bound (for `IN` lists).
    pub fn push_list<T: Into<Arg<'a>>>(
        &mut self,
        items: impl IntoIterator<Item = T>,
    ) -> &mut Sql<'a> {
        self.text.push('(');
        for (i, v) in items.into_iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.push_bind(v);
        }
        self.text.push(')');
        self
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn args(&self) -> &[Arg<'a>] {
        &self.args
    }

    /// Runs the statement; returns the rows it changed.
    pub async fn execute<'e>(&self, on: impl Into<On<'e>>) -> Result<u64> {
        Ok(match on.into() {
            On::SqlitePool(p) => self.sqlite().execute(p).await?.rows_affected(),
            On::PgPool(p) => self.postgres().execute(p).await?.rows_affected(),
            On::Sqlite(c) => self.sqlite().execute(c).await?.rows_affected(),
            On::Pg(c) => self.postgres().execute(c).await?.rows_affected(),
        })
    }

    pub async fn fetch_all<'e>(&self, on: impl Into<On<'e>>) -> Result<Vec<Row>> {
        Ok(match on.into() {
            On::SqlitePool(p) => wrap(self.sqlite().fetch_all(p).await?, Row::Sqlite),
            On::PgPool(p) => wrap(self.postgres().fetch_all(p).await?, Row::Postgres),
            On::Sqlite(c) => wrap(self.sqlite().fetch_all(c).await?, Row::Sqlite),
            On::Pg(c) => wrap(self.postgres().fetch_all(c).await?, Row::Postgres),
        })
    }

    pub async fn fetch_optional<'e>(&self, on: impl Into<On<'e>>) -> Result<Option<Row>> {
        Ok(match on.into() {
            On::SqlitePool(p) => self.sqlite().fetch_optional(p).await?.map(Row::Sqlite),
            On::PgPool(p) => self.postgres().fetch_optional(p).await?.map(Row::Postgres),
            On::Sqlite(c) => self.sqlite().fetch_optional(c).await?.map(Row::Sqlite),
            On::Pg(c) => self.postgres().fetch_optional(c).await?.map(Row::Postgres),
        })
    }

    pub async fn fetch_one<'e>(&self, on: impl Into<On<'e>>) -> Result<Row> {
        self.fetch_optional(on)
            .await?
            .ok_or(crate::error::StorageError::Database(
                sqlx::Error::RowNotFound,
            ))
    }

    fn sqlite(&self) -> sqlx::query::Query<'_, Sqlite, SqliteArguments<'_>> {
        bind_all!(sqlx::query(&self.text), &self.args)
    }

    fn postgres(&self) -> sqlx::query::Query<'_, Postgres, PgArguments> {
        bind_all!(sqlx::query(&self.text), &self.args)
    }
}

fn wrap<R>(rows: Vec<R>, f: impl Fn(R) -> Row) -> Vec<Row> {
    rows.into_iter().map(f).collect()
}

/// The values of one `VALUES` tuple.
pub struct Tuple<'s, 'a> {
    sql: &'s mut Sql<'a>,
    first: bool,
}

impl<'a> Tuple<'_, 'a> {
    pub fn bind(&mut self, value: impl Into<Arg<'a>>) -> &mut Self {
        if !self.first {
            self.sql.text.push_str(", ");
        }
        self.first = false;
        self.sql.push_bind(value);
        self
    }
}

/// `text` for `LIKE ... ESCAPE '\'`, with its wildcards taken literally.
pub fn like_escape(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p
}

/// `%text%` for LIKE, with the wildcards in `text` taken literally.
pub fn like_pattern(text: &str) -> String {
    format!("%{}%", like_escape(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binds_number_their_placeholders_in_order() {
        let mut q = Sql::new("SELECT x FROM t WHERE a = ");
        q.push_bind(1_i64).push(" AND b IN ").push_list(["x", "y"]);
        q.push(" LIMIT ").push_bind(5_u32);
        assert_eq!(
            q.text(),
            "SELECT x FROM t WHERE a = $1 AND b IN ($2, $3) LIMIT $4"
        );
        assert_eq!(q.args().len(), 4);
    }

    #[test]
    fn values_tuples_hold_one_placeholder_per_column() {
        let mut q = Sql::new("INSERT INTO t (a, b)");
        q.push_values([(1_i64, "p"), (2, "q")], |t, (a, b)| {
            t.bind(a).bind(b);
        });
        assert_eq!(q.text(), "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)");
    }

    #[test]
    fn like_patterns_take_wildcards_literally() {
        assert_eq!(like_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }

    #[test]
    fn counts_beyond_i64_saturate_instead_of_wrapping() {
        assert!(matches!(Arg::from(u64::MAX), Arg::Int(Some(i64::MAX))));
    }
}
