-- The sequential judge's look at the end of an analysis that ran to its planned end, on the points
-- of its last interval: whether it concluded, each metric's one-look p-value and the p-value at or
-- below which that look fails it, and the smallest regression the window could have detected with
-- 80% power (what to size the next canary by). False and null on every other point.
ALTER TABLE analysis_points ADD COLUMN concluded BOOLEAN DEFAULT FALSE NOT NULL;
ALTER TABLE analysis_points ADD COLUMN final_p_value DOUBLE PRECISION;
ALTER TABLE analysis_points ADD COLUMN final_threshold DOUBLE PRECISION;
ALTER TABLE analysis_points ADD COLUMN detectable DOUBLE PRECISION;
