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
