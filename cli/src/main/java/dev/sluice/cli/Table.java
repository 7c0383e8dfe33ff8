package dev.sluice.cli;

import java.util.ArrayList;
import java.util.List;

/** Rows of cells as aligned text columns; the first row is the header. */
final class Table {

  private Table() {}

  static List<String> format(List<String[]> rows, String indent) {
    int columns = rows.stream().mapToInt(r -> r.length).max().orElse(0);
    int[] widths = new int[columns];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i] == null ? 1 : row[i].length());
      }
    }
    List<String> lines = new ArrayList<>();
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder(indent);
      for (int i = 0; i < row.length; i++) {
        String cell = row[i] == null || row[i].isEmpty() ? "-" : row[i];
        line.append(i == row.length - 1 ? cell : String.format("%-" + widths[i] + "s  ", cell));
      }
      lines.add(line.toString().stripTrailing());
    }
    return lines;
  }
}
