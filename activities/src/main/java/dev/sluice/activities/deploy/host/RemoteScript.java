package dev.sluice.activities.deploy.host;

import static dev.sluice.activities.deploy.host.ShellQuoting.quote;

import java.time.Duration;
import java.util.List;

/**
 * The POSIX shell script one deploy runs on a host, built from argument lists (every value quoted
 * by {@link ShellQuoting}). It needs {@code sh}, {@code flock} (util-linux) and {@code timeout}
 * (coreutils or BusyBox), and keeps its state in {@code stateDir} on the host:
 *
 * <ul>
 *   <li>{@code TARGET.lock}: held (flock) for the whole deploy, so a retry from another worker
 *       waits for a deploy a dead worker left running instead of running beside it;
 *   <li>{@code TARGET.deployed}: the request id and version of the last deploy that completed; a
 *       request that finds its own id there does nothing ({@link #ALREADY_DONE});
 *   <li>{@code TARGET.history}: one line per deploy started, done, failed or found already done;
 *   <li>{@code TARGET.out}: the output of the last deploy's commands.
 * </ul>
 *
 * The commands do not inherit the lock (a daemon they start must not hold it) or the channel's
 * input, and their output goes to the file: the script writes nothing to the connection before the
 * end, so a deploy whose worker died (sshd sends no hang-up to a session without a terminal)
 * carries on to the end and records it. Each command runs under {@code timeout}; the script prints
 * the end of the output file and exits with the first failing command's status.
 */
final class RemoteScript {

  /** The line the script prints when this request had already been carried out. */
  static final String ALREADY_DONE = "sluice: already-done";

  /** Exit status when another deploy holds the target's lock for longer than the wait. */
  static final int LOCKED = 75;

  /** How the script's answer then begins. */
  static final String LOCKED_LINE = "sluice: another deploy to";

  private RemoteScript() {}

  /**
   * The command line that runs the deploy script: {@code sh -c SCRIPT}, quoted.
   *
   * @param marker what {@code TARGET.deployed} holds once this request is done (request id and
   *     version)
   */
  static String deploy(
      String stateDir,
      String targetId,
      String marker,
      List<Step> steps,
      Duration commandTimeout,
      Duration lockWait,
      int outputLimit) {
    long timeout = Math.max(1, commandTimeout.toSeconds());
    StringBuilder script = new StringBuilder();
    script.append("d=").append(stateDir(stateDir)).append('\n');
    script.append("t=").append(quote(targetId)).append('\n');
    script.append("m=").append(quote(marker)).append('\n');
    script.append("mkdir -p \"$d\" || exit 70\n");
    script.append("exec 9>>\"$d/$t.lock\"\n");
    script
        .append("if ! flock -w ")
        .append(Math.max(1, lockWait.toSeconds()))
        .append(" 9; then echo \"")
        .append(LOCKED_LINE)
        .append(" $t still holds $d/$t.lock\"; exit ")
        .append(LOCKED)
        .append("; fi\n");
    script.append("now() { date -u +%Y-%m-%dT%H:%M:%SZ; }\n");
    script
        .append("if [ -f \"$d/$t.deployed\" ] && [ \"$(cat \"$d/$t.deployed\")\" = \"$m\" ]; then")
        .append(" echo \"$(now) already-done $m\" >> \"$d/$t.history\"; echo '")
        .append(ALREADY_DONE)
        .append("'; exit 0; fi\n");
    script.append("echo \"$(now) start $m\" >> \"$d/$t.history\"\n");
    script
        .append("step() { s=$1; shift; echo \"sluice\\$ $s\"; timeout -k 10 ")
        .append(timeout)
        .append(
            " \"$@\" 9>&- < /dev/null; r=$?; if [ $r -eq 124 ] || [ $r -eq 137 ]; then echo \"sluice: timed out")
        .append(" after ")
        .append(timeout)
        .append(
            "s: $s\"; elif [ $r -ne 0 ]; then echo \"sluice: exit $r: $s\"; fi; return $r; }\n");
    script
        .append("may() { s=$1; shift; echo \"sluice\\$ $s\"; timeout -k 10 ")
        .append(timeout)
        .append(" \"$@\" 9>&- < /dev/null || echo \"sluice: exit $? (allowed): $s\"; }\n");
    // A daemon an earlier deploy started may still write to the old file: start a new one.
    script.append("rm -f \"$d/$t.out\"\nrc=0\n{ ");
    for (int i = 0; i < steps.size(); i++) {
      Step step = steps.get(i);
      if (i > 0) {
        script.append(" &&\n  ");
      }
      script
          .append(step.mayFail() ? "may " : "step ")
          .append(quote(step.display()))
          .append(' ')
          .append(step.display());
    }
    script.append("\n} > \"$d/$t.out\" 2>&1 || rc=$?\n");
    script.append(
        "if [ $rc -eq 0 ]; then printf '%s\\n' \"$m\" > \"$d/$t.deployed.new\" && mv -f"
            + " \"$d/$t.deployed.new\" \"$d/$t.deployed\" && echo \"$(now) done $m\" >>"
            + " \"$d/$t.history\"; else echo \"$(now) failed $m (exit $rc)\" >>"
            + " \"$d/$t.history\"; fi\n");
    script.append("tail -c ").append(outputLimit).append(" \"$d/$t.out\"\n");
    script.append("exit $rc\n");
    return ShellQuoting.join(List.of("sh", "-c", script.toString(), "sluice-deploy"));
  }

  /** {@code stateDir} as a shell word: quoted, a leading {@code ~/} meaning the login's home. */
  private static String stateDir(String stateDir) {
    if (stateDir.equals("~")) {
      return "\"$HOME\"";
    }
    if (stateDir.startsWith("~/")) {
      return "\"$HOME\"/" + quote(stateDir.substring(2));
    }
    return quote(stateDir);
  }

  /**
   * The command line that runs {@code steps} one after another under {@code timeout}, stopping at
   * the first failure of a step that may not fail.
   */
  static String sequence(List<Step> steps, Duration commandTimeout) {
    long timeout = Math.max(1, commandTimeout.toSeconds());
    StringBuilder line = new StringBuilder();
    for (Step step : steps) {
      if (!line.isEmpty()) {
        line.append(" && ");
      }
      String run = "timeout -k 10 " + timeout + " " + step.display() + " < /dev/null";
      line.append(step.mayFail() ? "{ " + run + " || true; }" : run);
    }
    return ShellQuoting.join(List.of("sh", "-c", line.toString()));
  }
}
