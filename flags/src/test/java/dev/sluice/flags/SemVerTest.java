package dev.sluice.flags;

import static dev.sluice.flags.OperatorSemanticsTest.holds;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** flagd's {@code sem_ver}: Go's x/mod/semver with a "v" prefixed when missing. */
class SemVerTest {

  @ParameterizedTest(name = "{0} {1} {2} -> {3}")
  @CsvSource({
    "1.1.2, >=, 1.0.0, true",
    "1.0.0, >=, 1.0.0, true",
    "0.9.9, >=, 1.0.0, false",
    "1.0.0, =, v1.0.0, true",
    "v1.0.0, =, 1.0.0+build.7, true",
    "1.0.0, !=, 1.0.1, true",
    "1.0.0, <, 1.0.1, true",
    "1.0.0, <=, 1.0.0, true",
    "2.0.0, >, 1.99.99, true",
    "1.10.0, >, 1.9.0, true",
    "1.0.0-alpha, <, 1.0.0, true",
    "1.0.0-alpha, <, 1.0.0-alpha.1, true",
    "1.0.0-alpha.1, <, 1.0.0-alpha.beta, true",
    "1.0.0-beta.2, <, 1.0.0-beta.11, true",
    "1.0.0-rc.1, <, 1.0.0, true",
    "1, =, 1.0.0, true",
    "1.2, =, 1.2.0, true",
    "3.2.1, ^, 3.0.0, true",
    "3.2.1, ^, 4.0.0, false",
    "3.2.1, ~, 3.2.0, true",
    "3.3.0, ~, 3.2.0, false",
    "99999999999999999999.0.0, >, 9.0.0, true",
  })
  void comparesVersions(String actual, String op, String target, boolean expected) {
    String expression =
        "{\"sem_ver\": [{\"var\": \"version\"}, \"%s\", \"%s\"]}".formatted(op, target);
    EvaluationContext ctx = EvaluationContext.builder().put("version", actual).build();
    assertThat(holds(expression, ctx)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({"01.0.0", "1.0.0-", "1.0-x", "banana", "1.0.0-01", "vV1.0.0", "1.0.0+", "''"})
  void invalidVersionsFromTheContextAreNoMatch(String version) {
    EvaluationContext ctx = EvaluationContext.builder().put("version", version).build();
    assertThat(holds("{\"sem_ver\": [{\"var\": \"version\"}, \">=\", \"0.0.0\"]}", ctx)).isFalse();
    assertThat(holds("{\"sem_ver\": [{\"var\": \"version\"}, \"!=\", \"0.0.0\"]}", ctx)).isFalse();
  }

  @Test
  void aBooleanIsNoVersion() {
    EvaluationContext ctx = EvaluationContext.builder().put("version", true).build();
    assertThat(holds("{\"sem_ver\": [{\"var\": \"version\"}, \">=\", \"0.0.0\"]}", ctx)).isFalse();
    assertThat(holds("{\"sem_ver\": [{\"var\": \"version\"}, \"!=\", \"0.0.0\"]}", ctx)).isFalse();
  }

  /** flagd prints a number with Go's %v and reads that: 1 is v1, 1.2 is v1.2, 1e6 is no version. */
  @ParameterizedTest(name = "{0} {1} {2} -> {3}")
  @CsvSource({
    "1, =, 1.0.0, true",
    "1.2, =, 1.2.0, true",
    "2, >, 1.1, true",
    "1, >, 1.1, false",
    "123456, =, 123456.0.0, true",
    "1000000, >=, 0.0.0, false",
    "-1, <, 0.0.0, false",
  })
  void numbersAreVersionsAsGoPrintsThem(double actual, String op, String target, boolean expected) {
    String expression =
        "{\"sem_ver\": [{\"var\": \"version\"}, \"%s\", \"%s\"]}".formatted(op, target);
    EvaluationContext ctx = EvaluationContext.builder().put("version", actual).build();
    assertThat(holds(expression, ctx)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({"V1.0.0", "v1.0.0", "1.0.0"})
  void aCapitalVPrefixIsAsALowerCaseOne(String version) {
    EvaluationContext ctx = EvaluationContext.builder().put("version", version).build();
    assertThat(holds("{\"sem_ver\": [{\"var\": \"version\"}, \"=\", \"V1.0.0\"]}", ctx)).isTrue();
  }
}
