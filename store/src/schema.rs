//! Facts about the schema that code needs: the raw-event tables and their time columns
//! (partitioned by day on PostgreSQL, shown on the Health page, cut by retention).

/// Every raw-event table with the column that dates its rows (unix milliseconds).
/// Table and column names here are fixed, never from input, so they may be spliced into
/// SQL text.
pub const RAW_TABLES: [(&str, &str); 10] = [
    ("rum_events", "received_at"),
    ("error_events", "received_at"),
    ("api_calls", "received_at"),
    ("memory_samples", "received_at"),
    ("business_events", "at"),
    ("log_lines", "at"),
    ("custom_points", "at"),
    ("probe_results", "at"),
    ("server_requests", "received_at"),
    ("db_queries", "received_at"),
];

/// Rows each raw table gained or lost, kept in `table_row_counts` by the transaction that
/// inserts or deletes them, so counting a table is one read, whatever its size.
pub(crate) async fn count_rows<'e>(
    on: impl Into<crate::sql::pool::On<'e>>,
    table: &str,
    delta: i64,
) -> crate::error::Result<()> {
    if delta != 0 {
        crate::sql::query::Sql::new(
            "UPDATE table_row_counts SET row_count = row_count + $1 WHERE name = $2",
        )
        .bind(delta)
        .bind(table)
        .execute(on)
        .await?;
    }
    Ok(())
}

impl crate::model::IngestBatch {
    /// Rows of the batch per raw table (the error events' table included).
    pub fn rows_per_table(&self) -> [(&'static str, usize); 9] {
        [
            ("rum_events", self.page_loads.len()),
            ("error_events", self.errors.len()),
            ("api_calls", self.api_calls.len()),
            ("memory_samples", self.memory.len()),
            ("business_events", self.business.len()),
            ("log_lines", self.logs.len()),
            ("custom_points", self.custom.len()),
            ("server_requests", self.server_requests.len()),
            ("db_queries", self.db_queries.len()),
        ]
    }
}
