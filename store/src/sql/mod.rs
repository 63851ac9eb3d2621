//! The portable query layer: one SQL text for SQLite and PostgreSQL.
//!
//! [`query::Sql`] holds a statement with `$N` placeholders and its arguments;
//! [`pool`] wraps either database's pool, transaction and row; [`cols::Cols`] reads
//! columns the same way from both; [`dialect::Dialect`] names the few things the two
//! databases say differently.

pub mod cols;
pub mod dialect;
pub mod pool;
pub mod query;
