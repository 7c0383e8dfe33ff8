-- What a running deployment waits for (JSON: what, since, until) and a canary's traffic weight.
ALTER TABLE deployments ADD COLUMN waiting TEXT;
ALTER TABLE deployments ADD COLUMN traffic_weight INTEGER;
