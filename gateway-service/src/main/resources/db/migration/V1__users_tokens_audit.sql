-- Gateway identity: users (Argon2id password hashes), API tokens (SHA-256 of the token only) and the audit log.
CREATE TABLE app_user (
    username            varchar(64) PRIMARY KEY,
    password_hash       text        NOT NULL,
    role                varchar(16) NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
    enabled             boolean     NOT NULL DEFAULT true,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    password_changed_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_token (
    id                    uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    name                  varchar(100) NOT NULL,
    username              varchar(64)  NOT NULL REFERENCES app_user (username) ON DELETE CASCADE,
    role                  varchar(16)  NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
    token_hash            char(64)     NOT NULL UNIQUE,
    rate_limit_per_minute integer,
    created_at            timestamptz  NOT NULL DEFAULT now(),
    expires_at            timestamptz,
    last_used_at          timestamptz,
    revoked_at            timestamptz
);
CREATE INDEX api_token_username ON api_token (username);

CREATE TABLE audit_event (
    id             bigserial    PRIMARY KEY,
    occurred_at    timestamptz  NOT NULL DEFAULT now(),
    actor          varchar(64)  NOT NULL,
    role           varchar(16),
    credential     varchar(16),
    action         varchar(64)  NOT NULL,
    method         varchar(10)  NOT NULL,
    target         text         NOT NULL,
    status         integer      NOT NULL,
    result         varchar(16)  NOT NULL,
    request_id     varchar(128) NOT NULL,
    client_address varchar(64)
);
CREATE INDEX audit_event_occurred_at ON audit_event (occurred_at DESC, id DESC);
CREATE INDEX audit_event_actor ON audit_event (actor, occurred_at DESC);
CREATE INDEX audit_event_action ON audit_event (action, occurred_at DESC);
