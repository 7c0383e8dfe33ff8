package dev.sluice.activities.migrations;

import dev.sluice.model.MigrationOperation;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The types of operation a migration spec names, each by the string it is written with ({@code
 * rename_column}). Those strings are the wire format — API bodies, and the workflow inputs recorded
 * in Temporal histories — so a constant's string never changes, and {@link
 * MigrationOperation#type()} stays a string: a spec naming a type that does not exist still reads,
 * and {@link SpecCheck} answers it naming the field.
 */
public enum OperationType {
  ADD_COLUMN("add_column"),
  RENAME_COLUMN("rename_column"),
  CHANGE_TYPE("change_type"),
  ADD_NOT_NULL("add_not_null"),
  CREATE_INDEX("create_index"),
  CREATE_TABLE("create_table"),
  DROP_COLUMN("drop_column");

  private static final Map<String, OperationType> BY_WIRE =
      Arrays.stream(values()).collect(Collectors.toMap(t -> t.wire, Function.identity()));

  private final String wire;

  OperationType(String wire) {
    this.wire = wire;
  }

  /** The string a spec names this type with. */
  public String wire() {
    return wire;
  }

  /** Every type's string. */
  static Set<String> wires() {
    return Arrays.stream(values()).map(OperationType::wire).collect(Collectors.toUnmodifiableSet());
  }

  /**
   * The type a spec names {@code wire} (exactly, case included); empty for null or no such type.
   */
  public static Optional<OperationType> from(String wire) {
    return wire == null ? Optional.empty() : Optional.ofNullable(BY_WIRE.get(wire));
  }
}
