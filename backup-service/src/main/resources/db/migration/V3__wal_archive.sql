-- Continuous WAL archiving: every segment (and timeline history file) the receiver completed and copied to the storage,
-- with the SHA-256 of its content, so a restore or an incremental run can prove the archive intact.
CREATE TABLE wal_segment (
    name           TEXT PRIMARY KEY,
    timeline       INTEGER     NOT NULL,
    -- position of the segment in the WAL stream (log id * segments per log id + segment); NULL for a history file
    segment_number BIGINT,
    size_bytes     BIGINT      NOT NULL,
    sha256         TEXT        NOT NULL,
    storage_key    TEXT        NOT NULL,
    archived_at    TIMESTAMPTZ NOT NULL,
    archived_by    TEXT        NOT NULL
);
CREATE INDEX wal_segment_number_idx ON wal_segment (segment_number);

-- Exactly one WAL receiver across all replicas: the replica whose row this is (and not yet expired) runs it. A row with an
-- expiry, renewed every few seconds, because PgBouncer's transaction mode cannot hold a session advisory lock.
CREATE TABLE wal_receiver_lease (
    slot        TEXT PRIMARY KEY,
    owner       TEXT        NOT NULL,
    acquired_at TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);
