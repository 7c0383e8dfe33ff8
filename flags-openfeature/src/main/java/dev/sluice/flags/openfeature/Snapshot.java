package dev.sluice.flags.openfeature;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.flags.FlagDefinitionException;
import dev.sluice.flags.FlagDefinitionException.Problem;
import dev.sluice.flags.FlagEngine;
import dev.sluice.flags.RejectedFlag;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import org.slf4j.Logger;

/**
 * One compiled flag document and the revision (ETag) it was served at. Immutable apart from the
 * {@link ProviderEvaluations} made from its results, built once each and shared.
 */
final class Snapshot {

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private final String etag;
  private final FlagEngine engine;
  private final JsonNode document;
  private final ProviderEvaluations evaluations = new ProviderEvaluations();

  private Snapshot(String etag, FlagEngine engine, JsonNode document) {
    this.etag = etag;
    this.engine = engine;
    this.document = document;
  }

  /**
   * Reads a flagd document and compiles it flag by flag, as flagd loads a file ({@link
   * FlagEngine#load}): a flag that does not compile is listed in {@code engine().rejected()} and
   * answers PARSE_ERROR; every other flag is served.
   *
   * @param etag the revision it was served at, or {@code null} when unknown
   * @throws FlagDefinitionException when it is not JSON or no flag document at all
   */
  static Snapshot parse(String etag, String json) throws FlagDefinitionException {
    JsonNode tree;
    try {
      tree = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new FlagDefinitionException(
          List.of(new Problem("", "not valid JSON: " + e.getOriginalMessage())));
    }
    if (tree == null) {
      throw new FlagDefinitionException(List.of(new Problem("", "empty document")));
    }
    return new Snapshot(etag, FlagEngine.load(tree), tree);
  }

  /** Logs the flags this snapshot does not serve and what it serves the flagd way. */
  void logProblems(Logger log) {
    for (RejectedFlag flag : engine.rejected()) {
      log.warn(
          "Flag snapshot {}: flag '{}' not loaded (evaluations answer PARSE_ERROR): {}",
          etag,
          flag.key(),
          flag.reason());
    }
    for (Problem warning : engine.warnings()) {
      log.info("Flag snapshot {}: {}", etag, warning);
    }
  }

  String etag() {
    return etag;
  }

  FlagEngine engine() {
    return engine;
  }

  /** Whether both hold the same document (whatever their ETags). */
  boolean sameDocument(Snapshot other) {
    return other != null && document.equals(other.document);
  }

  /**
   * The keys of the flags whose definitions differ from {@code previous}'s (added, removed or
   * changed), sorted; every key of both when something shared by all flags changed (the flag-set
   * metadata, shared {@code $evaluators}).
   */
  List<String> changedSince(Snapshot previous) {
    TreeSet<String> changed = new TreeSet<>();
    JsonNode flags = document.path("flags");
    if (previous == null) {
      flags.fieldNames().forEachRemaining(changed::add);
      return new ArrayList<>(changed);
    }
    JsonNode before = previous.document.path("flags");
    boolean sharedChanged = !sameOutsideFlags(document, previous.document);
    for (Iterator<String> it = flags.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (sharedChanged || !flags.get(key).equals(before.get(key))) {
        changed.add(key);
      }
    }
    for (Iterator<String> it = before.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (sharedChanged || !flags.has(key)) {
        changed.add(key);
      }
    }
    return new ArrayList<>(changed);
  }

  private static boolean sameOutsideFlags(JsonNode a, JsonNode b) {
    TreeSet<String> names = new TreeSet<>();
    a.fieldNames().forEachRemaining(names::add);
    b.fieldNames().forEachRemaining(names::add);
    names.remove("flags");
    for (String name : names) {
      if (!Objects.equals(a.get(name), b.get(name))) {
        return false;
      }
    }
    return true;
  }

  /** The OpenFeature form of this snapshot's results, shared across evaluations. */
  ProviderEvaluations evaluations() {
    return evaluations;
  }
}
