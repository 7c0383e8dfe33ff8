package dev.sluice.activities.traffic.haproxy;

import dev.sluice.activities.ConfigurationException;

/**
 * HAProxy answered a runtime API command with an error, e.g. {@code No such server.}, {@code No
 * such backend.} or {@code Absolute weight can only be between 0 and 256 inclusive.}
 *
 * <p>It is a {@link ConfigurationException} because such answers are deterministic: the same
 * command against the same running configuration gets the same answer, so no retry can fix it. What
 * a retry can fix (HAProxy restarting) surfaces as {@link HaproxyUnavailableException}.
 */
public class HaproxyCommandException extends ConfigurationException {

  private static final long serialVersionUID = 1L;

  private final String command;
  private final String answer;

  public HaproxyCommandException(String socket, String command, String answer) {
    super("HAProxy at " + socket + " rejected '" + command + "': " + answer);
    this.command = command;
    this.answer = answer;
  }

  /** The command as sent. */
  public String command() {
    return command;
  }

  /** HAProxy's error text, without the severity prefix. */
  public String answer() {
    return answer;
  }
}
