package dev.sluice.bench;

import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsResponse;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsResponse;
import io.temporal.api.workflowservice.v1.WorkflowServiceGrpc;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * What the ledger and Temporal hold at one moment: every row of every ledger table, and every
 * workflow execution with its status and history length. Two snapshots compared tell whether
 * anything changed between them.
 *
 * @param rows each table's rows, each row its columns' values joined, sorted
 * @param workflows {@code workflowId/runId} → status and number of history events
 */
record StateSnapshot(Map<String, List<String>> rows, Map<String, String> workflows) {

  /** What differs from {@code later}, one line per row or workflow; empty when nothing does. */
  List<String> differences(StateSnapshot later) {
    List<String> out = new ArrayList<>();
    Map<String, List<String>> tables = new TreeMap<>(rows);
    later.rows.keySet().forEach(t -> tables.putIfAbsent(t, List.of()));
    for (String table : tables.keySet()) {
      List<String> before = rows.getOrDefault(table, List.of());
      List<String> after = later.rows.getOrDefault(table, List.of());
      if (before.equals(after)) {
        continue;
      }
      Map<String, Integer> count = new HashMap<>();
      before.forEach(r -> count.merge(r, -1, Integer::sum));
      after.forEach(r -> count.merge(r, 1, Integer::sum));
      count.forEach(
          (row, n) -> {
            if (n != 0) {
              out.add(table + (n > 0 ? " +" : " -") + row);
            }
          });
    }
    Map<String, String> all = new TreeMap<>(workflows);
    later.workflows.forEach(all::putIfAbsent);
    for (String id : all.keySet()) {
      String before = workflows.get(id);
      String after = later.workflows.get(id);
      if (!Objects.equals(before, after)) {
        out.add("workflow " + id + ": " + before + " → " + after);
      }
    }
    return out;
  }

  /** Takes snapshots of one stack's ledger (by JDBC) and Temporal namespace (by gRPC). */
  static final class Reader implements AutoCloseable {
    private final Connection ledger;
    private final WorkflowServiceStubs temporal;
    private final String namespace;

    Reader(String ledgerUrl, String temporalAddress, String namespace) throws SQLException {
      this.ledger = DriverManager.getConnection(ledgerUrl, "sa", "");
      this.temporal =
          WorkflowServiceStubs.newServiceStubs(
              WorkflowServiceStubsOptions.newBuilder().setTarget(temporalAddress).build());
      this.namespace = namespace;
    }

    StateSnapshot take() throws SQLException {
      return new StateSnapshot(ledgerRows(), workflows());
    }

    private Map<String, List<String>> ledgerRows() throws SQLException {
      List<String> tables = new ArrayList<>();
      try (ResultSet rs =
          ledger.getMetaData().getTables(null, "PUBLIC", "%", new String[] {"TABLE"})) {
        while (rs.next()) {
          tables.add(rs.getString("TABLE_NAME"));
        }
      }
      Map<String, List<String>> out = new TreeMap<>();
      try (Statement statement = ledger.createStatement()) {
        for (String table : tables) {
          List<String> rows = new ArrayList<>();
          try (ResultSet rs = statement.executeQuery("SELECT * FROM \"" + table + "\"")) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
              StringBuilder row = new StringBuilder();
              for (int c = 1; c <= columns; c++) {
                row.append(c == 1 ? "" : "|").append(rs.getString(c));
              }
              rows.add(row.toString());
            }
          }
          rows.sort(null);
          out.put(table, rows);
        }
      }
      return out;
    }

    /**
     * Open and closed executions. The list calls, not ListWorkflowExecutions: a dev server limits
     * that to a few calls a second, and the embedded server answers only these.
     */
    private Map<String, String> workflows() {
      Map<String, String> out = new TreeMap<>();
      ListOpenWorkflowExecutionsResponse open = null;
      do {
        ListOpenWorkflowExecutionsRequest.Builder request =
            ListOpenWorkflowExecutionsRequest.newBuilder()
                .setNamespace(namespace)
                .setMaximumPageSize(1000);
        if (open != null) {
          request.setNextPageToken(open.getNextPageToken());
        }
        open = stub().listOpenWorkflowExecutions(request.build());
        for (WorkflowExecutionInfo info : open.getExecutionsList()) {
          put(out, info, historyLength(info.getExecution()));
        }
      } while (!open.getNextPageToken().isEmpty());
      ListClosedWorkflowExecutionsResponse closed = null;
      do {
        ListClosedWorkflowExecutionsRequest.Builder request =
            ListClosedWorkflowExecutionsRequest.newBuilder()
                .setNamespace(namespace)
                .setMaximumPageSize(1000);
        if (closed != null) {
          request.setNextPageToken(closed.getNextPageToken());
        }
        closed = stub().listClosedWorkflowExecutions(request.build());
        for (WorkflowExecutionInfo info : closed.getExecutionsList()) {
          put(out, info, info.getHistoryLength());
        }
      } while (!closed.getNextPageToken().isEmpty());
      return out;
    }

    private static void put(Map<String, String> out, WorkflowExecutionInfo info, long events) {
      out.put(
          info.getExecution().getWorkflowId() + "/" + info.getExecution().getRunId(),
          info.getStatus() + " events=" + events);
    }

    private WorkflowServiceGrpc.WorkflowServiceBlockingStub stub() {
      return temporal.blockingStub().withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    /** The list's history length lags for open workflows; describe has the live one. */
    private long historyLength(WorkflowExecution execution) {
      return stub()
          .describeWorkflowExecution(
              DescribeWorkflowExecutionRequest.newBuilder()
                  .setNamespace(namespace)
                  .setExecution(execution)
                  .build())
          .getWorkflowExecutionInfo()
          .getHistoryLength();
    }

    @Override
    public void close() throws SQLException {
      temporal.shutdownNow();
      ledger.close();
    }
  }
}
