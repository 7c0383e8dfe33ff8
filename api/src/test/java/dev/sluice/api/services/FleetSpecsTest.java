package dev.sluice.api.services;

import static dev.sluice.api.services.StrategyOptionsTest.problemsOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.common.ErrorBody.FieldError;
import dev.sluice.api.common.Problems;
import dev.sluice.api.services.ServiceSpec.TargetSpec;
import dev.sluice.model.Target;
import java.util.List;
import org.junit.jupiter.api.Test;

class FleetSpecsTest {

  @Test
  void anEmptyFleetIsRefused() {
    Problems problems = new Problems();

    assertThat(FleetSpecs.fleet(List.of(), problems)).isEmpty();
    assertThat(problemsOf(problems))
        .containsExactly(
            new FieldError(
                "fleet", "must list at least one target (or give a fleetSource instead)"));
  }

  @Test
  void idsAndAddressesAreUniqueAndEachBadTargetIsNamed() {
    Problems problems = new Problems();

    List<Target> fleet =
        FleetSpecs.fleet(
            List.of(
                new TargetSpec("t1", "127.0.0.1", 9001, "blue", "eu-west-1a"),
                new TargetSpec("t1", "127.0.0.1", 9002, null, null),
                new TargetSpec("t3", "127.0.0.1", 9001, null, null),
                new TargetSpec("t4", " ", 70000, null, null),
                new TargetSpec("t5", "127.0.0.1", 9005, null, "eu west")),
            problems);

    // A shared address is named but its target kept: the problems fail the request as a whole.
    assertThat(fleet)
        .containsExactly(
            new Target("t1", "127.0.0.1", 9001, "blue", "eu-west-1a"),
            new Target("t3", "127.0.0.1", 9001, null));
    assertThat(problemsOf(problems))
        .containsExactly(
            new FieldError("fleet[1].id", "duplicate target id \"t1\""),
            new FieldError("fleet[2]", "another target already uses 127.0.0.1:9001"),
            new FieldError("fleet[3].host", "is required"),
            new FieldError("fleet[3].port", "must be between 1 and 65535"),
            new FieldError("fleet[4].zone", "must match " + FleetSpecs.ZONE.pattern()));
  }
}
