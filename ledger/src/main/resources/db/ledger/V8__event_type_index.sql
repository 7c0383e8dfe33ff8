-- Sluice's metrics count canary verdicts (events of type canary.analysis) at every scrape: by
-- type, so the count reads those events rather than every event ever recorded.
CREATE INDEX deployment_events_type ON deployment_events (type, deployment_id);
