package dev.sluice.ledger;

import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Counts over the ledger for Sluice's metrics: grouped counts that the database answers from its
 * tables whichever process (API or worker) wrote them, so the figures survive restarts and agree
 * across processes. Each query returns one row per group, bounded by services × strategies × states
 * (or verdicts), never by the number of deployments.
 */
final class LedgerTallies {

  /**
   * The verdict is the first word of a {@code canary.analysis} event's message ("PASS after 12
   * checks …"); LIKE keeps the query the same on H2 and PostgreSQL.
   */
  private static final String VERDICT =
      "CASE WHEN e.message LIKE 'PASS%' THEN 'PASS'"
          + " WHEN e.message LIKE 'FAIL%' THEN 'FAIL'"
          + " WHEN e.message LIKE 'INCONCLUSIVE%' THEN 'INCONCLUSIVE'"
          + " ELSE 'UNKNOWN' END";

  List<DeploymentTally> deployments(Handle h) {
    return h.createQuery(
            "SELECT service, strategy, state, COUNT(*) AS n FROM deployments"
                + " GROUP BY service, strategy, state")
        .map(
            (rs, ctx) ->
                new DeploymentTally(
                    rs.getString("service"),
                    rs.getString("strategy"),
                    rs.getString("state"),
                    rs.getLong("n")))
        .list();
  }

  List<VerdictTally> verdicts(Handle h) {
    return h.createQuery(
            "SELECT d.service, "
                + VERDICT
                + " AS verdict, COUNT(*) AS n"
                + " FROM deployment_events e JOIN deployments d ON d.id = e.deployment_id"
                + " WHERE e.type = 'canary.analysis'"
                + " GROUP BY d.service, "
                + VERDICT)
        .map(
            (rs, ctx) ->
                new VerdictTally(rs.getString("service"), rs.getString("verdict"), rs.getLong("n")))
        .list();
  }
}
