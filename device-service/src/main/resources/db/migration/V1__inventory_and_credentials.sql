-- Credentials: secrets are AES-256-GCM ciphertexts (12-byte IV || ciphertext || tag) under the master key named by key_id.
CREATE TABLE credential (
    id                    UUID PRIMARY KEY,
    name                  TEXT        NOT NULL UNIQUE,
    username              TEXT        NOT NULL,
    key_id                TEXT        NOT NULL,
    password_secret       BYTEA,
    private_key_secret    BYTEA,
    passphrase_secret     BYTEA,
    created_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT credential_has_secret CHECK (password_secret IS NOT NULL OR private_key_secret IS NOT NULL)
);

CREATE TABLE device (
    id            UUID PRIMARY KEY,
    name          TEXT        NOT NULL UNIQUE,
    host          TEXT        NOT NULL,
    port          INTEGER     NOT NULL CHECK (port BETWEEN 1 AND 65535),
    platform      TEXT        NOT NULL,
    site          TEXT,
    tags          TEXT[]      NOT NULL DEFAULT '{}',
    attributes    JSONB       NOT NULL DEFAULT '{}',
    credential_id UUID REFERENCES credential (id),
    enabled       BOOLEAN     NOT NULL DEFAULT TRUE,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX device_tags_idx ON device USING GIN (tags);
CREATE INDEX device_platform_idx ON device (platform);
CREATE INDEX device_site_idx ON device (site);
CREATE INDEX device_name_prefix_idx ON device (name text_pattern_ops);
CREATE INDEX device_credential_idx ON device (credential_id);

-- SSH host keys: learned on first use (TOFU) or pinned in advance (strict).
CREATE TABLE device_host_key (
    device_id     UUID PRIMARY KEY REFERENCES device (id) ON DELETE CASCADE,
    algorithm     TEXT        NOT NULL,
    fingerprint   TEXT        NOT NULL,
    public_key    TEXT        NOT NULL,
    pinned        BOOLEAN     NOT NULL DEFAULT FALSE,
    first_seen_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
