-- Lists of what was started (releases, dual-write migrations) read the audit trail by action:
-- the newest entry of each subject audited with, say, release.start. Without this index that
-- read scans the whole trail, which only grows.
CREATE INDEX audit_action_subject ON audit (action, subject, id);
