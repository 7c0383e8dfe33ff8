-- What each analysis interval measured and how the judge stood after it, per metric: the
-- evidence behind a canary's verdict, for people (charts, the CLI). Written by the analysis
-- activity, idempotently (a retried attempt may report an interval again). No foreign key to
-- deployments: a workflow started without the API may analyse before its first ledger record.
CREATE TABLE analysis_points (
    deployment_id  VARCHAR(255)             NOT NULL,
    run            VARCHAR(255)             NOT NULL,
    kind           VARCHAR(32)              NOT NULL,
    interval_index INTEGER                  NOT NULL,
    at             TIMESTAMP WITH TIME ZONE NOT NULL,
    metric         VARCHAR(255)             NOT NULL,
    measure        VARCHAR(32)              NOT NULL,
    canary         DOUBLE PRECISION,
    baseline       DOUBLE PRECISION,
    p_value        DOUBLE PRECISION,
    threshold      DOUBLE PRECISION,
    verdict        VARCHAR(32)              NOT NULL,
    details        VARCHAR,
    PRIMARY KEY (deployment_id, run, interval_index, metric)
);
