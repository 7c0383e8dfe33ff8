package dev.sluice.activities.ledger;

import dev.sluice.workflows.activities.LedgerActivities;

/**
 * The workflows' way into the ledger. A database error propagates, so Temporal retries the
 * activity; {@link Ledger#record} is idempotent, which makes those retries safe.
 */
public final class LedgerActivitiesImpl implements LedgerActivities {

  private final Ledger ledger;

  /** Activities writing to {@code ledger}. */
  public LedgerActivitiesImpl(Ledger ledger) {
    this.ledger = ledger;
  }

  @Override
  public void record(LedgerEntry entry) {
    ledger.record(entry);
  }

  @Override
  public String reopen(ReopenCall call) {
    return ledger.reopen(call.deploymentId(), call.service(), call.actor()).orElse(null);
  }
}
