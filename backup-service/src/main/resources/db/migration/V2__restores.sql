-- Every restore asked for through the API (a whole cluster into a new data directory, or one schema into a scratch server).
CREATE TABLE restore_run (
    id             UUID PRIMARY KEY,
    backup_id      UUID REFERENCES backup_run (id) ON DELETE SET NULL,
    kind           TEXT        NOT NULL CHECK (kind IN ('full', 'schema')),
    target         TEXT        NOT NULL CHECK (target IN ('latest', 'time')),
    target_time    TIMESTAMPTZ,
    schema_name    TEXT,
    data_directory TEXT        NOT NULL,
    start_server   BOOLEAN     NOT NULL,
    keep_running   BOOLEAN     NOT NULL,
    status         TEXT        NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    port           INTEGER,
    server_running BOOLEAN     NOT NULL DEFAULT FALSE,
    stop_command   TEXT,
    wal_segments   INTEGER,
    checks         JSONB,
    requested_by   TEXT,
    instance_id    TEXT        NOT NULL,
    started_at     TIMESTAMPTZ NOT NULL,
    finished_at    TIMESTAMPTZ,
    duration_ms    BIGINT,
    error          TEXT
);
CREATE INDEX restore_run_started_idx ON restore_run (started_at DESC);
