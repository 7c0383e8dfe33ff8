package dev.sluice.activities.dualwrite;

import dev.sluice.workflows.activities.DualWriteActivities;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * Reads the dual-write counters straight from each instance's {@code /metrics} (Prometheus text
 * format), so a migration needs no Prometheus; an instance that does not answer is counted, not
 * fatal — its comparisons are missing from the window, never invented.
 *
 * <p>Not a {@code MetricProvider}: this reads the dual-write library's own cumulative counters at
 * the URLs the migration names, and the workflow takes the difference itself and needs to know how
 * many instances did not answer. A provider answers one windowed sample per group of targets, with
 * errors as data and no per-instance count; moving onto it would change the migration's model
 * (URLs, not a provider reference), its workflow and its REST body, not just this class.
 */
public final class DualWriteActivitiesImpl implements DualWriteActivities {

  static final String COMPARED = "sluice_dualwrite_reads_compared_total";
  static final String MISMATCHES = "sluice_dualwrite_mismatches_total";

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  @Override
  public Counters counters(String name, List<String> metricsUrls) {
    long compared = 0;
    long mismatches = 0;
    int unreachable = 0;
    String label = "migration=\"" + name + "\"";
    for (String url : metricsUrls) {
      String text;
      try {
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
          unreachable++;
          continue;
        }
        text = response.body();
      } catch (IOException e) {
        unreachable++;
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
      compared += value(text, COMPARED, label);
      mismatches += value(text, MISMATCHES, label);
    }
    return new Counters(compared, mismatches, unreachable);
  }

  /** The sample of {@code metric} carrying {@code label}, or 0 when there is none. */
  static long value(String text, String metric, String label) {
    for (String line : text.split("\n")) {
      if (line.startsWith(metric + "{") && line.contains(label)) {
        String number = line.substring(line.lastIndexOf(' ') + 1).trim();
        try {
          return (long) Double.parseDouble(number);
        } catch (NumberFormatException e) {
          return 0;
        }
      }
    }
    return 0;
  }
}
