package dev.sluice.ledger;

import static dev.sluice.ledger.LedgerFixtures.START;
import static dev.sluice.ledger.LedgerFixtures.event;
import static dev.sluice.ledger.LedgerFixtures.newDeployment;
import static dev.sluice.ledger.LedgerFixtures.running;
import static dev.sluice.ledger.LedgerFixtures.service;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.ledger.BeginResult.Created;
import dev.sluice.model.DeploymentState;
import dev.sluice.model.Phase;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.model.Target;
import dev.sluice.model.TargetState;
import dev.sluice.model.TargetStatus;
import dev.sluice.workflows.activities.LedgerActivities.LedgerEntry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the ledger promises, run against each database it supports: one abstract contract per
 * aggregate extends this class, and each contract has an {@code OnH2Test} and an {@code
 * OnPostgresTest} subclass supplying empty databases ({@link H2Databases}, {@link
 * PostgresDatabases}).
 */
public abstract class LedgerContract {

  protected final MutableClock clock = new MutableClock(START);
  protected DataSource dataSource;
  protected Ledger ledger;
  protected FlagStore flags;

  /** A new, empty database; the subclass closes it after the test. */
  protected abstract DataSource emptyDatabase() throws Exception;

  @BeforeEach
  protected void openMigratedLedger() throws Exception {
    dataSource = emptyDatabase();
    Ledger.migrate(dataSource);
    Jdbi jdbi = Jdbi.create(dataSource);
    ledger = new Ledger(jdbi, Ledger.objectMapper(), clock);
    flags = new FlagStore(jdbi, Ledger.objectMapper(), clock);
  }

  /** Begins a deployment and records it from running to {@code outcome}. */
  protected void deployToEnd(
      ServiceDefinition service,
      String id,
      String version,
      String previous,
      DeploymentState outcome,
      String current) {
    assertThat(ledger.begin(newDeployment(id, service, version, null, null, previous)))
        .isInstanceOf(Created.class);
    clock.advance(Duration.ofSeconds(1));
    ledger.record(running(id, event(1)));
    clock.advance(Duration.ofSeconds(1));
    List<TargetStatus> targets = new ArrayList<>();
    for (Target target : service.fleet()) {
      targets.add(new TargetStatus(target.id(), previous, current, TargetState.UPGRADED, null));
    }
    ledger.record(
        new LedgerEntry(
            id,
            service.name(),
            version,
            null,
            outcome,
            Phase.COMPLETED,
            1,
            1,
            null,
            targets,
            List.of(event(2)),
            current));
  }
}
