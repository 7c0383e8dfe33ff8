package dev.sluice.api.openapi;

import com.fasterxml.jackson.annotation.JsonView;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.introspect.AnnotatedMethod;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.api.common.ErrorBody;
import io.swagger.v3.core.converter.AnnotatedType;
import io.swagger.v3.core.converter.ModelConverter;
import io.swagger.v3.core.converter.ModelConverterContext;
import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.core.converter.ResolvedSchema;
import io.swagger.v3.core.jackson.ModelResolver;
import io.swagger.v3.core.jackson.TypeNameResolver;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.jaxrs2.Reader;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.integration.SwaggerConfiguration;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.ExternalDocumentation;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.parameters.RequestBody;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import io.swagger.v3.oas.models.tags.Tag;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Configuration;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The OpenAPI document of the resources registered in the application: swagger-core reads their
 * JAX-RS annotations and Java types; {@link Operations} adds what the types do not say (the answers
 * of methods that return a {@code Response}, the bodies read by hand) and the errors each operation
 * can answer, all in the one {@link ErrorBody} shape.
 */
public final class OpenApiDocument {

  /** The API's version (its paths are {@code /api/v1/…}), not the build's. */
  static final String API_VERSION = "1";

  static final String BEARER = "bearer";

  /** The description of a schema that takes any JSON value ({@link AnyJson}). */
  static final String ANY_JSON = "any JSON value";

  private static final String RESOURCE_PACKAGE = "dev.sluice.api.";

  /** One tag per resource package, described here. */
  static final Map<String, String> TAGS =
      Map.of(
          "services",
              "Services: fleet, router, deployer, health check; history and circuit breaker",
          "deployments",
              "Deployments: start, watch, control (pause, resume, abort, promote, retry)",
          "audit", "Who changed what, newest first",
          "analysis", "The canary judge on recorded series; nothing is stored",
          "flags", "Feature flags in flagd's format, their versions and durable rollouts",
          "migrations", "Expand-contract schema migrations and dual-write migrations",
          "releases",
              "Releases: migration, deployment, flag rollout, gate and contract in one call",
          "openapi", "This document",
          "dashboard", "The web dashboard's page and scripts: no data, no token needed");

  private OpenApiDocument() {}

  /**
   * The resource classes registered in {@code jersey} (classes and instances with {@code @Path}).
   */
  public static Set<Class<?>> resources(Configuration jersey) {
    Set<Class<?>> resources = new TreeSet<>(Comparator.comparing(Class::getName));
    for (Class<?> c : jersey.getClasses()) {
      if (c.isAnnotationPresent(Path.class)) {
        resources.add(c);
      }
    }
    for (Object o : jersey.getInstances()) {
      if (o.getClass().isAnnotationPresent(Path.class)) {
        resources.add(o.getClass());
      }
    }
    return resources;
  }

  /** The document, pretty-printed with its keys sorted, as {@code docs/openapi.json} holds it. */
  public static String json(Set<Class<?>> resources) {
    JsonNode tree = Json.mapper().valueToTree(build(resources));
    try {
      return Json.pretty().writeValueAsString(sorted(tree)) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the OpenAPI document cannot be written", e);
    }
  }

  /** The document of {@code resources}. */
  public static OpenAPI build(Set<Class<?>> resources) {
    NamedSchemas.install();
    Map<Operation, Method> origins = new IdentityHashMap<>();
    OpenAPI base =
        new OpenAPI()
            .info(
                new Info()
                    .title("Sluice API")
                    .version(API_VERSION)
                    .description(
                        "Durable deployment pipelines on Temporal. Every body is JSON and every"
                            + " error is an ErrorBody, including Jersey's and Jetty's own (an"
                            + " unknown path, a wrong method or media type). docs/api.md tells"
                            + " the rest."))
            .components(new Components())
            .addSecurityItem(new SecurityRequirement().addList(BEARER));
    base.getComponents()
        .addSecuritySchemes(
            BEARER,
            new SecurityScheme()
                .type(SecurityScheme.Type.HTTP)
                .scheme("bearer")
                .description(
                    "Authorization: Bearer <token>, required for every call when the server has"
                        + " auth.tokens configured (401 without a valid one). A server without"
                        + " tokens is open and takes the actor from X-Sluice-Actor."));
    Reader reader = new OriginReader(origins);
    reader.setConfiguration(
        new SwaggerConfiguration().openAPI(base).defaultResponseCode("200").prettyPrint(true));
    OpenAPI api = reader.read(new LinkedHashSet<>(resources));
    distinctOperationIds(api);
    Operations.apply(api, origins);
    List<Tag> tags = new ArrayList<>();
    for (String name : new TreeSet<>(usedTags(api))) {
      tags.add(new Tag().name(name).description(TAGS.get(name)));
    }
    api.setTags(tags);
    return api;
  }

  /**
   * Operation ids are {@code Resource.method}; an overloaded method's ({@code
   * FlagsResource.rollout} is a GET and a POST) get their HTTP method appended, {@code
   * FlagsResource.rollout.post}.
   */
  private static void distinctOperationIds(OpenAPI api) {
    Map<String, Integer> uses = new HashMap<>();
    api.getPaths()
        .values()
        .forEach(
            item ->
                item.readOperations()
                    .forEach(op -> uses.merge(op.getOperationId(), 1, Integer::sum)));
    Set<String> seen = new HashSet<>();
    api.getPaths()
        .values()
        .forEach(
            item ->
                item.readOperationsMap()
                    .forEach(
                        (verb, op) -> {
                          if (uses.get(op.getOperationId()) > 1) {
                            op.setOperationId(
                                op.getOperationId() + "." + verb.name().toLowerCase(Locale.ROOT));
                          }
                          if (!seen.add(op.getOperationId())) {
                            throw new IllegalStateException(
                                "two operations are " + op.getOperationId());
                          }
                        }));
  }

  private static Set<String> usedTags(OpenAPI api) {
    Set<String> used = new TreeSet<>();
    api.getPaths()
        .values()
        .forEach(item -> item.readOperations().forEach(op -> used.addAll(op.getTags())));
    return used;
  }

  /** The tag of a resource: its package under {@code dev.sluice.api}. */
  static String tag(Class<?> resource) {
    String pkg = resource.getPackageName();
    return pkg.startsWith(RESOURCE_PACKAGE) ? pkg.substring(RESOURCE_PACKAGE.length()) : pkg;
  }

  /** The schema of {@code type}, its referenced schemas added to {@code components}. */
  static Schema<?> schema(Class<?> type, Components components) {
    ResolvedSchema resolved =
        ModelConverters.getInstance()
            .resolveAsResolvedSchema(new AnnotatedType(type).resolveAsRef(true));
    resolved.referencedSchemas.forEach(components::addSchemas);
    return resolved.schema;
  }

  static Content json(Schema<?> schema) {
    return new Content().addMediaType("application/json", new MediaType().schema(schema));
  }

  /** Sorted object keys, recursively, so the checked-in file diffs line by line. */
  private static JsonNode sorted(JsonNode node) {
    if (node instanceof ObjectNode object) {
      Map<String, JsonNode> fields = new TreeMap<>();
      object.properties().forEach(e -> fields.put(e.getKey(), sorted(e.getValue())));
      if (fields.size() == 2 && ANY_JSON.equals(object.path("description").asText())) {
        // swagger types every schema it is given; this one has no type, so that any value fits.
        fields.remove("type");
      }
      ObjectNode copy = object.objectNode();
      fields.forEach(copy::set);
      return copy;
    }
    if (node instanceof ArrayNode array) {
      ArrayNode copy = array.arrayNode();
      array.forEach(element -> copy.add(sorted(element)));
      return copy;
    }
    return node;
  }

  /** swagger's reader, remembering which Java method each operation was read from. */
  private static final class OriginReader extends Reader {
    private final Map<Operation, Method> origins;

    OriginReader(Map<Operation, Method> origins) {
      this.origins = origins;
    }

    @Override
    protected Operation parseMethod(
        Class<?> cls,
        Method method,
        List<Parameter> globalParameters,
        Produces classProduces,
        Produces methodProduces,
        Consumes classConsumes,
        Consumes methodConsumes,
        List<SecurityRequirement> classSecurityRequirements,
        Optional<ExternalDocumentation> classExternalDocs,
        Set<String> classTags,
        List<Server> classServers,
        boolean isSubresource,
        RequestBody parentRequestBody,
        ApiResponses parentResponses,
        JsonView jsonViewAnnotation,
        ApiResponse[] classResponses,
        AnnotatedMethod annotatedMethod) {
      Operation operation =
          super.parseMethod(
              cls,
              method,
              globalParameters,
              classProduces,
              methodProduces,
              classConsumes,
              methodConsumes,
              classSecurityRequirements,
              classExternalDocs,
              classTags,
              classServers,
              isSubresource,
              parentRequestBody,
              parentResponses,
              jsonViewAnnotation,
              classResponses,
              annotatedMethod);
      Class<?> resource = method.getDeclaringClass();
      operation.setOperationId(resource.getSimpleName() + "." + method.getName());
      operation.setTags(List.of(tag(resource)));
      origins.put(operation, method);
      return operation;
    }
  }

  /**
   * Schema names that cannot collide: a nested type is named with its enclosing types ({@code
   * FlagRolloutWorkflow.Status}, not {@code Status}); two types of one name fail loudly instead of
   * one silently replacing the other.
   */
  static final class NamedSchemas extends TypeNameResolver {
    private static final Object LOCK = new Object();
    private static boolean installed;
    private final Map<String, Class<?>> taken = new HashMap<>();

    static void install() {
      synchronized (LOCK) {
        if (!installed) {
          ModelConverters.getInstance()
              .addConverter(new ModelResolver(Json.mapper(), new NamedSchemas()));
          // In front of the resolver: it would call these {"type": "object"}.
          ModelConverters.getInstance().addConverter(new AnyJson());
          installed = true;
        }
      }
    }

    @Override
    protected String getNameOfClass(Class<?> cls) {
      String name = cls.getSimpleName();
      for (Class<?> outer = cls.getEnclosingClass();
          outer != null;
          outer = outer.getEnclosingClass()) {
        name = outer.getSimpleName() + "." + name;
      }
      synchronized (taken) {
        Class<?> other = taken.putIfAbsent(name, cls);
        if (other != null && other != cls) {
          throw new IllegalStateException(
              "two body types are both named "
                  + name
                  + ": "
                  + other
                  + " and "
                  + cls
                  + "; rename one of them");
        }
      }
      return name;
    }
  }

  /**
   * A field of type {@code Object} or {@code JsonNode} takes any JSON value (a batch size is {@code
   * 2} or {@code "25%"}, a flag's value a string, number, boolean or object): a schema without a
   * type.
   */
  static final class AnyJson implements ModelConverter {
    @Override
    public Schema<?> resolve(
        AnnotatedType type, ModelConverterContext context, Iterator<ModelConverter> chain) {
      Class<?> raw = Json.mapper().constructType(type.getType()).getRawClass();
      if (ObjectNode.class.isAssignableFrom(raw)) {
        return new ObjectSchema();
      }
      if (raw == Object.class || JsonNode.class.isAssignableFrom(raw)) {
        return new Schema<>().description(ANY_JSON);
      }
      return chain.hasNext() ? chain.next().resolve(type, context, chain) : null;
    }
  }
}
