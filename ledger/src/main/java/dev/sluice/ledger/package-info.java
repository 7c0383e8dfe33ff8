/**
 * The ledger: Sluice's durable record of services, deployments, their events, each service's
 * version history, the audit trail, the circuit breaker, the notification outbox and the feature
 * flags, on H2 or PostgreSQL through Jdbi.
 *
 * <p>{@link dev.sluice.ledger.Ledger} is the one entry point, for the API and for the ledger
 * activity (in {@code activities}); it opens each transaction and hands it to the package-private
 * class of the aggregate concerned. {@link dev.sluice.ledger.FlagStore} keeps the flags in the same
 * database. The schema is migrated by Flyway from {@code db/ledger} ({@link
 * dev.sluice.ledger.Ledger#migrate}).
 *
 * <p>Embedded default: {@code
 * jdbc:h2:file:./.sluice/ledger;AUTO_SERVER=TRUE;LOCK_TIMEOUT=10000;WRITE_DELAY=0} (see {@link
 * dev.sluice.ledger.Ledger#h2FileUrl}), which the API and a standalone worker may open at the same
 * time. Beyond one machine: PostgreSQL.
 */
package dev.sluice.ledger;
