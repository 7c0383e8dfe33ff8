package dev.sluice.ledger;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.jdbi.v3.core.argument.Argument;

/**
 * The ledger's timestamps: the time from the injected {@link Clock}, truncated to microseconds (the
 * precision both databases store), bound and read as UTC {@code TIMESTAMP WITH TIME ZONE}.
 */
final class Timestamps {

  private final Clock clock;

  Timestamps(Clock clock) {
    this.clock = clock;
  }

  Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  /** Binds an instant as a UTC TIMESTAMP WITH TIME ZONE, independent of the JVM's time zone. */
  static Argument at(Instant instant) {
    OffsetDateTime value = instant.truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
    return (position, statement, ctx) -> statement.setObject(position, value);
  }

  static Instant instant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  /** A timestamp column read through {@code mapToMap}, whichever type the driver gave it. */
  static Instant instant(Object value) {
    if (value instanceof OffsetDateTime odt) {
      return odt.toInstant();
    }
    if (value instanceof Timestamp ts) {
      return ts.toInstant();
    }
    if (value instanceof Instant i) {
      return i;
    }
    return value == null ? null : OffsetDateTime.parse(value.toString()).toInstant();
  }
}
