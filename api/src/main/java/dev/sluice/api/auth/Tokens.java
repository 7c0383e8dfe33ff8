package dev.sluice.api.auth;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.sluice.api.common.Problems;
import dev.sluice.api.errors.ApiException;
import dev.sluice.api.services.ServiceMapper;
import dev.sluice.ledger.ApiToken;
import dev.sluice.ledger.Ledger;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * API tokens made, listed and revoked over the API (admins only). A token's secret is 256 random
 * bits, shown once in the answer to its creation and kept only as its SHA-256; names are never
 * given twice, and a configured token's name is taken too.
 */
public final class Tokens {

  static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

  /** The secret's prefix, so a leaked one is recognisable to secret scanners and to people. */
  static final String PREFIX = "sluice_";

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Ledger ledger;
  private final List<Caller> fromFile;
  private final Set<String> configured;

  /**
   * @param fromFile the configuration file's tokens
   */
  public Tokens(Ledger ledger, Collection<Caller> fromFile) {
    this.ledger = ledger;
    this.fromFile = fromFile.stream().sorted(Comparator.comparing(Caller::name)).toList();
    this.configured = fromFile.stream().map(Caller::name).collect(Collectors.toSet());
  }

  /** A token as listed: never its secret. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record TokenView(
      String name,
      String role,
      List<String> services,
      String origin,
      Instant createdAt,
      String createdBy,
      Instant revokedAt,
      String revokedBy) {}

  /** The answer to a creation: the token and, this once, its secret. */
  public record Created(TokenView token, String secret) {}

  public record TokenList(List<TokenView> tokens) {}

  /** What {@code POST /api/v1/tokens} takes. */
  public record TokenBody(String name, String role, List<String> services) {}

  public Created create(TokenBody body, String actor) {
    if (body == null) {
      throw ApiException.badRequest(null, "a JSON body with name and role is required");
    }
    Problems problems = new Problems();
    if (body.name() == null || !NAME.matcher(body.name()).matches()) {
      problems.add("name", "must match " + NAME.pattern() + ", got " + Problems.quote(body.name()));
    }
    if (body.role() == null || Role.of(body.role()).isEmpty()) {
      problems.add(
          "role", "must be one of " + Role.names() + ", got " + Problems.quote(body.role()));
    }
    List<String> services = body.services() == null ? List.of() : body.services();
    if (services.size() > 100) {
      problems.add("services", "at most 100 services");
    }
    for (int i = 0; i < Math.min(services.size(), 100); i++) {
      String service = services.get(i);
      if (service == null || !ServiceMapper.SERVICE_NAME.matcher(service).matches()) {
        problems.add(
            "services[" + i + "]", "must be a service name, got " + Problems.quote(service));
      }
    }
    problems.throwIfAnyAs400();
    if (configured.contains(body.name())) {
      throw ApiException.conflict(
          "token_exists",
          "a token named " + body.name() + " is in the configuration file",
          Map.of());
    }
    byte[] random = new byte[32];
    RANDOM.nextBytes(random);
    String secret = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    ApiToken token =
        new ApiToken(
            body.name(),
            Role.of(body.role()).orElseThrow().wire(),
            services.stream().distinct().toList(),
            null,
            actor,
            null,
            null);
    if (!ledger.createToken(token, TokenLookup.sha256(secret))) {
      throw ApiException.conflict(
          "token_exists",
          "a token named " + body.name() + " exists or existed; names are never given twice",
          Map.of());
    }
    ApiToken stored =
        ledger.tokens().stream()
            .filter(t -> t.name().equals(body.name()))
            .findFirst()
            .orElseThrow();
    return new Created(view(stored), secret);
  }

  /** The configuration file's tokens (names and roles only), then those made over the API. */
  public TokenList list() {
    List<TokenView> views = new ArrayList<>();
    fromFile.forEach(
        c ->
            views.add(
                new TokenView(
                    c.name(),
                    c.role().wire(),
                    List.copyOf(c.services()),
                    "configuration",
                    null,
                    null,
                    null,
                    null)));
    ledger.tokens().forEach(t -> views.add(view(t)));
    return new TokenList(views);
  }

  public TokenView revoke(String name, String actor) {
    if (configured.contains(name)) {
      throw ApiException.conflict(
          "configured_token",
          "token " + name + " is in the configuration file: remove it there and restart",
          Map.of());
    }
    if (!ledger.revokeToken(name, actor)) {
      throw ApiException.notFound("no working token " + name);
    }
    return ledger.tokens().stream()
        .filter(t -> t.name().equals(name))
        .map(Tokens::view)
        .findFirst()
        .orElseThrow();
  }

  private static TokenView view(ApiToken t) {
    return new TokenView(
        t.name(),
        t.role(),
        t.services(),
        "api",
        t.createdAt(),
        t.createdBy(),
        t.revokedAt(),
        t.revokedBy());
  }
}
