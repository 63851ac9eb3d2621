-- Synthetic probes: every attempt with its outcome (`ok`) and the probe's declared state
-- after it (`up`: down only after more failures in a row than the probe's retries), and
-- probes saved from the dashboard.
CREATE TABLE probe_results (
    probe      TEXT    NOT NULL,
    at         INTEGER NOT NULL,
    ok         INTEGER NOT NULL,
    up         INTEGER NOT NULL,
    latency_ms REAL    NOT NULL,
    error      TEXT
);
CREATE INDEX probe_results_probe_at ON probe_results (probe, at);
CREATE INDEX probe_results_at ON probe_results (at);

CREATE TABLE probe_definitions (
    name       TEXT    PRIMARY KEY,
    definition TEXT    NOT NULL, -- config::ProbeConfig as JSON
    updated_by TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;
