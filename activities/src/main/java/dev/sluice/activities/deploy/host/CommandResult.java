package dev.sluice.activities.deploy.host;

/**
 * How a command line run on a host ended.
 *
 * @param exitStatus its exit status; meaningless when {@code timedOut}
 * @param output what it printed (standard output and error), as the host returned it
 * @param timedOut it did not end within the deadline it was given
 */
public record CommandResult(int exitStatus, String output, boolean timedOut) {}
