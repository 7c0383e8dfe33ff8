-- Feature flags: the current definition of each flag and every version it ever had.
--
-- flags: one row per flag key; definition is the flag's object in flagd's flag-definition format
-- (state, variants, defaultVariant, targeting, metadata), as JSON text. version counts changes
-- (optimistic concurrency: an update names the version it changes). A deleted flag keeps its row
-- with deleted_at set, so its history and its key stay reserved until it is restored.
CREATE TABLE flags (
    flag_key       VARCHAR(255)             NOT NULL PRIMARY KEY,
    version        INTEGER                  NOT NULL,
    definition     TEXT                     NOT NULL,
    flag_type      VARCHAR(32)              NOT NULL,
    owner          VARCHAR(255),
    lifetime_days  INTEGER,
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    created_by     VARCHAR(255)             NOT NULL,
    updated_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_by     VARCHAR(255)             NOT NULL,
    deleted_at     TIMESTAMP WITH TIME ZONE
);

-- Every version of every flag: who, when, why, and the whole definition, so any version can be
-- restored. definition is null for a deletion.
CREATE TABLE flag_versions (
    flag_key      VARCHAR(255)             NOT NULL,
    version       INTEGER                  NOT NULL,
    action        VARCHAR(32)              NOT NULL,
    definition    TEXT,
    flag_type     VARCHAR(32)              NOT NULL,
    owner         VARCHAR(255),
    lifetime_days INTEGER,
    actor         VARCHAR(255)             NOT NULL,
    reason        VARCHAR(1000),
    at            TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (flag_key, version)
);

-- One counter for the whole flag set: every change raises it in the change's transaction. It is
-- the snapshot's ETag and what SDKs wait on for the next change.
CREATE TABLE flag_revision (
    id       INTEGER NOT NULL PRIMARY KEY,
    revision BIGINT  NOT NULL
);

INSERT INTO flag_revision (id, revision) VALUES (1, 0);
