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
 *
 * <p>Adding an operation type is one constant here and one {@link Operation} class.
 */
public enum OperationType {
  ADD_COLUMN("add_column", new AddColumn()),
  RENAME_COLUMN("rename_column", new RenameColumn()),
  CHANGE_TYPE("change_type", new ChangeType()),
  ADD_NOT_NULL("add_not_null", new AddNotNull()),
  CREATE_INDEX("create_index", new CreateIndex()),
  CREATE_TABLE("create_table", new CreateTable()),
  DROP_COLUMN("drop_column", new DropColumn());

  private static final Map<String, OperationType> BY_WIRE =
      Arrays.stream(values()).collect(Collectors.toMap(t -> t.wire, Function.identity()));

  private final String wire;
  private final Operation operation;

  OperationType(String wire, Operation operation) {
    this.wire = wire;
    this.operation = operation;
  }

  /** The string a spec names this type with. */
  public String wire() {
    return wire;
  }

  /** What operations of this type do, phase by phase. */
  Operation operation() {
    return operation;
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
