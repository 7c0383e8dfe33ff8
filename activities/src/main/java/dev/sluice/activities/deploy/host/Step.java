package dev.sluice.activities.deploy.host;

import java.util.List;

/**
 * One command a template runs on a host: an argument list, never a command line.
 *
 * @param command the program and its arguments, placeholders already filled in
 * @param mayFail a non-zero exit does not stop the deploy (stopping a container that is not there)
 */
public record Step(List<String> command, boolean mayFail) {

  public Step {
    command = List.copyOf(command);
    if (command.isEmpty()) {
      throw new IllegalArgumentException("a step needs a command");
    }
  }

  static Step of(List<String> command) {
    return new Step(command, false);
  }

  static Step allowedToFail(List<String> command) {
    return new Step(command, true);
  }

  /** The command as a shell reads it, for logs and events. */
  String display() {
    return ShellQuoting.join(command);
  }
}
