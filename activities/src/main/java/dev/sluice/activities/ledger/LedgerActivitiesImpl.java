package dev.sluice.activities.ledger;

import dev.sluice.ledger.BeginResult;
import dev.sluice.ledger.Ledger;
import dev.sluice.ledger.NewDeployment;
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
  public String begin(BeginCall call) {
    if (ledger.deployment(call.request().deploymentId()).isPresent()) {
      return null; // recorded by an earlier attempt of this activity
    }
    String service = call.request().service().name();
    String now = ledger.currentVersion(service).orElse(null);
    if (call.previousVersion() != null && !call.previousVersion().equals(now)) {
      // Someone deployed the service after the deployment this one would undo: going back now
      // would undo theirs.
      return service + " runs " + now + " now, not " + call.previousVersion();
    }
    BeginResult result =
        ledger.begin(
            NewDeployment.of(call.request(), null, null, call.previousVersion(), call.releaseId()));
    if (result instanceof BeginResult.Busy busy) {
      return service + " is busy with deployment " + busy.runningDeploymentId();
    }
    return null;
  }

  @Override
  public void abandon(AbandonCall call) {
    ledger.abandon(call.deploymentId(), call.reason());
  }

  @Override
  public void recordChild(ChildEntry entry) {
    ledger.recordChild(entry);
  }

  @Override
  public String reopen(ReopenCall call) {
    return ledger.reopen(call.deploymentId(), call.service(), call.actor()).orElse(null);
  }
}
