-- The backup catalog: one row per backup run of any kind, with what it produced and whether it was verified.
CREATE TABLE backup_run (
    id            UUID PRIMARY KEY,
    kind          TEXT        NOT NULL,
    status        TEXT        NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    trigger       TEXT        NOT NULL,
    requested_by  TEXT,
    instance_id   TEXT        NOT NULL,
    started_at    TIMESTAMPTZ NOT NULL,
    heartbeat_at  TIMESTAMPTZ NOT NULL,
    finished_at   TIMESTAMPTZ,
    duration_ms   BIGINT,
    size_bytes    BIGINT,
    checksum      TEXT,
    verified      BOOLEAN     NOT NULL DEFAULT FALSE,
    verified_at   TIMESTAMPTZ,
    storage       TEXT,
    location      TEXT,
    encrypted     BOOLEAN     NOT NULL DEFAULT FALSE,
    wal_start     TEXT,
    wal_end       TEXT,
    consistent_at TIMESTAMPTZ,
    details       JSONB,
    error         TEXT
);
-- Two backups of one kind never run at once, cluster-wide: the second insert fails on this index.
CREATE UNIQUE INDEX backup_run_one_running_per_kind ON backup_run (kind) WHERE status = 'running';
CREATE INDEX backup_run_kind_started_idx ON backup_run (kind, started_at DESC);

-- Every object a backup wrote, with its SHA-256 (of the plain content, before any encryption).
CREATE TABLE backup_file (
    backup_id  UUID   NOT NULL REFERENCES backup_run (id) ON DELETE CASCADE,
    name       TEXT   NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256     TEXT   NOT NULL,
    PRIMARY KEY (backup_id, name)
);
