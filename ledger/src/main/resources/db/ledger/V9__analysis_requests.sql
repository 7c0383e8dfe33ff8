-- The requests each group served in an analysis interval, for metrics that count events out of
-- requests: together they say what share of the traffic the canary actually took (its actual
-- weight, beside the weight the router was set to). Null for other metrics and older points.
ALTER TABLE analysis_points ADD COLUMN canary_requests BIGINT;
ALTER TABLE analysis_points ADD COLUMN baseline_requests BIGINT;
