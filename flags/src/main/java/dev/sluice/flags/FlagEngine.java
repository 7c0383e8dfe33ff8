package dev.sluice.flags;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.flags.FlagDefinitionException.Problem;
import dev.sluice.flags.internal.CompiledFlag;
import dev.sluice.flags.internal.DocumentCompiler;
import dev.sluice.flags.internal.DocumentCompiler.CompiledDocument;
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
 */
public final class FlagEngine {

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private final Map<String, CompiledFlag> flags;
  private final Map<String, Object> metadata;

  private FlagEngine(CompiledDocument document) {
    this.flags = document.flags();
    this.metadata = document.metadata();
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
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new FlagDefinitionException(
          List.of(new Problem("", "not valid JSON: " + e.getOriginalMessage())));
    }
    return compile(root, epochSeconds);
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
      return EvaluationResult.error(
          ErrorCode.FLAG_NOT_FOUND, "flag '" + flagKey + "' not found", metadata);
    }
    return flag.evaluate(type, ctx == null ? EvaluationContext.empty() : ctx);
  }

  /** The keys of all flags, disabled ones included. */
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
