-- Device configuration history: every distinct (normalized, secrets masked) running configuration of each device.
CREATE TABLE device_config_version (
    device_id     UUID        NOT NULL,
    version       INTEGER     NOT NULL,
    device_name   TEXT        NOT NULL,
    sha256        TEXT        NOT NULL,
    content       TEXT        NOT NULL,
    size_bytes    INTEGER     NOT NULL,
    line_count    INTEGER     NOT NULL,
    lines_added   INTEGER     NOT NULL,
    lines_removed INTEGER     NOT NULL,
    -- schedule or api (a collection run saw it) or push (the device service reported a committed push)
    source        TEXT        NOT NULL CHECK (source IN ('schedule', 'api', 'push')),
    changed_by    TEXT,
    request_id    TEXT,
    task_id       TEXT,
    -- when the device showed this content (for a push: when it was committed)
    fetched_at    TIMESTAMPTZ NOT NULL,
    recorded_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (device_id, version)
);
CREATE INDEX device_config_version_fetched_idx ON device_config_version (fetched_at DESC);

-- Per device: the newest version (this row is also the lock that numbers versions) and how the last fetches went.
CREATE TABLE device_fetch_state (
    device_id            UUID PRIMARY KEY,
    device_name          TEXT        NOT NULL,
    latest_version       INTEGER     NOT NULL DEFAULT 0,
    latest_sha256        TEXT,
    latest_fetched_at    TIMESTAMPTZ,
    last_attempt_at      TIMESTAMPTZ,
    last_success_at      TIMESTAMPTZ,
    consecutive_failures INTEGER     NOT NULL DEFAULT 0,
    error_kind           TEXT,
    error_message        TEXT
);
CREATE INDEX device_fetch_state_failing_idx ON device_fetch_state (last_attempt_at DESC) WHERE consecutive_failures > 0;

-- The change ledger: one row per committed push the device service reported, even one that changed nothing, naming who
-- pushed, through which request and task. Idempotent on the Redis Stream entry id; survives retention of the versions.
CREATE TABLE device_config_push (
    stream_entry_id TEXT PRIMARY KEY,
    device_id       UUID        NOT NULL,
    device_name     TEXT        NOT NULL,
    version         INTEGER,
    changed         BOOLEAN     NOT NULL,
    mode            TEXT        NOT NULL,
    comment         TEXT,
    pushed_by       TEXT        NOT NULL,
    request_id      TEXT,
    task_id         TEXT,
    committed_at    TIMESTAMPTZ NOT NULL,
    recorded_at     TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (device_id, version) REFERENCES device_config_version (device_id, version) ON DELETE SET NULL (version)
);
CREATE INDEX device_config_push_device_idx ON device_config_push (device_id, committed_at DESC);
