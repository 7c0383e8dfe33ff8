package dev.sluice.api.cli;

import dev.sluice.api.SluiceConfiguration;
import dev.sluice.worker.encryption.PayloadEncryption;
import io.dropwizard.core.Application;
import io.dropwizard.core.cli.CheckCommand;
import io.dropwizard.core.setup.Bootstrap;
import net.sourceforge.argparse4j.inf.Namespace;

/**
 * {@code sluice check FILE}: Dropwizard's check (the file parses and validates), then the payload
 * encryption keys it names are read, as the server would at start, so a missing variable or a key
 * of the wrong length is found here, named by the key's id.
 */
public class SluiceCheckCommand extends CheckCommand<SluiceConfiguration> {

  public SluiceCheckCommand(Application<SluiceConfiguration> application) {
    super(application);
  }

  @Override
  protected void run(
      Bootstrap<SluiceConfiguration> bootstrap, Namespace namespace, SluiceConfiguration config)
      throws Exception {
    PayloadEncryption.load(config.getTemporal().getEncryption());
    super.run(bootstrap, namespace, config);
  }
}
