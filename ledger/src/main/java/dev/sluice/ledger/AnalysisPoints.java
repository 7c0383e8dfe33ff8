package dev.sluice.ledger;

import static dev.sluice.ledger.Timestamps.at;
import static dev.sluice.ledger.Timestamps.instant;

import dev.sluice.model.AnalysisPoint;
import dev.sluice.model.AnalysisPoint.Conclusion;
import dev.sluice.model.Verdict;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * What each analysis interval measured, per metric (see {@link AnalysisPoint}). Append-only and
 * idempotent: an interval reported again by a retried activity attempt is ignored.
 */
final class AnalysisPoints {

  /** Longest details sentence kept; the judge's are a few hundred characters. */
  static final int MAX_DETAILS = 2_000;

  /** The columns a point is read from ({@link #point}). */
  private static final String COLUMNS =
      "run, kind, interval_index, at, metric, measure, canary, baseline, p_value, threshold,"
          + " verdict, details, canary_requests, baseline_requests, concluded, final_p_value,"
          + " final_threshold, detectable";

  /** See {@link Ledger#recordAnalysis}. */
  void record(Handle h, String deploymentId, List<AnalysisPoint> points) {
    if (points.isEmpty()) {
      return;
    }
    PreparedBatch batch =
        h.prepareBatch(
            "INSERT INTO analysis_points (deployment_id, run, kind, interval_index, at, metric,"
                + " measure, canary, baseline, p_value, threshold, verdict, details,"
                + " canary_requests, baseline_requests, concluded, final_p_value,"
                + " final_threshold, detectable)"
                + " SELECT :id, :run, :kind, :interval, :at, :metric, :measure, :canary,"
                + " :baseline, :pValue, :threshold, :verdict, :details, :canaryRequests,"
                + " :baselineRequests, :concluded, :finalPValue, :finalThreshold, :detectable"
                + " WHERE NOT EXISTS (SELECT 1 FROM analysis_points WHERE deployment_id = :id"
                + " AND run = :run AND interval_index = :interval AND metric = :metric)");
    for (AnalysisPoint p : points) {
      Conclusion c = p.conclusion();
      batch
          .bind("id", deploymentId)
          .bind("run", p.run())
          .bind("kind", p.kind())
          .bind("interval", p.interval())
          .bind("at", at(p.at()))
          .bind("metric", p.metric())
          .bind("measure", p.measure())
          .bind("canary", finite(p.canary()))
          .bind("baseline", finite(p.baseline()))
          .bind("pValue", finite(p.pValue()))
          .bind("threshold", finite(p.threshold()))
          .bind("verdict", p.verdict().name())
          .bind("details", cut(p.details()))
          .bind("canaryRequests", p.canaryRequests())
          .bind("baselineRequests", p.baselineRequests())
          .bind("concluded", c != null)
          .bind("finalPValue", c == null ? null : finite(c.finalPValue()))
          .bind("finalThreshold", c == null ? null : finite(c.finalThreshold()))
          .bind("detectable", c == null ? null : finite(c.detectable()))
          .add();
    }
    batch.execute();
  }

  /** See {@link Ledger#analysis}. */
  List<AnalysisPoint> points(Handle h, String deploymentId, int limit) {
    return h.createQuery(
            "SELECT "
                + COLUMNS
                + " FROM analysis_points WHERE deployment_id = :id"
                + " ORDER BY at, run, interval_index, metric LIMIT :limit")
        .bind("id", deploymentId)
        .bind("limit", limit)
        .map((rs, ctx) -> point(rs))
        .list();
  }

  /** See {@link Ledger#latestActualWeight}. */
  Optional<AnalysisPoint> latestCounted(Handle h, String deploymentId) {
    return h.createQuery(
            "SELECT "
                + COLUMNS
                + " FROM analysis_points WHERE deployment_id = :id AND canary_requests IS NOT NULL"
                + " AND baseline_requests IS NOT NULL AND canary_requests + baseline_requests > 0"
                + " ORDER BY at DESC, run DESC, interval_index DESC, metric LIMIT 1")
        .bind("id", deploymentId)
        .map((rs, ctx) -> point(rs))
        .findOne();
  }

  private static AnalysisPoint point(ResultSet rs) throws SQLException {
    return new AnalysisPoint(
        rs.getString("run"),
        rs.getString("kind"),
        rs.getInt("interval_index"),
        instant(rs, "at"),
        rs.getString("metric"),
        rs.getString("measure"),
        number(rs, "canary"),
        number(rs, "baseline"),
        number(rs, "p_value"),
        number(rs, "threshold"),
        Verdict.valueOf(rs.getString("verdict")),
        rs.getString("details"),
        count(rs, "canary_requests"),
        count(rs, "baseline_requests"),
        rs.getBoolean("concluded")
            ? new Conclusion(
                number(rs, "final_p_value"),
                number(rs, "final_threshold"),
                number(rs, "detectable"))
            : null);
  }

  private static Long count(ResultSet rs, String column) throws SQLException {
    long value = rs.getLong(column);
    return rs.wasNull() ? null : value;
  }

  private static Double number(ResultSet rs, String column) throws SQLException {
    double value = rs.getDouble(column);
    return rs.wasNull() ? null : value;
  }

  /** NaN and infinities have no place in SQL or JSON: they are "no reading". */
  private static Double finite(Double value) {
    return value == null || !Double.isFinite(value) ? null : value;
  }

  private static String cut(String details) {
    return details == null || details.length() <= MAX_DETAILS
        ? details
        : details.substring(0, MAX_DETAILS - 1) + "…";
  }
}
