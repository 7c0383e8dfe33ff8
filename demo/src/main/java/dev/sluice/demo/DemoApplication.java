package dev.sluice.demo;

import dev.sluice.api.SluiceApplication;
import dev.sluice.api.SluiceConfiguration;
import io.dropwizard.core.setup.Bootstrap;

/**
 * Sluice's application with one more command, {@code demo}: the main class of {@code
 * demo/target/sluice-demo.jar}, which {@code ./sluice demo} runs. The server jar has every other
 * command and no demo.
 */
public class DemoApplication extends SluiceApplication {

  public static void main(String[] args) throws Exception {
    new DemoApplication().run(args);
  }

  @Override
  public void initialize(Bootstrap<SluiceConfiguration> bootstrap) {
    super.initialize(bootstrap);
    bootstrap.addCommand(new DemoCommand());
  }
}
