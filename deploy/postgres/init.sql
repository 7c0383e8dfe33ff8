-- Creates Sluice's ledger database and its owner on a fresh PostgreSQL volume.
--
-- Mounted into the postgres image's /docker-entrypoint-initdb.d/ by docker-compose.yml, so it runs
-- once, as the superuser (POSTGRES_USER, here `temporal`), the first time the data volume is
-- initialised; it never runs against an existing volume (`docker compose down -v` to start over).
-- Temporal's own databases (`temporal`, `temporal_visibility`) are created by the schema job with
-- temporal-sql-tool, not here.
--
-- The role name and password come from the container's environment (SLUICE_DB_USER and
-- SLUICE_DB_PASSWORD, the same variables the Sluice containers read), so the compose file holds them
-- in one place. psql's \getenv (psql 15+; the postgres:16 image ships psql 16) leaves a variable
-- unchanged when the environment variable is unset, hence the defaults set first.
-- The demo password is not a secret: real deployments pass it as one.

\set ON_ERROR_STOP on

\set sluice_user sluice
\set sluice_password sluice
\getenv sluice_user SLUICE_DB_USER
\getenv sluice_password SLUICE_DB_PASSWORD

CREATE ROLE :"sluice_user" LOGIN PASSWORD :'sluice_password';
CREATE DATABASE sluice OWNER :"sluice_user";

-- The database's owner also owns its public schema (PostgreSQL 15+: public belongs to
-- pg_database_owner), so Sluice's Flyway migrations, run as that role, need no further grants.
