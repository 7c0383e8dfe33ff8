package dev.sluice.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.sluice.activities.migrations.Datasources;
import dev.sluice.activities.notify.Webhook;
import dev.sluice.api.codec.ValidEncryption;
import dev.sluice.ledger.CircuitPolicy;
import dev.sluice.ledger.Ledger;
import dev.sluice.worker.TemporalSettings;
import io.dropwizard.core.Configuration;
import io.dropwizard.db.DataSourceFactory;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Sluice's YAML configuration; values may use {@code ${ENV_VAR:-default}}. */
public class SluiceConfiguration extends Configuration {

  @Valid @NotNull private DataSourceFactory database = defaultDatabase();

  @Valid @NotNull @ValidEncryption private TemporalSettings temporal = new TemporalSettings();

  @Valid @NotNull private WorkerSettings worker = new WorkerSettings();

  @Valid @NotNull private AuthSettings auth = new AuthSettings();

  @Valid @NotNull private NotificationSettings notifications = new NotificationSettings();

  @Valid @NotNull private CircuitBreakerSettings circuitBreaker = new CircuitBreakerSettings();

  /** Directory that relative paths ({@code .sluice/…}) are resolved against. */
  @Valid @NotNull private MigrationSettings migrations = new MigrationSettings();

  @NotNull private String home = ".";

  /**
   * Where people reach Sluice (the dashboard at {@code /}, the API at {@code /api/v1}), for the
   * links in notifications; unset: the API's own address.
   */
  @Pattern(regexp = "https?://[^\\s/?#]+(/[^\\s?#]*)?", message = "must be an http(s) URL")
  private String publicUrl;

  @JsonProperty
  public String getPublicUrl() {
    return publicUrl;
  }

  @JsonProperty
  public void setPublicUrl(String publicUrl) {
    this.publicUrl = publicUrl;
  }

  /** The embedded default: an H2 file under .sluice/, shared by the API and a local worker. */
  static DataSourceFactory defaultDatabase() {
    DataSourceFactory factory = new DataSourceFactory();
    factory.setDriverClass("org.h2.Driver");
    factory.setUrl(
        "jdbc:h2:file:./.sluice/ledger;AUTO_SERVER=TRUE;LOCK_TIMEOUT=10000;WRITE_DELAY=0");
    factory.setUser("sa");
    factory.setPassword("");
    factory.setValidationQuery("SELECT 1");
    return factory;
  }

  private LimitSettings limits = new LimitSettings();

  @JsonProperty
  public LimitSettings getLimits() {
    return limits;
  }

  @JsonProperty
  public void setLimits(LimitSettings limits) {
    this.limits = limits;
  }

  /**
   * Request limits: a body over {@code maxBodyBytes} is refused with 413 before it is read. The
   * default, 10 MiB, holds a service of 10,000 targets several times over. While a body is read, a
   * list with more than {@code maxItems} elements (or an object with more fields) and a string
   * longer than {@code maxStringLength} characters are refused with 422 naming the field.
   */
  public static class LimitSettings {
    private long maxBodyBytes = 10L * 1024 * 1024;
    private int maxItems = 10_000;
    // Room for a Temporal payload in base64 (the codec endpoint's bodies; Temporal refuses a
    // payload over 2 MB): each field of Sluice's own bodies has its own, much shorter limit.
    private int maxStringLength = 4 * 1024 * 1024;

    @JsonProperty
    public int getMaxItems() {
      return maxItems;
    }

    @JsonProperty
    public void setMaxItems(int maxItems) {
      if (maxItems < 100) {
        throw new IllegalArgumentException("limits.maxItems must be at least 100");
      }
      this.maxItems = maxItems;
    }

    @JsonProperty
    public int getMaxStringLength() {
      return maxStringLength;
    }

    @JsonProperty
    public void setMaxStringLength(int maxStringLength) {
      if (maxStringLength < 1024) {
        throw new IllegalArgumentException("limits.maxStringLength must be at least 1024");
      }
      this.maxStringLength = maxStringLength;
    }

    @JsonProperty
    public long getMaxBodyBytes() {
      return maxBodyBytes;
    }

    @JsonProperty
    public void setMaxBodyBytes(long maxBodyBytes) {
      if (maxBodyBytes < 1024) {
        throw new IllegalArgumentException("limits.maxBodyBytes must be at least 1024");
      }
      this.maxBodyBytes = maxBodyBytes;
    }
  }

  @JsonProperty
  public DataSourceFactory getDatabase() {
    return database;
  }

  @JsonProperty
  public void setDatabase(DataSourceFactory database) {
    this.database = database;
  }

  /**
   * The ledger's database as Sluice opens it, in the server and in a standalone worker: an H2 file
   * URL made durable ({@link Ledger#durableUrl}), and each pooled connection checked before use (at
   * most once per {@code validationInterval}), so a connection the database dropped — it restarted,
   * or failed over — is replaced instead of failing the request that drew it.
   */
  public DataSourceFactory ledgerDatabase() {
    database.setUrl(Ledger.durableUrl(database.getUrl()));
    database.setCheckConnectionOnBorrow(true);
    return database;
  }

  @JsonProperty
  public TemporalSettings getTemporal() {
    return temporal;
  }

  @JsonProperty
  public void setTemporal(TemporalSettings temporal) {
    this.temporal = temporal;
  }

  @JsonProperty
  public WorkerSettings getWorker() {
    return worker;
  }

  @JsonProperty
  public void setWorker(WorkerSettings worker) {
    this.worker = worker;
  }

  @JsonProperty
  public AuthSettings getAuth() {
    return auth;
  }

  @JsonProperty
  public void setAuth(AuthSettings auth) {
    this.auth = auth;
  }

  @JsonProperty
  public NotificationSettings getNotifications() {
    return notifications;
  }

  @JsonProperty
  public void setNotifications(NotificationSettings notifications) {
    this.notifications = notifications;
  }

  @JsonProperty
  public CircuitBreakerSettings getCircuitBreaker() {
    return circuitBreaker;
  }

  @JsonProperty
  public void setCircuitBreaker(CircuitBreakerSettings circuitBreaker) {
    this.circuitBreaker = circuitBreaker;
  }

  /** Webhooks that deployment notifications go to (none by default). */
  public static class NotificationSettings {
    private List<Webhook> webhooks = new ArrayList<>();

    @JsonProperty
    public List<Webhook> getWebhooks() {
      return webhooks;
    }

    @JsonProperty
    public void setWebhooks(List<Webhook> webhooks) {
      this.webhooks = webhooks;
    }
  }

  /**
   * The deployment circuit breaker: after {@code failures} failed or rolled-back deployments of a
   * service in a row, its new deployments are refused for {@code blockFor}.
   */
  public static class CircuitBreakerSettings {
    private int failures = 3;
    private Duration blockFor = Duration.ofHours(1);

    @JsonProperty
    public int getFailures() {
      return failures;
    }

    @JsonProperty
    public void setFailures(int failures) {
      this.failures = failures;
    }

    @JsonProperty
    public Duration getBlockFor() {
      return blockFor;
    }

    @JsonProperty
    public void setBlockFor(Duration blockFor) {
      this.blockFor = blockFor;
    }

    public CircuitPolicy policy() {
      return new CircuitPolicy(failures, blockFor);
    }
  }

  @JsonProperty
  public String getHome() {
    return home;
  }

  @JsonProperty
  public void setHome(String home) {
    this.home = home;
  }

  @JsonProperty
  public MigrationSettings getMigrations() {
    return migrations;
  }

  @JsonProperty
  public void setMigrations(MigrationSettings migrations) {
    this.migrations = migrations;
  }

  /**
   * The databases schema migrations may change, by the name specs use. URLs carry no credentials:
   * each datasource names a {@code passwordEnv} or {@code passwordFile}, read by the worker when it
   * connects.
   */
  public static class MigrationSettings {
    private Map<String, Datasources.Datasource> datasources = new TreeMap<>();

    @JsonProperty
    public Map<String, Datasources.Datasource> getDatasources() {
      return datasources;
    }

    @JsonProperty
    public void setDatasources(Map<String, Datasources.Datasource> datasources) {
      this.datasources = datasources;
    }

    public Datasources build() {
      return new Datasources(datasources);
    }
  }

  /** Whether this process also runs a worker (the dev profile) or only serves the API. */
  public static class WorkerSettings {
    private boolean embedded = true;
    private Integer metricsPort;

    @JsonProperty
    public boolean isEmbedded() {
      return embedded;
    }

    @JsonProperty
    public void setEmbedded(boolean embedded) {
      this.embedded = embedded;
    }

    /**
     * The port on which a standalone worker ({@code sluice worker}) serves {@code GET /metrics};
     * {@code null} (the default) serves none. An embedded worker's figures are the API's.
     */
    @JsonProperty
    public Integer getMetricsPort() {
      return metricsPort;
    }

    @JsonProperty
    public void setMetricsPort(Integer metricsPort) {
      this.metricsPort = metricsPort;
    }
  }

  /**
   * API tokens. With none configured the API is open (local use) and mutations are audited as the
   * {@code X-Sluice-Actor} header's value or {@code anonymous}. Each token's secret comes from an
   * environment variable or a file, never from this file.
   */
  public static class AuthSettings {
    private List<Token> tokens = new ArrayList<>();
    private boolean publicMetrics;

    /**
     * Whether {@code /metrics} on the application port answers without a token when tokens exist
     * (for a scraper that cannot send one); the admin port's {@code /prometheus} never asks.
     */
    @JsonProperty
    public boolean isPublicMetrics() {
      return publicMetrics;
    }

    @JsonProperty
    public void setPublicMetrics(boolean publicMetrics) {
      this.publicMetrics = publicMetrics;
    }

    @JsonProperty
    public List<Token> getTokens() {
      return tokens;
    }

    @JsonProperty
    public void setTokens(List<Token> tokens) {
      this.tokens = tokens;
    }
  }

  /** One API token: the name audited for its mutations and where its secret lives. */
  public static class Token {
    @NotNull private String name;
    private String secretEnv;
    private String secretFile;
    private boolean admin;

    @jakarta.validation.constraints.Pattern(
        regexp = "(?i)viewer|deployer|approver|admin",
        message = "must be viewer, deployer, approver or admin")
    private String role;

    /**
     * The token's role: {@code viewer}, {@code deployer}, {@code approver} or {@code admin}; unset,
     * {@code admin} for a token with {@code admin: true}, else {@code approver} (what a token could
     * do before roles: everything but admin actions on deployments, flags' kill switch included).
     */
    @JsonProperty
    public String getRole() {
      return role;
    }

    @JsonProperty
    public void setRole(String role) {
      this.role = role;
    }

    /** Whether this token may do what only admins may (reset a circuit breaker). */
    @JsonProperty
    public boolean isAdmin() {
      return admin;
    }

    @JsonProperty
    public void setAdmin(boolean admin) {
      this.admin = admin;
    }

    @JsonProperty
    public String getName() {
      return name;
    }

    @JsonProperty
    public void setName(String name) {
      this.name = name;
    }

    @JsonProperty
    public String getSecretEnv() {
      return secretEnv;
    }

    @JsonProperty
    public void setSecretEnv(String secretEnv) {
      this.secretEnv = secretEnv;
    }

    @JsonProperty
    public String getSecretFile() {
      return secretFile;
    }

    @JsonProperty
    public void setSecretFile(String secretFile) {
      this.secretFile = secretFile;
    }
  }
}
