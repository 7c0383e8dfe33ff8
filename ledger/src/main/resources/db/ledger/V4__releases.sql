-- Releases: a deployment started by a release pipeline (ReleaseWorkflow) names its release. The
-- release records its deployment (and takes the service's lock) when it starts, hours before the
-- deployment's own workflow may start (after a backfill): while the release runs, that PENDING row
-- is alive, not an orphan whose start failed.
ALTER TABLE deployments ADD COLUMN release_id VARCHAR(255);
