package dev.sluice.api.flags;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.api.common.ErrorBody;
import dev.sluice.api.common.ErrorBody.FieldError;
import dev.sluice.api.errors.ApiException;
import dev.sluice.flags.EvaluationContext;
import dev.sluice.flags.EvaluationResult;
import dev.sluice.flags.FlagDefinitionException;
import dev.sluice.flags.FlagEngine;
import dev.sluice.flags.FlagdTemplates;
import dev.sluice.flags.RejectedFlag;
import dev.sluice.ledger.FlagStore;
import dev.sluice.ledger.FlagStore.Flag;
import dev.sluice.ledger.FlagStore.Meta;
import dev.sluice.ledger.FlagStore.Outcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feature flags behind the REST API: checks every definition with the evaluation engine before the
 * store sees it (so nothing invalid is ever stored), keeps one compiled engine of the whole set for
 * evaluations, rebuilt when the set's revision moves, and answers the snapshot in flagd's format.
 */
public final class FlagService {

  /** Flag keys: what flagd and URLs both take. */
  public static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private final FlagStore store;
  private final ObjectMapper json;
  private final AtomicReference<Compiled> compiled = new AtomicReference<>();

  /** The whole set compiled at one revision. */
  private static final Logger LOG = LoggerFactory.getLogger(FlagService.class);

  private record Compiled(long revision, FlagEngine engine, String document) {}

  private final Clock clock;

  public FlagService(FlagStore store, ObjectMapper json, Clock clock) {
    this.store = store;
    this.json = json;
    this.clock = clock;
  }

  public Flag create(String key, JsonNode definition, Meta meta, String actor, String reason) {
    checkReason(reason);
    checkKey(key);
    String text = check(key, definition);
    checkMeta(meta);
    Outcome outcome = store.create(key, text, meta, actor, reason);
    if (outcome instanceof Outcome.Exists exists) {
      throw ApiException.conflict(
          "flag_exists",
          "flag " + key + " exists (version " + exists.flag().version() + "); PUT changes it",
          Map.of("version", exists.flag().version()));
    }
    return ((Outcome.Changed) outcome).flag();
  }

  public Flag update(
      String key,
      Integer expectedVersion,
      JsonNode definition,
      Meta meta,
      String action,
      String actor,
      String reason) {
    checkReason(reason);
    String text = check(key, definition);
    if (meta != null) {
      checkMeta(meta);
    }
    return changed(key, store.update(key, expectedVersion, text, meta, action, actor, reason));
  }

  /** The kill switch: state DISABLED (or ENABLED again), nothing else changed. */
  public Flag setEnabled(String key, boolean enabled, String actor, String reason) {
    // Retried on a race (with a rollout's stage, say): the kill switch must not fail for that.
    return rewrite(
        key,
        enabled ? "enable" : "disable",
        actor,
        reason,
        true,
        doc -> FlagdTemplates.withState(doc, key, enabled));
  }

  /** Gives {@code percent}% of the flag's split to {@code variant} (adds a split if none). */
  public Flag rollout(String key, String variant, Integer percent, String actor, String reason) {
    if (percent == null || percent < 0 || percent > 100) {
      throw ApiException.badRequest("percentage", "must be a whole number from 0 to 100");
    }
    return rewrite(
        key,
        "rollout",
        actor,
        reason,
        true,
        doc -> FlagdTemplates.withRollout(doc, key, variant, percent));
  }

  /**
   * Adds a targeting rule: {@code condition} (JsonLogic) → {@code variant}, before the fallback.
   */
  public Flag addRule(String key, JsonNode condition, String variant, String actor, String reason) {
    if (condition == null || condition.isNull()) {
      throw ApiException.badRequest("condition", "a JsonLogic condition is required");
    }
    return rewrite(
        key,
        "rule-added",
        actor,
        reason,
        true,
        doc -> FlagdTemplates.withRule(doc, key, condition, variant));
  }

  /** Removes the {@code index}-th targeting rule (0-based). */
  public Flag removeRule(String key, int index, String actor, String reason) {
    return rewrite(
        key,
        "rule-removed",
        actor,
        reason,
        // An index means "the rule I saw": after someone else's change it may be another one.
        false,
        doc -> FlagdTemplates.withoutRule(doc, key, index));
  }

  /**
   * Read, change, write conditionally on the version read; with {@code retry}, a lost race (another
   * change in between) is read again and the change re-applied on top of it, a few times, rather
   * than answered 412.
   */
  private Flag rewrite(
      String key,
      String action,
      String actor,
      String reason,
      boolean retry,
      UnaryOperator<ObjectNode> change) {
    checkReason(reason);
    for (int attempt = 1; ; attempt++) {
      Flag flag = get(key);
      ObjectNode document = json.createObjectNode();
      document.putObject("flags").set(key, read(flag.definition()));
      ObjectNode changed;
      try {
        changed = change.apply(document);
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest("definition", e.getMessage());
      } catch (IndexOutOfBoundsException e) {
        throw ApiException.badRequest("index", "the flag has no such rule: " + e.getMessage());
      }
      JsonNode definition = changed.path("flags").path(key);
      Outcome outcome =
          store.update(key, flag.version(), check(key, definition), null, action, actor, reason);
      if (!(outcome instanceof Outcome.Conflict) || !retry || attempt >= 5) {
        return changed(key, outcome);
      }
    }
  }

  public Flag delete(String key, Integer expectedVersion, String actor, String reason) {
    checkReason(reason);
    return changed(key, store.delete(key, expectedVersion, actor, reason));
  }

  public Flag restore(String key, int version, String actor, String reason) {
    checkReason(reason);
    // An old definition is checked against today's engine before it is current again.
    store.versions(key).stream()
        .filter(v -> v.version() == version && v.definition() != null)
        .findFirst()
        .ifPresent(v -> check(key, read(v.definition())));
    Outcome outcome = store.restore(key, version, actor, reason);
    if (outcome instanceof Outcome.NotFound) {
      throw ApiException.notFound("flag " + key + " has no version " + version + " to restore");
    }
    return changed(key, outcome);
  }

  public Flag get(String key) {
    return store.get(key).orElseThrow(() -> ApiException.notFound("no flag " + key));
  }

  public List<Flag> list() {
    return store.list();
  }

  public List<FlagStore.Version> versions(String key) {
    List<FlagStore.Version> versions = store.versions(key);
    if (versions.isEmpty()) {
      throw ApiException.notFound("no flag " + key);
    }
    return versions;
  }

  /** Evaluates a flag of the current set for a context, as an SDK would. */
  public EvaluationResult<Object> evaluate(String key, Map<String, Object> context) {
    EvaluationContext ctx;
    try {
      ctx = EvaluationContext.fromMap(context == null ? Map.of() : context);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("context", e.getMessage());
    }
    return current().engine().evaluate(key, Object.class, ctx);
  }

  /** The whole set as one flagd document, and the revision it is at (the ETag). */
  public Snapshot snapshot() {
    Compiled c = current();
    return new Snapshot(c.revision(), c.document());
  }

  /** A flagd document and its revision. */
  public record Snapshot(long revision, String document) {}

  /** The revision of the flag set now. */
  public long revision() {
    return store.revision();
  }

  /** Flags serving one variant to everyone unchanged this long are due for removal. */
  public static final Duration STALE_AFTER = Duration.ofDays(14);

  /**
   * One stale flag and why.
   *
   * @param serving what everyone gets: a variant's name, or {@code disabled} (the code default)
   * @param reasons {@code one-variant} (at 100% or 0% of one variant for 14 days or more), {@code
   *     past-lifetime} (older than its type's expected lifetime)
   */
  public record Stale(
      String key,
      String type,
      String owner,
      String serving,
      Instant lastChanged,
      Instant lifetimeEnded,
      List<String> reasons) {}

  /**
   * Flag debt ("clean up 2 weeks after 100%"): flags that serve one variant to everyone and have
   * not changed for {@link #STALE_AFTER}, and flags past their type's expected lifetime.
   */
  public List<Stale> stale() {
    Instant now = clock.instant();
    List<Stale> stale = new ArrayList<>();
    for (Flag flag : store.list()) {
      List<String> reasons = new ArrayList<>();
      String serving = serving(read(flag.definition()));
      if (serving != null && !flag.updatedAt().plus(STALE_AFTER).isAfter(now)) {
        reasons.add("one-variant");
      }
      Instant lifetimeEnded =
          flag.lifetimeDays() == null
              ? null
              : flag.createdAt().plus(Duration.ofDays(flag.lifetimeDays()));
      if (lifetimeEnded != null && !lifetimeEnded.isAfter(now)) {
        reasons.add("past-lifetime");
      }
      if (!reasons.isEmpty()) {
        stale.add(
            new Stale(
                flag.key(),
                flag.type(),
                flag.owner(),
                serving,
                flag.updatedAt(),
                lifetimeEnded,
                List.copyOf(reasons)));
      }
    }
    return stale;
  }

  /**
   * What everyone gets when a definition no longer varies: {@code disabled}; the default variant
   * without targeting; the only variant with weight in a targeting that is just a {@code
   * fractional}. Null when it still varies.
   */
  static String serving(JsonNode definition) {
    if ("DISABLED".equals(definition.path("state").asText())) {
      return "disabled";
    }
    JsonNode targeting = definition.get("targeting");
    if (targeting == null || targeting.isNull() || (targeting.isObject() && targeting.isEmpty())) {
      return definition.path("defaultVariant").asText(null);
    }
    JsonNode fractional = targeting.get("fractional");
    if (targeting.size() != 1 || fractional == null || !fractional.isArray()) {
      return null;
    }
    String only = null;
    for (JsonNode bucket : fractional) {
      if (!bucket.isArray()) {
        continue; // the bucketBy expression
      }
      long weight = bucket.size() > 1 ? bucket.get(1).asLong(1) : 1;
      if (weight > 0) {
        if (only != null) {
          return null;
        }
        only = bucket.get(0).asText();
      }
    }
    return only;
  }

  // --- internals --------------------------------------------------------------------------------

  private Compiled current() {
    long revision = store.revision();
    Compiled c = compiled.get();
    if (c != null && c.revision() == revision) {
      return c;
    }
    // One rebuild at a time: after a change, every waiting long-poll wakes at once.
    synchronized (compiled) {
      c = compiled.get();
      if (c != null && c.revision() >= revision) {
        return c;
      }
      return rebuild();
    }
  }

  private Compiled rebuild() {
    FlagStore.Snapshot snapshot = store.snapshot();
    ObjectNode document = json.createObjectNode();
    document.put("$schema", "https://flagd.dev/schema/v0/flags.json");
    ObjectNode flags = document.putObject("flags");
    for (Flag flag : snapshot.flags()) {
      flags.set(flag.key(), read(flag.definition()));
    }
    String text = document.toString();
    FlagEngine engine;
    try {
      // Every definition was checked strictly on its own before it was stored; the set is read
      // as providers read it, flag by flag, so that one flag an engine change no longer accepts
      // stops only itself from being served.
      engine = FlagEngine.load(text);
    } catch (FlagDefinitionException e) {
      throw new IllegalStateException("the stored flag set is no flag document: " + e, e);
    }
    for (RejectedFlag flag : engine.rejected()) {
      LOG.warn(
          "Stored flag '{}' does not compile and answers PARSE_ERROR: {}",
          flag.key(),
          flag.reason());
    }
    Compiled fresh = new Compiled(snapshot.revision(), engine, text);
    compiled.set(fresh);
    return fresh;
  }

  private static Flag changed(String key, Outcome outcome) {
    if (outcome instanceof Outcome.NotFound) {
      throw ApiException.notFound("no flag " + key);
    }
    if (outcome instanceof Outcome.Conflict conflict) {
      throw new ApiException(
          new ErrorBody(
              412,
              "version_mismatch",
              "flag "
                  + key
                  + " is at version "
                  + conflict.current().version()
                  + "; the change was based on another (If-Match)",
              "If-Match",
              null,
              Map.of("version", conflict.current().version())));
    }
    return ((Outcome.Changed) outcome).flag();
  }

  private static void checkKey(String key) {
    if (key == null || !KEY.matcher(key).matches()) {
      throw ApiException.badRequest("key", "must match " + KEY.pattern());
    }
  }

  /** Longest reason a change may carry (it is stored with the version and audited). */
  public static final int MAX_REASON = 1000;

  /** A 400 for a reason longer than {@link #MAX_REASON}. */
  public static void checkReason(String reason) {
    if (reason != null && reason.length() > MAX_REASON) {
      throw ApiException.badRequest("reason", "must be at most " + MAX_REASON + " characters");
    }
  }

  private static void checkMeta(Meta meta) {
    List<FieldError> problems = new ArrayList<>();
    if (meta.owner() != null && meta.owner().length() > 255) {
      problems.add(new FieldError("owner", "must be at most 255 characters"));
    }
    if (meta.type() == null || !FlagStore.LIFETIMES.containsKey(meta.type())) {
      problems.add(
          new FieldError("type", "must be one of " + new TreeSet<>(FlagStore.LIFETIMES.keySet())));
    }
    if (meta.lifetimeDays() != null && meta.lifetimeDays() < 1) {
      problems.add(new FieldError("lifetimeDays", "must be at least 1"));
    }
    if (!problems.isEmpty()) {
      throw ApiException.badRequest(problems);
    }
  }

  /** The definition compiled alone; its JSON text, or a 400 naming each bad path. */
  private String check(String key, JsonNode definition) {
    if (definition == null || !definition.isObject()) {
      throw ApiException.badRequest(
          "definition", "a flag definition object in flagd's format is required");
    }
    ObjectNode document = json.createObjectNode();
    document.putObject("flags").set(key, definition);
    try {
      FlagEngine.compile(document);
    } catch (FlagDefinitionException e) {
      String prefix = "flags." + key;
      throw ApiException.badRequest(
          e.problems().stream()
              .map(
                  p ->
                      new FieldError(
                          p.path().startsWith(prefix)
                              ? "definition" + p.path().substring(prefix.length())
                              : p.path(),
                          p.message()))
              .toList());
    }
    return definition.toString();
  }

  private JsonNode read(String text) {
    try {
      return json.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a stored flag definition is not JSON", e);
    }
  }
}
