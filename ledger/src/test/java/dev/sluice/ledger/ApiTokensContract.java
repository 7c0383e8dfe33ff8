package dev.sluice.ledger;

import static dev.sluice.ledger.LedgerFixtures.START;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** API tokens ({@link ApiTokens}) and where audit rows come from ({@link AuditOrigin}). */
abstract class ApiTokensContract extends LedgerContract {

  static final String HASH = "a".repeat(64);

  @AfterEach
  void unbind() {
    AuditOrigin.clear();
  }

  ApiToken token(String name, String role, List<String> services) {
    return new ApiToken(name, role, services, null, "ops-admin", null, null);
  }

  @Test
  void aTokenIsFoundByItsSecretsHashUntilItIsRevoked() {
    assertThat(ledger.anyWorkingToken()).isFalse();
    assertThat(ledger.createToken(token("ci", "deployer", List.of("checkout", "search")), HASH))
        .isTrue();

    assertThat(ledger.anyWorkingToken()).isTrue();
    ApiToken found = ledger.tokenBySecretHash(HASH).orElseThrow();
    assertThat(found.name()).isEqualTo("ci");
    assertThat(found.role()).isEqualTo("deployer");
    assertThat(found.services()).containsExactly("checkout", "search");
    assertThat(found.createdAt()).isEqualTo(START);
    assertThat(ledger.tokenBySecretHash("b".repeat(64))).isEmpty();

    assertThat(ledger.revokeToken("ci", "ops-admin")).isTrue();
    assertThat(ledger.revokeToken("ci", "ops-admin")).as("already revoked").isFalse();
    assertThat(ledger.tokenBySecretHash(HASH)).isEmpty();
    assertThat(ledger.anyWorkingToken()).isFalse();
    assertThat(ledger.tokens())
        .singleElement()
        .satisfies(t -> assertThat(t.revokedBy()).isEqualTo("ops-admin"));
  }

  @Test
  void aNameIsNeverGivenTwiceEvenAfterItsTokenIsRevoked() {
    assertThat(ledger.createToken(token("ci", "viewer", List.of()), HASH)).isTrue();
    ledger.revokeToken("ci", "ops-admin");

    assertThat(ledger.createToken(token("ci", "admin", List.of()), "c".repeat(64))).isFalse();
    assertThat(ledger.tokens()).extracting(ApiToken::role).containsExactly("viewer");
  }

  @Test
  void creatingAndRevokingAreAuditedWithTheRequestsRoleAndAddress() {
    AuditOrigin.bind(new AuditOrigin("admin", "10.0.0.7"));
    ledger.createToken(token("ci", "approver", List.of()), HASH);
    ledger.revokeToken("ci", "ops-admin");
    AuditOrigin.clear();
    ledger.audit("system", "reconcile", "ci", null);

    assertThat(ledger.auditTrail("ci", 10))
        .extracting(AuditEntry::action, AuditEntry::role, AuditEntry::source)
        .containsExactly(
            tuple("reconcile", null, null),
            tuple("token.revoke", "admin", "10.0.0.7"),
            tuple("token.create", "admin", "10.0.0.7"));
  }
}
