//! What truly differs between SQLite and PostgreSQL, in one place.
//!
//! Everything else is written once: `$N` placeholders, `ON CONFLICT ... DO UPDATE` with
//! table-qualified old values, `RETURNING`, `COUNT(*) FILTER (WHERE ...)`, window
//! functions for "newest per key", `CAST(SUM(..) AS BIGINT)` where PostgreSQL's SUM of a
//! BIGINT would be NUMERIC. What is left is here, each with the reason it differs.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// Bound parameters one statement may take: a multi-row INSERT takes as many rows
    /// as fit (a larger flush once failed whole on SQLite and was dropped).
    pub fn max_params(self) -> usize {
        match self {
            Dialect::Sqlite => 32_766,
            Dialect::Postgres => 65_535,
        }
    }

    /// Rows of `columns` values one INSERT may take.
    pub fn rows_per_insert(self, columns: usize) -> usize {
        self.max_params() / columns.max(1)
    }

    /// The larger of two values: SQLite's scalar `MAX(a, b)` is PostgreSQL's
    /// `GREATEST(a, b)` (PostgreSQL's `MAX` is only the aggregate).
    pub fn greatest(self) -> &'static str {
        match self {
            Dialect::Sqlite => "MAX",
            Dialect::Postgres => "GREATEST",
        }
    }

    /// The smaller of two values (see [`Dialect::greatest`]).
    pub fn least(self) -> &'static str {
        match self {
            Dialect::Sqlite => "MIN",
            Dialect::Postgres => "LEAST",
        }
    }

    /// Case-insensitive `LIKE`. Deliberate difference: SQLite's `LIKE` folds ASCII
    /// letters only (it has no Unicode tables without ICU); PostgreSQL's `ILIKE` folds
    /// every letter. Searches for ASCII text behave the same on both.
    pub fn ilike(self) -> &'static str {
        match self {
            Dialect::Sqlite => "LIKE",
            Dialect::Postgres => "ILIKE",
        }
    }

    /// A field of a JSON text column as text, with the field's name bound at `param`
    /// (`$3`): strings unquoted, numbers as written (`12.50`), `true` / `false`, JSON
    /// `null` as SQL NULL, the same on both. SQLite's `->>` would turn `true` into `1`
    /// and `12.50` into `12.5`, so it reads the JSON text (`->`) of anything not a
    /// string; PostgreSQL's `->>` already gives that text.
    pub fn json_field_text(self, column: &str, param: &str) -> String {
        match self {
            Dialect::Sqlite => {
                let path = format!("('$.\"' || {param} || '\"')");
                format!(
                    "(CASE json_type({column}, {path}) WHEN 'text' THEN json_extract({column}, {path}) \
                     WHEN 'null' THEN NULL ELSE {column} -> {path} END)"
                )
            }
            Dialect::Postgres => format!("({column}::jsonb ->> {param})"),
        }
    }

    /// `FOR UPDATE` where rows can be locked. SQLite has no row locks: its writers are
    /// serialized by the writer lock instead (see `Database::write_lock`).
    pub fn for_update(self) -> &'static str {
        match self {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE",
        }
    }
}
