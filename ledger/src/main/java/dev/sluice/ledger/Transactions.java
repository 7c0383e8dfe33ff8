package dev.sluice.ledger;

import java.sql.SQLException;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.HandleConsumer;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transactions of everything kept in the ledger's database ({@link Ledger}, {@link FlagStore}):
 * a transaction that loses a race to a concurrent writer (unique violation, deadlock, serialization
 * failure, lock timeout) runs again from the start, so the retry sees the winner's committed rows
 * and decides accordingly; callers see either its effect or the winner's.
 *
 * <p>Only a race the database reports as an error is retried. What a transaction returns — a flag
 * change refused because the flag moved on, say — is its answer, and is never tried again.
 */
final class Transactions {

  private static final Logger log = LoggerFactory.getLogger(Transactions.class);

  /** Tries of a transaction that keeps losing races; a handful is plenty for a few writers. */
  private static final int ATTEMPTS = 5;

  /** SQLSTATE of a unique violation, on H2 and PostgreSQL alike. */
  private static final String UNIQUE_VIOLATION = "23505";

  private final Jdbi jdbi;

  Transactions(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * Runs {@code work} in a transaction, again from the start when it lost a race to a concurrent
   * writer: the retry then sees the winner's committed rows and decides accordingly.
   */
  <T> T inTransaction(HandleCallback<T, RuntimeException> work) {
    for (int attempt = 1; ; attempt++) {
      try {
        return jdbi.inTransaction(work);
      } catch (JdbiException e) {
        if (attempt >= ATTEMPTS || !lostRace(e)) {
          throw e;
        }
        log.debug(
            "ledger transaction lost a race (attempt {}), retrying: {}", attempt, e.toString());
      }
    }
  }

  /** {@link #inTransaction} for work without a result. */
  void useTransaction(HandleConsumer<RuntimeException> work) {
    inTransaction(
        h -> {
          work.useHandle(h);
          return null;
        });
  }

  /** Unique violation, deadlock, serialization failure or lock timeout, on H2 or PostgreSQL. */
  static boolean lostRace(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        switch (sql.getSQLState()) {
          case UNIQUE_VIOLATION: // unique violation (both)
          case "40001": // serialization failure (PostgreSQL), deadlock (H2)
          case "40P01": // deadlock (PostgreSQL)
          case "HYT00": // lock timeout (H2)
          case "90131": // concurrent update (H2)
            return true;
          default:
            break;
        }
      }
    }
    return false;
  }

  /** A unique violation, on H2 or PostgreSQL: one of the races {@link #lostRace} retries. */
  static boolean uniqueViolation(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }
}
