package dev.sluice.api.docs;

import dev.sluice.api.docs.DocPages.Block;
import dev.sluice.api.docs.DocPages.Command;
import dev.sluice.api.docs.DocPages.Page;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code curl} line of a shell block: method ({@code -X}, else POST with {@code -d}, else GET),
 * URL, headers ({@code -H}) and body ({@code -d}), and where it is.
 */
record CurlExample(
    String where,
    String method,
    int port,
    String path,
    String query,
    Map<String, String> headers,
    String body) {

  /** {@code PUT /api/v1/services/checkout}, as the failures name it. */
  String request() {
    return method + " " + path + (query == null ? "" : "?" + query);
  }

  static List<CurlExample> all() {
    List<CurlExample> examples = new ArrayList<>();
    for (Page page : DocPages.all()) {
      for (Block block : page.blocks()) {
        if (!block.lang().matches("sh|bash|shell|console")) {
          continue;
        }
        for (Command command : DocPages.commands(block)) {
          List<String> words = command.words();
          if (!words.isEmpty() && words.get(0).equals("curl")) {
            examples.add(parse(command.where(), words));
          }
        }
      }
    }
    return examples;
  }

  static CurlExample parse(String where, List<String> words) {
    String method = null;
    String url = null;
    String body = null;
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < words.size(); i++) {
      String word = words.get(i);
      switch (word) {
        case "-X", "--request" -> method = words.get(++i);
        case "-H", "--header" -> {
          String header = words.get(++i);
          int colon = header.indexOf(':');
          headers.put(header.substring(0, colon).strip(), header.substring(colon + 1).strip());
        }
        case "-d", "--data", "--data-raw" -> body = words.get(++i);
        case "-s", "-S", "-sS", "-i", "-f", "-fsS", "--fail", "--silent" -> {}
        default -> {
          if (word.startsWith("-")) {
            throw new IllegalArgumentException(where + ": curl option " + word + " not understood");
          }
          url = word;
        }
      }
    }
    if (url == null) {
      throw new IllegalArgumentException(where + ": curl without a URL");
    }
    if (method == null) {
      method = body == null ? "GET" : "POST";
    }
    if (body != null && !headers.containsKey("Content-Type")) {
      // What curl sends with -d and no Content-Type of its own.
      headers.put("Content-Type", "application/x-www-form-urlencoded");
    }
    URI uri = URI.create(url.contains("://") ? url : "http://" + url);
    return new CurlExample(
        where, method, uri.getPort(), uri.getRawPath(), uri.getRawQuery(), headers, body);
  }
}
