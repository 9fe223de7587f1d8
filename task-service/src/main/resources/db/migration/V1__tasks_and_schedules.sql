-- A task: commands over a frozen list of devices, with a cluster-wide concurrency limit.
CREATE TABLE task (
    id                         UUID PRIMARY KEY,
    name                       TEXT        NOT NULL,
    commands                   TEXT[]      NOT NULL,
    target                     JSONB       NOT NULL,
    concurrency                INTEGER     NOT NULL CHECK (concurrency BETWEEN 1 AND 1000),
    per_device_timeout_seconds INTEGER     NOT NULL CHECK (per_device_timeout_seconds BETWEEN 1 AND 3600),
    failure_threshold_percent  INTEGER CHECK (failure_threshold_percent BETWEEN 0 AND 100),
    config_changing            BOOLEAN     NOT NULL,
    state                      TEXT        NOT NULL,
    threshold_exceeded         BOOLEAN     NOT NULL DEFAULT FALSE,
    cancel_requested           BOOLEAN     NOT NULL DEFAULT FALSE,
    device_count               INTEGER     NOT NULL,
    created_by                 TEXT        NOT NULL,
    schedule_id                UUID,
    created_at                 TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at                 TIMESTAMPTZ,
    finished_at                TIMESTAMPTZ
);
CREATE INDEX task_active_idx ON task (created_at) WHERE state IN ('PENDING', 'RUNNING');
CREATE INDEX task_created_idx ON task (created_at);
CREATE INDEX task_finished_idx ON task (finished_at);

-- The durable work queue: one row per (task, device). Replicas claim rows under a lease they renew; the result is
-- written only by the holder of the current attempt, so each device's result is recorded exactly once.
CREATE TABLE task_device (
    task_id          UUID        NOT NULL REFERENCES task (id) ON DELETE CASCADE,
    device_id        UUID        NOT NULL,
    device_name      TEXT        NOT NULL,
    position         INTEGER     NOT NULL,
    state            TEXT        NOT NULL,
    attempts         INTEGER     NOT NULL DEFAULT 0,
    lease_owner      TEXT,
    lease_expires_at TIMESTAMPTZ,
    error_kind       TEXT,
    error            TEXT,
    results          JSONB,
    started_at       TIMESTAMPTZ,
    finished_at      TIMESTAMPTZ,
    duration_ms      BIGINT,
    PRIMARY KEY (task_id, device_id)
);
CREATE INDEX task_device_open_idx ON task_device (task_id, state, position) WHERE state IN ('PENDING', 'RUNNING');
CREATE INDEX task_device_lease_idx ON task_device (lease_owner) WHERE state = 'RUNNING';

-- A device driven by a config-changing task is held here; the primary key keeps a second one out.
CREATE TABLE device_lock (
    device_id        UUID PRIMARY KEY,
    task_id          UUID        NOT NULL,
    lease_expires_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE schedule (
    id            UUID PRIMARY KEY,
    name          TEXT        NOT NULL UNIQUE,
    cron          TEXT        NOT NULL,
    timezone      TEXT        NOT NULL,
    enabled       BOOLEAN     NOT NULL,
    template      JSONB       NOT NULL,
    next_fire_at  TIMESTAMPTZ,
    last_fired_at TIMESTAMPTZ,
    created_by    TEXT        NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX schedule_due_idx ON schedule (next_fire_at) WHERE enabled;

-- Every fire, once per (schedule, period): the unique key makes a second replica's fire of the same period impossible.
CREATE TABLE schedule_run (
    schedule_id   UUID        NOT NULL REFERENCES schedule (id) ON DELETE CASCADE,
    scheduled_for TIMESTAMPTZ NOT NULL,
    fired_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    fired_by      TEXT        NOT NULL,
    task_id       UUID,
    error         TEXT,
    PRIMARY KEY (schedule_id, scheduled_for)
);
