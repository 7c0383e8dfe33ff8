package dev.sluice.api.deployments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.sluice.activities.StandardProviders;
import dev.sluice.activities.aws.MotoAlb;
import dev.sluice.activities.aws.MotoServer;
import dev.sluice.api.common.ErrorBody.FieldError;
import dev.sluice.api.errors.ApiException;
import dev.sluice.api.services.FleetView;
import dev.sluice.api.services.ServiceMapper;
import dev.sluice.api.services.ServiceSpec.TargetSpec;
import dev.sluice.api.services.Services;
import dev.sluice.ledger.DeploymentRecord;
import dev.sluice.model.ProviderRef;
import dev.sluice.model.ServiceDefinition;
import dev.sluice.model.Target;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * A service whose fleet is found by EC2 tags, started against moto: the deployment's input (and its
 * ledger row) holds the instances the source found at that moment; a source that cannot answer
 * starts and records nothing.
 */
class DiscoveredFleetStartsTest {

  static MotoServer moto;

  @TempDir static Path dir;

  final LedgerFixture fixture = new LedgerFixture();
  final DeploymentStarts starts =
      new DeploymentStarts(
          fixture.ledger,
          null, // nothing here reaches Temporal
          "sluice",
          false,
          Clock.systemUTC(),
          new ServiceMapper(StandardProviders.registry()));
  MotoAlb aws;

  @BeforeAll
  static void startMoto() throws Exception {
    moto = MotoServer.start(dir);
  }

  @AfterAll
  static void stopMoto() {
    if (moto != null) {
      moto.close();
    }
  }

  @BeforeEach
  void reset() {
    moto.reset();
    aws = MotoAlb.create(moto, "shop");
  }

  @AfterEach
  void close() {
    aws.close();
    fixture.close();
  }

  /** shop with its fleet found by the tag {@code app=shop}, and {@code more} settings. */
  private void putDiscovered(String strategy, Map<String, Object> more) {
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("region", MotoServer.REGION);
    settings.put("endpoint", moto.endpoint().toString());
    settings.put("tags", Map.of("app", "shop"));
    settings.put("port", 8080);
    settings.putAll(more);
    ServiceDefinition shop = LedgerFixture.SHOP;
    fixture.ledger.putService(
        new ServiceDefinition(
            shop.name(),
            List.of(),
            shop.trafficRouter(),
            shop.deployer(),
            shop.healthCheck(),
            strategy,
            null,
            null,
            null,
            null,
            null,
            new ProviderRef("ec2", settings)),
        "ci");
  }

  private static List<Target> targets(List<Instance> instances) {
    return instances.stream()
        .map(
            i ->
                new Target(
                    i.instanceId(),
                    i.privateIpAddress(),
                    8080,
                    null,
                    i.placement().availabilityZone()))
        .sorted(Comparator.comparing(Target::id))
        .toList();
  }

  @Test
  void theDeploymentsInputAndLedgerRowHoldTheInstancesFoundWhenItStarts() {
    List<Instance> first = aws.instances(2, Map.of("app", "shop"));
    putDiscovered("rolling", Map.of());

    Deployments.Prepared prepared =
        starts.prepare(new DeploymentCreate("shop", "2.0.0", null, null), null, "ci");

    ServiceDefinition input = prepared.request().service();
    assertThat(input.fleet()).isEqualTo(targets(first));
    assertThat(input.fleetSource().type()).isEqualTo("ec2");
    DeploymentRecord recorded = starts.reserve(prepared, "rel-1", null, "fp");
    assertThat(fixture.ledger.deployment(recorded.id()).orElseThrow().request().service().fleet())
        .isEqualTo(targets(first));
    // The stored service still names only its source.
    assertThat(fixture.ledger.service("shop").orElseThrow().fleet()).isEmpty();
    starts.release(recorded.id(), "test over");

    // The next deployment learns the fleet afresh.
    List<Instance> added = aws.instances(1, Map.of("app", "shop"));
    List<Instance> now = new ArrayList<>(first);
    now.addAll(added);
    assertThat(
            starts
                .prepare(new DeploymentCreate("shop", "2.0.1", null, null), null, "ci")
                .request()
                .service()
                .fleet())
        .isEqualTo(targets(now));
  }

  @Test
  void thePreviewShowsWhatADeploymentStartingNowWouldGet() {
    List<Instance> instances = aws.instances(2, Map.of("app", "shop"));
    putDiscovered("rolling", Map.of());
    ServiceMapper mapper = new ServiceMapper(StandardProviders.registry());
    Services services = new Services(fixture.ledger, mapper, StandardProviders.registry());

    FleetView preview = services.fleet("shop");

    assertThat(preview.fleetSource().type()).isEqualTo("ec2");
    assertThat(preview.targets())
        .extracting(TargetSpec::id, TargetSpec::host, TargetSpec::zone)
        .containsExactlyElementsOf(
            targets(instances).stream().map(t -> tuple(t.id(), t.host(), t.zone())).toList());
    assertThat(fixture.ledger.deployments("shop", null, 10)).isEmpty();
  }

  @Test
  void aSourceThatCannotBeReachedStartsAndRecordsNothing() {
    putDiscovered("rolling", Map.of("endpoint", "http://127.0.0.1:1"));

    assertThatThrownBy(
            () -> starts.start(new DeploymentCreate("shop", "2.0.0", null, null), "key-1", "ci"))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(503);
              assertThat(e.body().message())
                  .contains("shop's fleet cannot be resolved now")
                  .contains("ec2: DescribeInstances")
                  .contains("nothing was started");
            });
    assertThat(fixture.ledger.lockHolder("shop")).isEmpty();
    assertThat(fixture.ledger.deployments("shop", null, 10)).isEmpty();
  }

  @Test
  void noMatchingInstanceIsA422NamingTheSource() {
    aws.instances(1, Map.of("app", "other"));
    putDiscovered("rolling", Map.of());

    assertThatThrownBy(
            () -> starts.start(new DeploymentCreate("shop", "2.0.0", null, null), null, "ci"))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(422);
              assertThat(e.body().field()).isEqualTo("fleetSource");
              assertThat(e.body().message()).contains("no instance in eu-west-1 matches");
            });
    assertThat(fixture.ledger.deployments("shop", null, 10)).isEmpty();
  }

  @Test
  void resolvedTargetsAreHeldToTheRulesOfAListedFleet() {
    aws.instances(1, Map.of("app", "shop", "Name", "shop one"));
    putDiscovered("rolling", Map.of("idTag", "Name"));

    assertThatThrownBy(
            () -> starts.prepare(new DeploymentCreate("shop", "2.0.0", null, null), null, "ci"))
        .isInstanceOfSatisfying(
            ApiException.class,
            e ->
                assertThat(e.body().errors())
                    .extracting(FieldError::field)
                    .containsExactly("fleetSource.resolved[0].id"));
  }

  @Test
  void blueGreenPoolsComeFromTheTagAndAreCheckedOnTheResolvedFleet() {
    aws.instances(1, Map.of("app", "shop", "pool", "blue"));
    aws.instances(1, Map.of("app", "shop", "pool", "green"));
    putDiscovered("blue-green", Map.of("poolTag", "pool"));

    assertThat(
            starts
                .prepare(new DeploymentCreate("shop", "2.0.0", null, null), null, "ci")
                .request()
                .service()
                .fleet())
        .extracting(Target::pool)
        .containsExactlyInAnyOrder("blue", "green");

    putDiscovered("blue-green", Map.of());
    assertThatThrownBy(
            () -> starts.prepare(new DeploymentCreate("shop", "2.0.0", null, null), null, "ci"))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> assertThat(e.body().errors()).extracting(FieldError::field).contains("strategy"));
  }
}
