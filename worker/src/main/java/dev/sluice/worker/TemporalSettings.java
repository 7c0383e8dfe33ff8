package dev.sluice.worker;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.sluice.worker.encryption.EncryptionSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Where Sluice's Temporal lives. One key, {@code backend}, picks it:
 *
 * <ul>
 *   <li>{@code dev} (default): Sluice starts {@code temporal server start-dev} with a SQLite file
 *       under {@code .sluice/}, so history survives restarts, and the Temporal UI on {@code
 *       uiPort}. Reuses a dev server already listening on {@code address}.
 *   <li>{@code embedded}: Temporal's test server in this process, bound to {@code embeddedPort} so
 *       other processes (a standalone worker, the {@code temporal} CLI) can connect. In memory:
 *       history is lost when the process stops. No UI. For tests, and machines where the CLI cannot
 *       run.
 *   <li>{@code remote}: any Temporal cluster or Temporal Cloud at {@code address}, with mTLS or an
 *       API key read from the environment variable named by {@code apiKeyEnv}.
 * </ul>
 *
 * Secrets are never stored here: TLS settings are file paths, the API key an env var name, and the
 * payload encryption keys ({@link EncryptionSettings}) files or env var names.
 */
public class TemporalSettings {

  /** Which Temporal; spelt in lower case in the configuration. */
  public enum Backend {
    EMBEDDED,
    DEV,
    REMOTE;

    /** The configuration's spelling: {@code embedded}, {@code dev} or {@code remote}. */
    @JsonValue
    public String value() {
      return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The backend spelt {@code value}.
     *
     * @throws IllegalArgumentException naming the valid values, which {@code sluice check} shows
     */
    @JsonCreator
    public static Backend of(String value) {
      for (Backend backend : values()) {
        if (backend.value().equals(value)) {
          return backend;
        }
      }
      throw new IllegalArgumentException(
          "unknown backend \""
              + value
              + "\"; valid values: "
              + Arrays.stream(values()).map(Backend::value).collect(Collectors.joining(", ")));
    }
  }

  private Backend backend = Backend.DEV;
  private String address = "127.0.0.1:7233";
  private String namespace = "default";
  private String taskQueue = "sluice";
  private int embeddedPort = 7233;
  private String devBinary;
  private String devDbFile = ".sluice/temporal.db";
  private int uiPort = 8233;
  private Duration startTimeout = Duration.ofSeconds(60);
  private Tls tls = new Tls();
  private String apiKeyEnv;
  private EncryptionSettings encryption = new EncryptionSettings();

  /** mTLS to a remote cluster: PEM files (PKCS8 key), all optional but cert and key go together. */
  public static class Tls {
    private boolean enabled;
    private String clientCertFile;
    private String clientKeyFile;
    private String caCertFile;
    private String serverName;

    @JsonProperty
    public boolean isEnabled() {
      return enabled;
    }

    @JsonProperty
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    @JsonProperty
    public String getClientCertFile() {
      return clientCertFile;
    }

    @JsonProperty
    public void setClientCertFile(String clientCertFile) {
      this.clientCertFile = clientCertFile;
    }

    @JsonProperty
    public String getClientKeyFile() {
      return clientKeyFile;
    }

    @JsonProperty
    public void setClientKeyFile(String clientKeyFile) {
      this.clientKeyFile = clientKeyFile;
    }

    @JsonProperty
    public String getCaCertFile() {
      return caCertFile;
    }

    @JsonProperty
    public void setCaCertFile(String caCertFile) {
      this.caCertFile = caCertFile;
    }

    @JsonProperty
    public String getServerName() {
      return serverName;
    }

    @JsonProperty
    public void setServerName(String serverName) {
      this.serverName = serverName;
    }
  }

  @JsonProperty
  public Backend getBackend() {
    return backend;
  }

  @JsonProperty
  public void setBackend(Backend backend) {
    this.backend = backend;
  }

  @JsonProperty
  public String getAddress() {
    return address;
  }

  @JsonProperty
  public void setAddress(String address) {
    this.address = address;
  }

  @JsonProperty
  public String getNamespace() {
    return namespace;
  }

  @JsonProperty
  public void setNamespace(String namespace) {
    this.namespace = namespace;
  }

  @JsonProperty
  public String getTaskQueue() {
    return taskQueue;
  }

  @JsonProperty
  public void setTaskQueue(String taskQueue) {
    this.taskQueue = taskQueue;
  }

  @JsonProperty
  public int getEmbeddedPort() {
    return embeddedPort;
  }

  @JsonProperty
  public void setEmbeddedPort(int embeddedPort) {
    this.embeddedPort = embeddedPort;
  }

  @JsonProperty
  public String getDevBinary() {
    return devBinary;
  }

  @JsonProperty
  public void setDevBinary(String devBinary) {
    this.devBinary = devBinary;
  }

  @JsonProperty
  public String getDevDbFile() {
    return devDbFile;
  }

  @JsonProperty
  public void setDevDbFile(String devDbFile) {
    this.devDbFile = devDbFile;
  }

  @JsonProperty
  public int getUiPort() {
    return uiPort;
  }

  @JsonProperty
  public void setUiPort(int uiPort) {
    this.uiPort = uiPort;
  }

  @JsonProperty
  public Duration getStartTimeout() {
    return startTimeout;
  }

  @JsonProperty
  public void setStartTimeout(Duration startTimeout) {
    this.startTimeout = startTimeout;
  }

  @JsonProperty
  public Tls getTls() {
    return tls;
  }

  @JsonProperty
  public void setTls(Tls tls) {
    this.tls = tls;
  }

  @JsonProperty
  public String getApiKeyEnv() {
    return apiKeyEnv;
  }

  @JsonProperty
  public void setApiKeyEnv(String apiKeyEnv) {
    this.apiKeyEnv = apiKeyEnv;
  }

  /** Payload encryption; off unless it lists a key. */
  @JsonProperty
  public EncryptionSettings getEncryption() {
    return encryption;
  }

  @JsonProperty
  public void setEncryption(EncryptionSettings encryption) {
    this.encryption = encryption == null ? new EncryptionSettings() : encryption;
  }

  /** The dev server's database file, resolved against {@code base} when relative. */
  public Path devDbPath(Path base) {
    Path path = Path.of(devDbFile);
    return path.isAbsolute() ? path : base.resolve(path);
  }
}
