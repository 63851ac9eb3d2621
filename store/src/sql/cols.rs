//! Typed reads of a row's columns, the same for both databases.
//!
//! Only the types the schemas use: INTEGER/BIGINT as `i64`, REAL/DOUBLE PRECISION as
//! `f64`, TEXT, BLOB/BYTEA. Both schemas store booleans as 0/1 integers, read by
//! [`Cols::flag`]; counts are stored signed and read back as `u64` by [`Cols::uint`].

use super::pool::Row;
use crate::error::{Result, StorageError};
use serde::de::DeserializeOwned;
use sqlx::Row as _;

/// A column by name, or by position for unnamed aggregates (`COUNT(*)`).
#[derive(Debug, Clone, Copy)]
pub enum Col<'a> {
    Name(&'a str),
    At(usize),
}

impl<'a> From<&'a str> for Col<'a> {
    fn from(name: &'a str) -> Self {
        Col::Name(name)
    }
}

impl From<usize> for Col<'_> {
    fn from(i: usize) -> Self {
        Col::At(i)
    }
}

/// One accessor per stored type, for either row type: `try_get` is generic, but which
/// Rust types decode from which columns is known only per database.
macro_rules! get {
    ($row:expr, $col:expr) => {
        Ok(match ($row, $col.into()) {
            (Row::Sqlite(r), Col::Name(n)) => r.try_get(n)?,
            (Row::Sqlite(r), Col::At(i)) => r.try_get(i)?,
            (Row::Postgres(r), Col::Name(n)) => r.try_get(n)?,
            (Row::Postgres(r), Col::At(i)) => r.try_get(i)?,
        })
    };
}

/// Typed column reads (implemented by [`Row`]).
pub trait Cols {
    fn int<'a>(&self, col: impl Into<Col<'a>>) -> Result<i64>;
    fn int_opt<'a>(&self, col: impl Into<Col<'a>>) -> Result<Option<i64>>;
    fn real<'a>(&self, col: impl Into<Col<'a>>) -> Result<f64>;
    fn real_opt<'a>(&self, col: impl Into<Col<'a>>) -> Result<Option<f64>>;
    fn text<'a>(&self, col: impl Into<Col<'a>>) -> Result<String>;
    fn text_opt<'a>(&self, col: impl Into<Col<'a>>) -> Result<Option<String>>;
    fn blob_opt<'a>(&self, col: impl Into<Col<'a>>) -> Result<Option<Vec<u8>>>;

    /// A count or other non-negative integer.
    fn uint<'a>(&self, col: impl Into<Col<'a>>) -> Result<u64> {
        Ok(self.int(col)?.max(0) as u64)
    }

    /// A 0/1 integer column as a `bool`.
    fn flag<'a>(&self, col: impl Into<Col<'a>>) -> Result<bool> {
        Ok(self.int(col)? != 0)
    }

    /// A JSON text column, decoded.
    fn json<'a, T: DeserializeOwned>(&self, col: impl Into<Col<'a>>) -> Result<T> {
        json(&self.text(col)?)
    }
}

impl Cols for Row {
    fn int<'a>(&self, col: impl Into<Col<'a>>) -> Result<i64> {
        get!(self, col)
    }
    fn int_opt<'a>(&self, col: impl Into<Col<'a>>) -> Result<Option<i64>> {
        get!(self, col)
    }
    fn real<'a>(&self, col: impl Into<Col<'a>>) -> Result<f64> {
        get!(self, col)
    }
    fn real_opt<'a>(&self, col: impl Into<Col<'a>>) -> Result<Option<f64>> {
        get!(self, col)
    }
    fn text<'a>(&self, col: impl Into<Col<'a>>) -> Result<String> {
        get!(self, col)
    }
    fn text_opt<'a>(&self, col: impl Into<Col<'a>>) -> Result<Option<String>> {
        get!(self, col)
    }
    fn blob_opt<'a>(&self, col: impl Into<Col<'a>>) -> Result<Option<Vec<u8>>> {
        get!(self, col)
    }
}

/// Every row through `map`, in order; the first that does not read fails them all.
pub fn all<T>(found: &[Row], map: impl Fn(&Row) -> Result<T>) -> Result<Vec<T>> {
    found.iter().map(map).collect()
}

/// A JSON (de)serialization failure, reported as a column that did not decode.
pub fn decode(e: serde_json::Error) -> StorageError {
    StorageError::Database(sqlx::Error::Decode(Box::new(e)))
}

/// A JSON text value (an error event's body, a silence's matchers).
pub fn json<T: DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(decode)
}

/// A JSON list of strings; NULL is the empty list.
pub fn json_list(text: Option<String>) -> Result<Vec<String>> {
    text.map_or_else(|| Ok(vec![]), |t| json(&t))
}
