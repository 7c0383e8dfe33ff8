package dev.sluice.api.cli;

import io.dropwizard.core.cli.Command;
import io.dropwizard.core.setup.Bootstrap;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

/**
 * {@code sluice haproxy-config SERVICE [--url URL]}: prints a starting HAProxy config for a
 * service, as the server renders it from the service's definition ({@code GET
 * /api/v1/services/SERVICE/haproxy.cfg}). Exit status 0, or 1 with the server's reason on stderr.
 */
public class HaproxyConfigCommand extends Command {

  public HaproxyConfigCommand() {
    super("haproxy-config", "Prints a starting HAProxy config for a service, from its definition");
  }

  @Override
  public void configure(Subparser subparser) {
    subparser.addArgument("service").help("the service's name");
    subparser
        .addArgument("--url")
        .setDefault(SluiceRest.DEFAULT_URL)
        .help("the Sluice server (default " + SluiceRest.DEFAULT_URL + ")");
  }

  @Override
  public void run(Bootstrap<?> bootstrap, Namespace namespace) throws Exception {
    int status =
        print(
            namespace.getString("service"),
            URI.create(namespace.getString("url")),
            System.out,
            System.err);
    System.out.flush();
    // Dropwizard's runner exits 0 after a command; a failure must say so.
    Runtime.getRuntime().halt(status);
  }

  /** Prints the config to {@code out}, or the reason it cannot to {@code err}; the exit status. */
  public static int print(String service, URI url, PrintStream out, PrintStream err)
      throws InterruptedException {
    try {
      SluiceRest.Answer answer = SluiceRest.getService(url, service, "/haproxy.cfg", "text/plain");
      if (!answer.ok()) {
        err.println("sluice haproxy-config " + service + ": " + answer.problem());
        return 1;
      }
      out.print(answer.body());
      return 0;
    } catch (IOException e) {
      err.println("sluice haproxy-config: no Sluice server answers at " + url + ": " + e);
      return 1;
    }
  }
}
