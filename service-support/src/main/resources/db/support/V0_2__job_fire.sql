-- Periodic jobs (io.junoscommander.support.schedule.PeriodicJobs) fire once per cron period across all replicas: the
-- replica whose insert of (job, period) wins runs the job; every other replica's insert of that period does nothing.
-- ran = false marks the first period ever seen for a job: it only arms the job (a fresh install fires nothing at start).
CREATE TABLE job_fire (
    job         TEXT        NOT NULL,
    period      TIMESTAMPTZ NOT NULL,
    fired_by    TEXT        NOT NULL,
    fired_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    ran         BOOLEAN     NOT NULL,
    finished_at TIMESTAMPTZ,
    error       TEXT,
    PRIMARY KEY (job, period)
);
