package dev.sluice.flags;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.flags.FlagDefinitionException.Problem;
import dev.sluice.flags.internal.CompiledFlag;
import dev.sluice.flags.internal.DocumentCompiler;
import dev.sluice.flags.internal.DocumentCompiler.CompiledDocument;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Evaluates the flags of one flagd flag-definition document (<a
 * href="https://flagd.dev/reference/flag-definitions/">flagd.dev/reference/flag-definitions</a>).
 *
 * <p>The document is validated and compiled once, in {@link #parse}: targeting becomes an immutable
 * tree of operations with variant names resolved to indices, shared evaluators inlined, literal
 * lists hashed, literal versions parsed, and every successful outcome precomputed. An evaluation
 * walks that tree against an {@link EvaluationContext}; it never reads JSON, never throws, and for
 * the usual operations ({@code var}, comparisons, {@code in}, string and version tests, {@code
 * fractional} on the targeting key) allocates nothing. An engine is immutable and thread-safe; to
 * change flags, parse a new document and swap engines.
 *
 * <p>Semantics follow flagd: a disabled flag yields reason {@link Reason#DISABLED} and no value
 * (the caller's code default); no targeting yields {@link Reason#STATIC}; targeting returning
 * {@code null} yields the default variant with {@link Reason#DEFAULT}; {@code true}/{@code false}
 * from targeting name the variants "true"/"false"; a {@code fractional} that decides yields {@link
 * Reason#SPLIT}; anything else naming no variant is {@link ErrorCode#PARSE_ERROR}.
 *
 * <p>Two ways to read a document. {@link #parse} and {@link #compile} are strict: any problem, or
 * anything flagd would only answer in its own quiet way (a {@code sem_ver} with an unknown
 * operator, weights summing to 0), fails the whole document with every problem listed — what a
 * person writing flags wants to hear. {@link #load} reads a document as flagd loads a file: flag by
 * flag, serving every flag it can, answering the flags it cannot with {@link ErrorCode#PARSE_ERROR}
 * and listing them in {@link #rejected()}.
 */
public final class FlagEngine {

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private final Map<String, CompiledFlag> flags;
  private final Map<String, Object> metadata;
  private final List<RejectedFlag> rejected;
  private final Map<String, EvaluationResult<?>> rejectedResults;
  private final List<Problem> warnings;

  private FlagEngine(CompiledDocument document) {
    this.flags = document.flags();
    this.metadata = document.metadata();
    this.warnings = document.warnings();
    List<RejectedFlag> rejectedFlags = new ArrayList<>();
    Map<String, EvaluationResult<?>> results = new HashMap<>();
    document
        .rejected()
        .forEach(
            (key, problems) -> {
              RejectedFlag flag = new RejectedFlag(key, problems);
              rejectedFlags.add(flag);
              results.put(
                  key,
                  EvaluationResult.error(
                      ErrorCode.PARSE_ERROR,
                      "flag '" + key + "' could not be loaded: " + flag.reason(),
                      metadata));
            });
    this.rejected = List.copyOf(rejectedFlags);
    this.rejectedResults = Map.copyOf(results);
  }

  /**
   * Parses and compiles a flagd document.
   *
   * @throws FlagDefinitionException listing every problem, each with its JSON path
   */
  public static FlagEngine parse(String json) throws FlagDefinitionException {
    return parse(json, FlagEngine::nowSeconds);
  }

  /** As {@link #parse(String)}, with the clock behind {@code $flagd.timestamp}. */
  public static FlagEngine parse(String json, LongSupplier epochSeconds)
      throws FlagDefinitionException {
    return compile(readTree(json), epochSeconds);
  }

  /** Compiles a flagd document already read into a Jackson tree. */
  public static FlagEngine compile(JsonNode document) throws FlagDefinitionException {
    return compile(document, FlagEngine::nowSeconds);
  }

  /** As {@link #compile(JsonNode)}, with the clock behind {@code $flagd.timestamp}. */
  public static FlagEngine compile(JsonNode document, LongSupplier epochSeconds)
      throws FlagDefinitionException {
    return new FlagEngine(DocumentCompiler.compile(document, epochSeconds));
  }

  /**
   * Reads a flagd document leniently, as flagd loads a file: every flag that compiles is served;
   * each one that does not is listed in {@link #rejected()} and answers {@link
   * ErrorCode#PARSE_ERROR}. What flagd accepts and answers in its own way (see {@link #warnings()})
   * is served that way.
   *
   * @throws FlagDefinitionException only when the text is not JSON or no flag document at all (not
   *     an object, or without a {@code flags} object)
   */
  public static FlagEngine load(String json) throws FlagDefinitionException {
    return load(readTree(json), FlagEngine::nowSeconds);
  }

  /** As {@link #load(String)}, for a document already read into a Jackson tree. */
  public static FlagEngine load(JsonNode document) throws FlagDefinitionException {
    return load(document, FlagEngine::nowSeconds);
  }

  /** As {@link #load(JsonNode)}, with the clock behind {@code $flagd.timestamp}. */
  public static FlagEngine load(JsonNode document, LongSupplier epochSeconds)
      throws FlagDefinitionException {
    return new FlagEngine(DocumentCompiler.load(document, epochSeconds));
  }

  private static JsonNode readTree(String json) throws FlagDefinitionException {
    try {
      return MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new FlagDefinitionException(
          List.of(new Problem("", "not valid JSON: " + e.getOriginalMessage())));
    }
  }

  private static long nowSeconds() {
    return System.currentTimeMillis() / 1000;
  }

  /**
   * Evaluates a flag.
   *
   * @param flagKey the flag's key
   * @param type the Java type expected: {@code Boolean}, {@code String}, {@code Double} (or {@code
   *     Number}), {@code Integer} (number flags with integral variants), {@code Map} (object
   *     flags), or {@code Object} for any
   * @param ctx the context; {@code null} is taken as {@link EvaluationContext#empty()}
   * @return the result; never {@code null}, never thrown
   */
  public <T> EvaluationResult<T> evaluate(String flagKey, Class<T> type, EvaluationContext ctx) {
    CompiledFlag flag = flagKey == null ? null : flags.get(flagKey);
    if (flag == null) {
      EvaluationResult<?> rejectedResult = flagKey == null ? null : rejectedResults.get(flagKey);
      if (rejectedResult != null) {
        @SuppressWarnings("unchecked")
        EvaluationResult<T> typed = (EvaluationResult<T>) rejectedResult;
        return typed;
      }
      return EvaluationResult.error(
          ErrorCode.FLAG_NOT_FOUND, "flag '" + flagKey + "' not found", metadata);
    }
    return flag.evaluate(type, ctx == null ? EvaluationContext.empty() : ctx);
  }

  /**
   * The flags of a leniently loaded document that are not served, in document order; empty for a
   * strictly compiled one.
   */
  public List<RejectedFlag> rejected() {
    return rejected;
  }

  /**
   * What a leniently loaded document's served flags do the flagd way rather than as written (an
   * unknown {@code sem_ver} operator answering the default variant, a negative weight counted as 0,
   * ignored metadata…), each with its JSON path; empty for a strictly compiled one.
   */
  public List<Problem> warnings() {
    return warnings;
  }

  /** The keys of the flags served, disabled ones included (not the {@link #rejected()} ones). */
  public Set<String> flagKeys() {
    return flags.keySet();
  }

  /** The type of a flag's variants, when the flag exists. */
  public Optional<FlagType> typeOf(String flagKey) {
    return Optional.ofNullable(flags.get(flagKey)).map(CompiledFlag::type);
  }

  /** The flag-set metadata (the document's top-level {@code metadata}). */
  public Map<String, Object> metadata() {
    return metadata;
  }
}
