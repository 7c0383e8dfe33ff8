package dev.sluice.workflows;

/**
 * The types of the non-retryable {@code ApplicationFailure}s: activities throw them, workflows name
 * them in {@code setDoNotRetry} and match on them. One list, so a thrower and a matcher cannot
 * drift apart; the strings are part of recorded histories and must not change.
 */
public final class FailureTypes {

  private FailureTypes() {}

  /** A configuration error no retry can fix: a bad provider setting, an unknown router. */
  public static final String CONFIGURATION_ERROR = "ConfigurationError";

  /** A control (update) refused by its validator; the API answers 409 with its message. */
  public static final String CONTROL_REJECTED = "ControlRejected";

  /** The flag a rollout or a dual-write steers does not exist. */
  public static final String FLAG_NOT_FOUND = "FlagNotFound";

  /** Someone pulled the flag's kill switch during the rollout; it stays disabled. */
  public static final String FLAG_DISABLED = "FlagDisabled";

  /** A migration spec the database cannot run as written. */
  public static final String INVALID_MIGRATION = "InvalidMigration";

  /** A migration operation this database does not support. */
  public static final String UNSUPPORTED_BY_DATABASE = "UnsupportedByDatabase";

  /** Rows were left after a backfill: the migration rolls back. */
  public static final String VERIFY_FAILED = "VerifyFailed";
}
