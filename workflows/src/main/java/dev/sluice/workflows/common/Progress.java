package dev.sluice.workflows.common;

import dev.sluice.model.DeploymentState;
import dev.sluice.model.Phase;
import dev.sluice.model.Waiting;

/**
 * Where the deployment is, as the status query, the ledger and the Temporal UI show it. A plain
 * holder: {@link DeploymentTracker} changes it, {@link LedgerSync} and {@link UiDetails} read it.
 */
final class Progress {

  DeploymentState state = DeploymentState.PENDING;
  Phase phase = Phase.PREPARING;
  int batch;
  int batches;
  int attempt = 1;
  String previousVersion;
  String reason;

  /** The wait under way, for the ledger and the Temporal UI; null when nothing waits. */
  Waiting waiting;

  /** A canary's share of traffic as last set, in percent; null for other strategies. */
  Integer trafficWeight;

  /** What {@link #batch} counts: batches (rolling) or steps (canary). */
  String unit = "batch";

  /** A line for the Temporal UI's current details, e.g. the canary's traffic share. */
  String note;

  /** The version the service runs when not all targets run it (a blue-green live pool). */
  String servingVersion;
}
