package dev.sluice.api.openapi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.api.auth.PublicResource;
import dev.sluice.api.auth.Tokens;
import dev.sluice.api.common.ErrorBody;
import dev.sluice.api.deployments.ControlBody;
import dev.sluice.api.deployments.ControlView;
import dev.sluice.api.deployments.DeploymentView;
import dev.sluice.api.deployments.RollbackBody;
import dev.sluice.api.deployments.RollbackView;
import dev.sluice.api.flags.FlagView;
import dev.sluice.api.releases.ReleaseView;
import dev.sluice.api.services.ServiceView;
import dev.sluice.workflows.flags.FlagRolloutWorkflow;
import dev.sluice.workflows.migrations.DualWriteMigrationWorkflow;
import dev.sluice.workflows.migrations.SchemaMigrationWorkflow;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.media.ComposedSchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.RequestBody;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What the Java signatures do not say, one line per operation: the errors it can answer beyond the
 * ones every operation can (below), the answers of methods that return a {@code Response} or an
 * {@code Object}, and bodies the resource reads by hand. Every operation must have a line, so a new
 * endpoint cannot be left undescribed; {@code OpenApiTest} fails until it has one.
 *
 * <p>Every operation can answer 400 (a bad query parameter, header or {@code X-Sluice-Actor}), 401
 * (a server with tokens, without a valid one; not a {@link PublicResource}) and 500 (a bug, logged
 * with the id the body gives); every operation that takes a body also 400 for unreadable JSON and
 * 413 for one over {@code limits.maxBodyBytes}.
 */
final class Operations {

  private Operations() {}

  /** The error statuses, in the order a client meets them, with what each means here. */
  static final Map<Integer, String> ERRORS = errors();

  private static Map<Integer, String> errors() {
    Map<Integer, String> e = new LinkedHashMap<>();
    e.put(
        400,
        "The request cannot be read: malformed JSON, an unknown field, a value of the wrong type,"
            + " a bad query parameter or header; `field` names it");
    e.put(401, "A server with API tokens needs Authorization: Bearer <token>");
    e.put(
        403,
        "The token's role does not include the one this needs (the message names both), or the"
            + " token is limited to other services");
    e.put(404, "No such service, deployment, flag, release, migration or action");
    e.put(
        409,
        "Refused in the current state: a deployment in progress (details.deploymentId), a control"
            + " the workflow refuses, a flag that exists, a run already running");
    e.put(412, "If-Match names another version than the flag's current one (details.version)");
    e.put(413, "The request body is over limits.maxBodyBytes");
    e.put(422, "Read but invalid: `errors` lists every bad field");
    e.put(
        503,
        "Temporal, a worker or a fleet source did not answer in time; nothing was recorded unless"
            + " the message says so");
    e.put(500, "A bug, logged with the id in details.errorId");
    return e;
  }

  /** Components key of the shared response for {@code status}, e.g. {@code Error404}. */
  static String errorRef(int status) {
    return "Error" + status;
  }

  private static final Map<String, Line> TABLE = table();

  private static Map<String, Line> table() {
    List<Line> lines =
        List.of(
            // services
            line("GET /api/v1/services"),
            line("PUT /api/v1/services/{name}")
                .answer(201, "Created", ServiceView.class)
                .answer(200, "Replaced", ServiceView.class)
                .errors(422),
            line("GET /api/v1/services/{name}").errors(404),
            line("GET /api/v1/services/{name}/history").errors(404),
            line("GET /api/v1/services/{name}/{file}").errors(404, 422, 503),
            line("GET /api/v1/services/{name}/fleet").errors(404, 422, 503),
            line("GET /api/v1/services/{name}/circuit").errors(404),
            line("POST /api/v1/services/{name}/circuit/reset").errors(404),
            line("POST /api/v1/services/{name}/rollback")
                .body(RollbackBody.class)
                .answer(
                    202,
                    "A switch back or a deployment of the previous version",
                    RollbackView.class)
                .errors(404, 409, 422, 503),
            // deployments
            line("POST /api/v1/deployments")
                .answer(
                    202,
                    "Started, or replayed for a repeated Idempotency-Key",
                    DeploymentView.class)
                .header(202, "Location", "The deployment's address")
                .header(202, "Idempotent-Replayed", "true when an earlier request started it")
                .errors(409, 422, 503),
            line("GET /api/v1/deployments"),
            line("GET /api/v1/deployments/{id}").errors(404),
            line("GET /api/v1/deployments/{id}/analysis").errors(404),
            line("GET /api/v1/deployments/{id}/controls/{controlId}").errors(404, 503),
            line("POST /api/v1/deployments/{id}/{action}")
                .body(ControlBody.class)
                .answer(202, "Accepted by the workflow, or pending a worker", ControlView.class)
                .errors(404, 409, 422, 503),
            line("GET /api/v1/audit"),
            // tokens
            line("GET /api/v1/tokens"),
            line("POST /api/v1/tokens")
                .answer(201, "Created; the secret is shown this once", Tokens.Created.class)
                .errors(409),
            line("DELETE /api/v1/tokens/{name}").errors(404, 409),
            line("POST /api/v1/analysis/judge"),
            // Temporal's codec protocol: encrypted payloads in and out
            line("POST /api/v1/codec/decode").errors(422),
            line("POST /api/v1/codec/encode").errors(422),
            line("POST /api/v1/codec/session")
                .answer(204, "The session cookie set (none is needed on an API without tokens)"),
            line("DELETE /api/v1/codec/session").answer(204, "The session cookie cleared"),
            // flags
            line("GET /api/v1/flags"),
            line("POST /api/v1/flags")
                .answer(201, "Created", FlagView.class)
                .header(201, "ETag", "The flag's version")
                .errors(409),
            line("GET /api/v1/flags/snapshot")
                .answer(200, "Every flag as one flagd document", ObjectNode.class)
                .header(200, "ETag", "The flag set's revision")
                .answer(304, "Unchanged since the revision in If-None-Match"),
            line("GET /api/v1/flags/stale"),
            line("GET /api/v1/flags/{key}")
                .answer(200, "The flag", FlagView.class)
                .header(200, "ETag", "The flag's version")
                .errors(404),
            line("PUT /api/v1/flags/{key}")
                .answer(200, "Changed", FlagView.class)
                .header(200, "ETag", "The flag's new version")
                .errors(404, 412),
            line("DELETE /api/v1/flags/{key}").errors(404, 412),
            line("POST /api/v1/flags/{key}/disable").errors(404, 412),
            line("POST /api/v1/flags/{key}/enable").errors(404, 412),
            line("POST /api/v1/flags/{key}/rollout").errors(404, 412),
            line("POST /api/v1/flags/{key}/rules").errors(404, 412),
            line("DELETE /api/v1/flags/{key}/rules/{index}").errors(404, 412),
            line("GET /api/v1/flags/{key}/versions").errors(404),
            line("POST /api/v1/flags/{key}/versions/{version}/restore").errors(404, 412),
            line("POST /api/v1/flags/{key}/evaluate").errors(404),
            line("POST /api/v1/flags/{key}/rollouts")
                .answer(202, "Started", FlagRolloutWorkflow.Status.class)
                .errors(404, 409, 503),
            line("GET /api/v1/flags/{key}/rollouts/current").errors(404, 503),
            line("POST /api/v1/flags/{key}/rollouts/current/{action}")
                .answer(
                    200,
                    "Where the rollout stands now, or the signal sent",
                    FlagRolloutWorkflow.Status.class,
                    SignalSent.class)
                .errors(404, 409, 503),
            // migrations
            line("GET /api/v1/migrations").errors(503),
            line("POST /api/v1/migrations")
                .answer(202, "Started", SchemaMigrationWorkflow.Status.class)
                .header(202, "Location", "The migration's address")
                .errors(409, 503),
            line("GET /api/v1/migrations/{datasource}").errors(404, 503),
            line("POST /api/v1/migrations/{datasource}/{action}")
                .answer(
                    202,
                    "Where the migration stands now, or the signal sent",
                    SchemaMigrationWorkflow.Status.class,
                    SignalSent.class)
                .errors(404, 409, 503),
            line("GET /api/v1/dual-writes").errors(503),
            line("POST /api/v1/dual-writes")
                .answer(202, "Started", DualWriteMigrationWorkflow.Status.class)
                .header(202, "Location", "The migration's address")
                .errors(409, 422, 503),
            line("GET /api/v1/dual-writes/{name}").errors(404, 503),
            line("POST /api/v1/dual-writes/{name}/{action}")
                .answer(
                    202,
                    "Where the migration stands now, or the signal sent",
                    DualWriteMigrationWorkflow.Status.class,
                    SignalSent.class)
                .errors(404, 409, 503),
            // releases
            // states it cannot learn are shown as unanswered, not refused
            line("GET /api/v1/releases"),
            line("POST /api/v1/releases")
                .answer(
                    202, "Started, or replayed for a repeated Idempotency-Key", ReleaseView.class)
                .header(202, "Location", "The release's address")
                .header(202, "Idempotent-Replayed", "true when an earlier request started it")
                .errors(404, 409, 422, 503),
            line("GET /api/v1/releases/{id}").errors(404, 503),
            line("POST /api/v1/releases/{id}/{action}")
                .answer(
                    202,
                    "Where the release stands now, or the signal sent",
                    ReleaseView.class,
                    SignalSent.class)
                .errors(404, 409, 503),
            // the dashboard: files, no data, no token
            line("GET /").file(200, "The dashboard's page", "text/html; charset=utf-8"),
            line("GET /dashboard/{file}")
                .file(
                    200,
                    "One of the dashboard's files",
                    "text/html; charset=utf-8",
                    "text/javascript; charset=utf-8",
                    "text/css; charset=utf-8")
                .errors(404),
            line("GET /api/openapi.json").answer(200, "This document", ObjectNode.class));
    Map<String, Line> table = new LinkedHashMap<>();
    for (Line l : lines) {
      if (table.put(l.key, l) != null) {
        throw new IllegalStateException("two lines for " + l.key);
      }
    }
    return table;
  }

  /** Applies the table to every operation of {@code api}; fails for one it has no line for. */
  static void apply(OpenAPI api, Map<Operation, Method> origins) {
    Components components = api.getComponents();
    Schema<?> error = OpenApiDocument.schema(ErrorBody.class, components);
    ERRORS.forEach(
        (status, description) ->
            components.addResponses(
                errorRef(status),
                new ApiResponse().description(description).content(OpenApiDocument.json(error))));
    List<String> missing = new ArrayList<>();
    api.getPaths()
        .forEach(
            (path, item) ->
                item.readOperationsMap()
                    .forEach(
                        (verb, operation) -> {
                          Line line = TABLE.get(verb + " " + path);
                          if (line == null) {
                            missing.add(verb + " " + path + " (" + origins.get(operation) + ")");
                          } else {
                            boolean open =
                                PublicResource.class.isAssignableFrom(
                                    origins.get(operation).getDeclaringClass());
                            line.applyTo(operation, components, open);
                          }
                        }));
    if (!missing.isEmpty()) {
      throw new IllegalStateException(
          "dev.sluice.api.openapi.Operations has no line for " + String.join(", ", missing));
    }
  }

  /** The keys of the table ({@code VERB /path}), for the test that none is stale. */
  static TreeSet<String> keys() {
    return new TreeSet<>(TABLE.keySet());
  }

  private static Line line(String key) {
    return new Line(key);
  }

  private static final class Line {
    final String key;
    final Map<Integer, ApiResponse> answers = new LinkedHashMap<>();
    final TreeSet<Integer> errors = new TreeSet<>();
    final Map<Integer, List<Class<?>>> answerTypes = new LinkedHashMap<>();
    Class<?> body;

    Line(String key) {
      this.key = key;
    }

    Line answer(int status, String description, Class<?>... types) {
      answers.put(status, new ApiResponse().description(description));
      answerTypes.put(status, types == null ? List.of() : Arrays.asList(types));
      return this;
    }

    Line file(int status, String description, String... mediaTypes) {
      Content content = new Content();
      for (String type : mediaTypes) {
        content.addMediaType(type, new MediaType().schema(new StringSchema()));
      }
      answers.put(status, new ApiResponse().description(description).content(content));
      answerTypes.put(status, List.of());
      return this;
    }

    Line header(int status, String name, String description) {
      answers
          .get(status)
          .addHeaderObject(name, new Header().description(description).schema(new StringSchema()));
      return this;
    }

    Line body(Class<?> type) {
      this.body = type;
      return this;
    }

    Line errors(int... statuses) {
      for (int s : statuses) {
        if (!ERRORS.containsKey(s)) {
          throw new IllegalArgumentException(key + ": no error " + s);
        }
        errors.add(s);
      }
      return this;
    }

    /**
     * @param open a {@link PublicResource}: served without a token even when tokens are set
     */
    void applyTo(Operation operation, Components components, boolean open) {
      if (body != null) {
        operation.setRequestBody(
            new RequestBody()
                .required(false)
                .description("Optional")
                .content(OpenApiDocument.json(OpenApiDocument.schema(body, components))));
      }
      ApiResponses responses = new ApiResponses();
      if (answers.isEmpty()) {
        operation
            .getResponses()
            .forEach((code, r) -> responses.addApiResponse(code, r.description("OK")));
      }
      answers.forEach(
          (status, response) -> {
            List<Class<?>> types = answerTypes.get(status);
            if (types.size() == 1 && types.get(0) != null) {
              response.content(
                  OpenApiDocument.json(OpenApiDocument.schema(types.get(0), components)));
            } else if (types.size() > 1) {
              ComposedSchema oneOf = new ComposedSchema();
              types.forEach(t -> oneOf.addOneOfItem(OpenApiDocument.schema(t, components)));
              response.content(OpenApiDocument.json(oneOf));
            }
            responses.addApiResponse(Integer.toString(status), response);
          });
      TreeSet<Integer> all = new TreeSet<>(errors);
      all.add(400);
      all.add(500);
      if (open) {
        operation.setSecurity(List.of());
      } else {
        all.add(401);
        all.add(403);
      }
      if (operation.getRequestBody() != null) {
        all.add(413);
      }
      for (int status : all) {
        responses.addApiResponse(
            Integer.toString(status),
            new ApiResponse().$ref("#/components/responses/" + errorRef(status)));
      }
      operation.setResponses(responses);
    }
  }
}
