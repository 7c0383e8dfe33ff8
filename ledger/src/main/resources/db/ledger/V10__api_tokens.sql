-- API tokens made over the API (those of the configuration file stay there): the secret is kept
-- only as its SHA-256 (secrets are 256 random bits, so no slow hash is needed), with the role and
-- the services it is limited to (comma-separated; null: every service). A revoked token keeps its
-- row, and its name is never given again, so the audit trail stays unambiguous.
CREATE TABLE api_tokens (
    name          VARCHAR(100)             PRIMARY KEY,
    role          VARCHAR(16)              NOT NULL,
    services      VARCHAR(4000),
    secret_sha256 VARCHAR(64)              NOT NULL UNIQUE,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    created_by    VARCHAR(255)             NOT NULL,
    revoked_at    TIMESTAMP WITH TIME ZONE,
    revoked_by    VARCHAR(255)
);

-- Who, in the audit trail, is the actor's role and the address the request came from.
ALTER TABLE audit ADD COLUMN role VARCHAR(16);
ALTER TABLE audit ADD COLUMN source VARCHAR(100);
