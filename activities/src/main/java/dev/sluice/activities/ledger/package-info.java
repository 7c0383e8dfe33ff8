/**
 * The ledger: Sluice's durable record of services, deployments, their events, each service's
 * version history and the audit trail, on H2 or PostgreSQL through Jdbi.
 *
 * <p>{@link dev.sluice.activities.ledger.Ledger} is the one entry point, for the API and for {@link
 * dev.sluice.activities.ledger.LedgerActivitiesImpl}. The schema is migrated by Flyway from {@code
 * db/ledger} ({@link dev.sluice.activities.ledger.Ledger#migrate}).
 *
 * <p>Embedded default: {@code jdbc:h2:file:./.sluice/ledger;AUTO_SERVER=TRUE;LOCK_TIMEOUT=10000}
 * (see {@link dev.sluice.activities.ledger.Ledger#h2FileUrl}), which the API and a standalone
 * worker may open at the same time. Beyond one machine: PostgreSQL.
 */
package dev.sluice.activities.ledger;
