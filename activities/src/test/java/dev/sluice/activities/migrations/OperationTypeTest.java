package dev.sluice.activities.migrations;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The strings specs and recorded workflow inputs name operation types with. */
class OperationTypeTest {

  @Test
  void eachTypeKeepsTheStringSpecsAreWrittenWith() {
    Map<String, OperationType> byWire =
        Arrays.stream(OperationType.values())
            .collect(Collectors.toMap(OperationType::wire, Function.identity()));
    assertThat(byWire)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "add_column", OperationType.ADD_COLUMN,
                "rename_column", OperationType.RENAME_COLUMN,
                "change_type", OperationType.CHANGE_TYPE,
                "add_not_null", OperationType.ADD_NOT_NULL,
                "create_index", OperationType.CREATE_INDEX,
                "create_table", OperationType.CREATE_TABLE,
                "drop_column", OperationType.DROP_COLUMN));
    byWire.forEach((wire, type) -> assertThat(OperationType.from(wire)).contains(type));
    assertThat(SpecCheck.TYPES).isEqualTo(byWire.keySet());
  }

  @Test
  void aStringNoTypeHasReadsAsNone() {
    assertThat(OperationType.from("rename_table")).isEmpty();
    assertThat(OperationType.from("RENAME_COLUMN"))
        .as("the constant's name is not its string")
        .isEmpty();
    assertThat(OperationType.from("Rename_Column")).isEmpty();
    assertThat(OperationType.from("")).isEmpty();
    assertThat(OperationType.from(null)).isEmpty();
  }
}
