package dev.sluice.judge;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.judge.JudgeInputException.Problem;
import dev.sluice.judge.JudgeSpec.Direction;
import dev.sluice.judge.JudgeSpec.MetricSpec;
import dev.sluice.judge.JudgeSpec.MetricType;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Cleans a {@link JudgeRequest}: every problem found, named by its JSON path, or the spec and the
 * intervals to replay. Unknown fields of the records are Jackson's to reject
 * (FAIL_ON_UNKNOWN_PROPERTIES); those inside an interval are rejected here.
 */
final class RequestReader {

  private RequestReader() {}

  /** A request made ready to replay. */
  record Replay(JudgeSpec spec, List<IntervalObservations> intervals) {}

  static Replay read(JudgeRequest request) {
    // One problem per field: the first said is the most specific.
    Map<String, Problem> problems = new LinkedHashMap<>();
    if (request == null) {
      throw new JudgeInputException(List.of(new Problem("metrics", "a request is needed")));
    }
    if (request.metrics() == null || request.metrics().isEmpty()) {
      add(problems, new Problem("metrics", "at least one metric is needed"));
    }
    List<JudgeRequest.Metric> metrics = request.metrics() == null ? List.of() : request.metrics();
    List<MetricSpec> specs = new ArrayList<>();
    for (int i = 0; i < metrics.size(); i++) {
      specs.add(spec(metrics.get(i), "metrics[" + i + "]", problems));
    }
    double alpha = request.alpha() == null ? JudgeSpec.DEFAULT_ALPHA : request.alpha();
    JudgeSpec spec = new JudgeSpec(alpha, specs);
    List<Problem> specProblems = new ArrayList<>();
    SpecCheck.check(spec, specProblems);
    specProblems.forEach(p -> add(problems, p));

    int count = -1;
    for (int i = 0; i < metrics.size(); i++) {
      JudgeRequest.Metric m = metrics.get(i);
      if (m == null) {
        continue;
      }
      String path = "metrics[" + i + "].intervals";
      if (m.intervals() == null || m.intervals().isEmpty()) {
        add(problems, new Problem(path, "at least one interval is needed"));
      } else if (count < 0) {
        count = m.intervals().size();
      } else if (m.intervals().size() != count) {
        add(
            problems,
            new Problem(
                path,
                "has "
                    + m.intervals().size()
                    + " intervals where earlier metrics have "
                    + count
                    + ": every metric covers the same windows"));
      }
    }
    List<List<Observation.Pair>> series = new ArrayList<>();
    for (int i = 0; i < metrics.size(); i++) {
      JudgeRequest.Metric m = metrics.get(i);
      MetricSpec s = specs.get(i);
      List<Observation.Pair> pairs = new ArrayList<>();
      series.add(pairs);
      if (m == null || s.type() == null || m.intervals() == null) {
        continue;
      }
      for (int j = 0; j < m.intervals().size(); j++) {
        String path = "metrics[" + i + "].intervals[" + j + "]";
        Observation.Pair pair = pair(s.type(), m.intervals().get(j), path, problems);
        List<Problem> found = new ArrayList<>();
        ObservationCheck.check(s, pair, path, found);
        found.forEach(p -> add(problems, p));
        pairs.add(pair);
      }
    }
    if (!problems.isEmpty()) {
      throw new JudgeInputException(new ArrayList<>(problems.values()));
    }
    List<IntervalObservations> intervals = new ArrayList<>(count);
    for (int j = 0; j < count; j++) {
      List<Observation.Pair> pairs = new ArrayList<>(series.size());
      for (List<Observation.Pair> s : series) {
        pairs.add(s.get(j));
      }
      intervals.add(new IntervalObservations(pairs));
    }
    return new Replay(spec, intervals);
  }

  /** Keeps the first problem of a field, and none inside a field already found wrong. */
  private static void add(Map<String, Problem> problems, Problem problem) {
    String field = problem.field();
    for (String known : problems.keySet()) {
      if (field.equals(known) || field.startsWith(known + ".") || field.startsWith(known + "[")) {
        return;
      }
    }
    problems.put(field, problem);
  }

  private static MetricSpec spec(JudgeRequest.Metric m, String path, Map<String, Problem> out) {
    if (m == null) {
      add(out, new Problem(path, "must be an object"));
      return new MetricSpec(path, null, null, false, 0, 0, JudgeSpec.DEFAULT_QUANTILE);
    }
    MetricType type = null;
    if (m.type() != null) {
      type = parse(MetricType.class, m.type());
      if (type == null) {
        add(
            out,
            new Problem(
                path + ".type", "unknown type \"" + m.type() + "\": ratio, samples or value"));
      }
    }
    Direction direction = null;
    if (m.direction() != null) {
      direction = parse(Direction.class, m.direction());
      if (direction == null) {
        add(
            out,
            new Problem(
                path + ".direction",
                "unknown direction \"" + m.direction() + "\": increase, decrease or either"));
      }
    }
    if (m.quantile() != null && type != null && type != MetricType.SAMPLES) {
      add(out, new Problem(path + ".quantile", "only samples metrics watch a tail quantile"));
    }
    // The same defaults as a service's analysis metrics, so a replay decides where the live
    // canary would: direction increase, ratios critical.
    return new MetricSpec(
        m.name(),
        type,
        direction != null || m.direction() != null ? direction : Direction.INCREASE,
        m.critical() != null ? m.critical() : type == MetricType.RATIO,
        m.allowedChange() == null ? JudgeSpec.DEFAULT_ALLOWED_CHANGE : m.allowedChange(),
        m.minSamples() != null ? m.minSamples() : type == null ? 0 : type.defaultMinSamples(),
        m.quantile() == null ? JudgeSpec.DEFAULT_QUANTILE : m.quantile());
  }

  private static <E extends Enum<E>> E parse(Class<E> type, String name) {
    for (E e : type.getEnumConstants()) {
      if (e.name().toLowerCase(Locale.ROOT).equals(name)) {
        return e;
      }
    }
    return null;
  }

  private static Observation.Pair pair(
      MetricType type, JudgeRequest.Interval interval, String path, Map<String, Problem> out) {
    if (interval == null) {
      return null;
    }
    Observation baseline = side(type, interval.baseline(), path + ".baseline", out);
    Observation canary = side(type, interval.canary(), path + ".canary", out);
    return new Observation.Pair(baseline, canary);
  }

  private static boolean absent(JsonNode node) {
    return node == null || node.isNull() || node.isMissingNode();
  }

  private static Observation side(
      MetricType type, JsonNode node, String path, Map<String, Problem> out) {
    if (absent(node)) {
      return null;
    }
    switch (type) {
      case RATIO -> {
        if (!node.isObject()) {
          add(out, new Problem(path, "a ratio interval is {\"events\": e, \"total\": n} per side"));
          return null;
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
          String name = names.next();
          if (!name.equals("events") && !name.equals("total")) {
            add(out, new Problem(path + "." + name, "unknown field: events and total only"));
          }
        }
        Long events = whole(node.get("events"), path + ".events", out);
        Long total = whole(node.get("total"), path + ".total", out);
        return events == null || total == null ? null : new Observation.Counts(events, total);
      }
      case SAMPLES -> {
        if (!node.isArray()) {
          add(out, new Problem(path, "a samples interval is an array of numbers per side"));
          return null;
        }
        double[] values = new double[node.size()];
        for (int k = 0; k < values.length; k++) {
          JsonNode v = node.get(k);
          if (v == null || !v.isNumber()) {
            add(out, new Problem(path + "[" + k + "]", "must be a number"));
            return null;
          }
          values[k] = v.doubleValue();
        }
        return new Observation.Samples(values);
      }
      case VALUE -> {
        if (!node.isNumber()) {
          add(out, new Problem(path, "a value interval is one number per side"));
          return null;
        }
        return new Observation.Value(node.doubleValue());
      }
    }
    throw new IllegalStateException("unknown type " + type);
  }

  private static Long whole(JsonNode node, String path, Map<String, Problem> out) {
    if (absent(node)) {
      add(out, new Problem(path, "is required"));
      return null;
    }
    if (node.isIntegralNumber() && node.canConvertToLong()) {
      return node.longValue();
    }
    if (node.isFloatingPointNumber()) {
      double d = node.doubleValue();
      if (Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) < 0x1p53) {
        return (long) d;
      }
    }
    add(out, new Problem(path, "must be a whole number, got " + node));
    return null;
  }
}
