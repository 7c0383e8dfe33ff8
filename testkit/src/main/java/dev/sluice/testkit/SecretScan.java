package dev.sluice.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryResponse;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsResponse;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsResponse;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse;
import io.temporal.api.workflowservice.v1.WorkflowServiceGrpc.WorkflowServiceBlockingStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Looks for secret values everywhere Sluice keeps or writes anything: every workflow's history,
 * memo and search attributes on a Temporal server, every row of every ledger table, and log files.
 * A scan that found nothing must also show it looked at the right data, so it requires a probe
 * (e.g. the deployment's id) to turn up in Temporal and in the ledger, and every log to be
 * non-empty.
 */
public final class SecretScan {

  /**
   * Where to look.
   *
   * @param temporalAddress {@code host:port} of the Temporal frontend
   * @param jdbcUrl the ledger; for H2 an {@code AUTO_SERVER} URL, so the scan can join the server
   */
  public record Sources(
      String temporalAddress,
      String namespace,
      String jdbcUrl,
      String user,
      String password,
      List<Path> logs) {

    /** A {@link LocalStack}'s Temporal, H2 ledger and server log, and the given logs. */
    public static Sources of(LocalStack stack, Path... logs) {
      List<Path> all = new ArrayList<>(List.of(logs));
      all.add(stack.serverLog());
      return new Sources(
          stack.temporalAddress(), "default", stack.ledgerUrl(), "sa", "", List.copyOf(all));
    }
  }

  private final Sources sources;
  private final Map<String, byte[]> secrets = new LinkedHashMap<>();
  private final List<String> found = new ArrayList<>();
  private boolean probeInTemporal;
  private boolean probeInLedger;
  private final String probe;

  private SecretScan(Sources sources, List<String> secrets, String probe) {
    this.sources = sources;
    this.probe = probe;
    secrets.forEach(s -> this.secrets.put(s, s.getBytes(UTF_8)));
  }

  /**
   * Fails, naming each place, if any of {@code secrets} appears anywhere in {@code sources}; fails
   * too if {@code probe} appears in none of Temporal's workflows or none of the ledger's rows, or a
   * log is missing or empty (a scan of nothing proves nothing).
   */
  public static void assertNoneOf(List<String> secrets, String probe, Sources sources)
      throws Exception {
    for (String secret : secrets) {
      if (secret.length() < 8) {
        throw new IllegalArgumentException("a secret this short would match by chance: " + secret);
      }
    }
    SecretScan scan = new SecretScan(sources, secrets, probe);
    scan.temporal();
    scan.ledger();
    scan.logs();
    List<String> problems = new ArrayList<>(scan.found);
    if (!scan.probeInTemporal) {
      problems.add("the probe " + probe + " is in no workflow: the scan saw the wrong server");
    }
    if (!scan.probeInLedger) {
      problems.add("the probe " + probe + " is in no ledger row: the scan saw the wrong database");
    }
    if (!problems.isEmpty()) {
      throw new AssertionError("secret scan:\n  " + String.join("\n  ", problems));
    }
  }

  private void temporal() {
    WorkflowServiceStubs stubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(sources.temporalAddress()).build());
    try {
      WorkflowServiceBlockingStub rpc = stubs.blockingStub();
      for (WorkflowExecutionInfo info : executions(rpc)) {
        WorkflowExecution execution = info.getExecution();
        String name = "workflow " + execution.getWorkflowId() + "/" + execution.getRunId();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ByteString page = ByteString.EMPTY;
        do {
          GetWorkflowExecutionHistoryResponse history =
              rpc.getWorkflowExecutionHistory(
                  GetWorkflowExecutionHistoryRequest.newBuilder()
                      .setNamespace(sources.namespace())
                      .setExecution(execution)
                      .setNextPageToken(page)
                      .build());
          bytes.writeBytes(history.getHistory().toByteArray());
          page = history.getNextPageToken();
        } while (!page.isEmpty());
        WorkflowExecutionInfo described =
            rpc.describeWorkflowExecution(
                    DescribeWorkflowExecutionRequest.newBuilder()
                        .setNamespace(sources.namespace())
                        .setExecution(execution)
                        .build())
                .getWorkflowExecutionInfo();
        bytes.writeBytes(described.getMemo().toByteArray());
        bytes.writeBytes(described.getSearchAttributes().toByteArray());
        byte[] all = bytes.toByteArray();
        check(name + " (history, memo or search attributes)", all);
        probeInTemporal |= contains(all, probe.getBytes(UTF_8));
      }
    } finally {
      stubs.shutdownNow();
    }
  }

  /**
   * Every workflow, open or closed: by visibility's list, or where it has none (the test server),
   * open and closed.
   */
  private List<WorkflowExecutionInfo> executions(WorkflowServiceBlockingStub rpc) {
    List<WorkflowExecutionInfo> all = new ArrayList<>();
    try {
      ByteString page = ByteString.EMPTY;
      do {
        ListWorkflowExecutionsResponse list =
            rpc.listWorkflowExecutions(
                ListWorkflowExecutionsRequest.newBuilder()
                    .setNamespace(sources.namespace())
                    .setNextPageToken(page)
                    .build());
        all.addAll(list.getExecutionsList());
        page = list.getNextPageToken();
      } while (!page.isEmpty());
      return all;
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.UNIMPLEMENTED) {
        throw e;
      }
    }
    ByteString page = ByteString.EMPTY;
    do {
      ListOpenWorkflowExecutionsResponse open =
          rpc.listOpenWorkflowExecutions(
              ListOpenWorkflowExecutionsRequest.newBuilder()
                  .setNamespace(sources.namespace())
                  .setNextPageToken(page)
                  .build());
      all.addAll(open.getExecutionsList());
      page = open.getNextPageToken();
    } while (!page.isEmpty());
    do {
      ListClosedWorkflowExecutionsResponse closed =
          rpc.listClosedWorkflowExecutions(
              ListClosedWorkflowExecutionsRequest.newBuilder()
                  .setNamespace(sources.namespace())
                  .setNextPageToken(page)
                  .build());
      all.addAll(closed.getExecutionsList());
      page = closed.getNextPageToken();
    } while (!page.isEmpty());
    return all;
  }

  private void ledger() throws SQLException {
    try (Connection c =
        DriverManager.getConnection(sources.jdbcUrl(), sources.user(), sources.password())) {
      DatabaseMetaData meta = c.getMetaData();
      List<String> tables = new ArrayList<>();
      try (ResultSet rs = meta.getTables(null, null, "%", new String[] {"TABLE"})) {
        while (rs.next()) {
          String schema = rs.getString("TABLE_SCHEM");
          if (schema != null
              && (schema.equalsIgnoreCase("INFORMATION_SCHEMA")
                  || schema.equalsIgnoreCase("pg_catalog"))) {
            continue;
          }
          String table = rs.getString("TABLE_NAME");
          tables.add(schema == null ? quote(table) : quote(schema) + "." + quote(table));
        }
      }
      if (tables.isEmpty()) {
        throw new AssertionError("the ledger at " + sources.jdbcUrl() + " has no tables");
      }
      for (String table : tables) {
        try (Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("SELECT * FROM " + table)) {
          int columns = rs.getMetaData().getColumnCount();
          for (long row = 1; rs.next(); row++) {
            for (int i = 1; i <= columns; i++) {
              String value = rs.getString(i);
              if (value == null) {
                continue;
              }
              String where =
                  "ledger " + table + " row " + row + " " + rs.getMetaData().getColumnName(i);
              check(where, value.getBytes(UTF_8));
              probeInLedger |= value.contains(probe);
            }
          }
        }
      }
    }
  }

  private static String quote(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  private void logs() throws IOException {
    for (Path log : sources.logs()) {
      if (!Files.isRegularFile(log) || Files.size(log) == 0) {
        found.add("the log " + log + " is missing or empty: nothing to scan");
        continue;
      }
      check("log " + log, Files.readAllBytes(log));
    }
  }

  private void check(String where, byte[] bytes) {
    secrets.forEach(
        (secret, needle) -> {
          if (contains(bytes, needle)) {
            found.add(where + " holds the secret " + mask(secret));
          }
        });
  }

  /** The first and last two characters, so a failure names which secret without printing it. */
  private static String mask(String secret) {
    return secret.substring(0, 2) + "…" + secret.substring(secret.length() - 2);
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    int last = haystack.length - needle.length;
    outer:
    for (int i = 0; i <= last; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
