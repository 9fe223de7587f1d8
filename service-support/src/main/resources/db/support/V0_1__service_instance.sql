-- Every service keeps its live replicas here, in its own schema (Flyway runs this in each service's schema).
CREATE TABLE service_instance (
    instance_id  TEXT PRIMARY KEY,
    service      TEXT        NOT NULL,
    version      TEXT        NOT NULL,
    started_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX service_instance_last_seen_idx ON service_instance (last_seen_at);
