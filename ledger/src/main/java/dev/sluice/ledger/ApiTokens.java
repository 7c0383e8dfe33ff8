package dev.sluice.ledger;

import static dev.sluice.ledger.Timestamps.at;
import static dev.sluice.ledger.Timestamps.instant;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** API tokens by name and by their secret's hash; see {@link ApiToken}. */
final class ApiTokens {

  private final Timestamps time;

  ApiTokens(Timestamps time) {
    this.time = time;
  }

  /** See {@link Ledger#createToken}. */
  boolean create(Handle h, ApiToken token, String secretSha256) {
    int inserted =
        h.createUpdate(
                "INSERT INTO api_tokens (name, role, services, secret_sha256, created_at,"
                    + " created_by) SELECT :name, :role, :services, :hash, :at, :by"
                    + " WHERE NOT EXISTS (SELECT 1 FROM api_tokens WHERE name = :name)")
            .bind("name", token.name())
            .bind("role", token.role())
            .bind(
                "services", token.services().isEmpty() ? null : String.join(",", token.services()))
            .bind("hash", secretSha256)
            .bind("at", at(time.now()))
            .bind("by", token.createdBy())
            .execute();
    return inserted == 1;
  }

  /** See {@link Ledger#tokens}. */
  List<ApiToken> all(Handle h) {
    return h.createQuery("SELECT * FROM api_tokens ORDER BY created_at, name")
        .map((rs, ctx) -> token(rs))
        .list();
  }

  /** See {@link Ledger#tokenBySecretHash}. */
  Optional<ApiToken> working(Handle h, String secretSha256) {
    return h.createQuery(
            "SELECT * FROM api_tokens WHERE secret_sha256 = :hash AND revoked_at IS NULL")
        .bind("hash", secretSha256)
        .map((rs, ctx) -> token(rs))
        .findOne();
  }

  /** See {@link Ledger#anyWorkingToken}. */
  boolean anyWorking(Handle h) {
    return h.createQuery("SELECT 1 FROM api_tokens WHERE revoked_at IS NULL")
        .setMaxRows(1)
        .mapTo(Integer.class)
        .findOne()
        .isPresent();
  }

  /** See {@link Ledger#revokeToken}. */
  boolean revoke(Handle h, String name, String by) {
    return h.createUpdate(
                "UPDATE api_tokens SET revoked_at = :at, revoked_by = :by"
                    + " WHERE name = :name AND revoked_at IS NULL")
            .bind("name", name)
            .bind("at", at(time.now()))
            .bind("by", by)
            .execute()
        == 1;
  }

  private static ApiToken token(ResultSet rs) throws SQLException {
    String services = rs.getString("services");
    return new ApiToken(
        rs.getString("name"),
        rs.getString("role"),
        services == null ? List.of() : Arrays.asList(services.split(",")),
        instant(rs, "created_at"),
        rs.getString("created_by"),
        instant(rs, "revoked_at"),
        rs.getString("revoked_by"));
  }
}
