package dev.sluice.api.metrics;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One scrape of a Prometheus text endpoint, read into samples by name and labels. */
record Scrape(int status, String contentType, String text) {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"([^\"]*)\"");

  static Scrape of(String url) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    return new Scrape(
        response.statusCode(),
        response.headers().firstValue("Content-Type").orElse(""),
        response.body());
  }

  /** The sample {@code name} whose labels are exactly {@code labels}; {@code NaN} when absent. */
  double value(String name, Map<String, String> labels) {
    for (String line : text.lines().toList()) {
      Matcher m = SAMPLE.matcher(line);
      if (m.matches() && m.group(1).equals(name) && labels(m.group(2)).equals(labels)) {
        return Double.parseDouble(m.group(3));
      }
    }
    return Double.NaN;
  }

  /** Every label set that sample {@code name} appears with. */
  List<Map<String, String>> series(String name) {
    return text.lines()
        .map(SAMPLE::matcher)
        .filter(m -> m.matches() && m.group(1).equals(name))
        .map(m -> labels(m.group(2)))
        .toList();
  }

  private static Map<String, String> labels(String text) {
    Map<String, String> labels = new HashMap<>();
    if (text != null) {
      Matcher m = LABEL.matcher(text);
      while (m.find()) {
        labels.put(m.group(1), m.group(2));
      }
    }
    return labels;
  }
}
