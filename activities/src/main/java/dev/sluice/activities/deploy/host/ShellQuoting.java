package dev.sluice.activities.deploy.host;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * POSIX shell quoting: turns an argument list into one command line that a remote shell splits back
 * into exactly that list. An argument made only of characters no shell interprets stays as it is
 * ({@code =} is not one of them: a first word {@code A=b} would be an assignment); any other is put
 * in single quotes (inside which nothing is special), with each single quote written as {@code
 * '\''}.
 */
final class ShellQuoting {

  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_@%+:,./-]+");

  private ShellQuoting() {}

  static String quote(String argument) {
    if (PLAIN.matcher(argument).matches()) {
      return argument;
    }
    return "'" + argument.replace("'", "'\\''") + "'";
  }

  /** The command line for {@code arguments}, each quoted. */
  static String join(List<String> arguments) {
    return arguments.stream().map(ShellQuoting::quote).collect(Collectors.joining(" "));
  }
}
