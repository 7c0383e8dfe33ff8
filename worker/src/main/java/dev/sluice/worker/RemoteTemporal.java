package dev.sluice.worker;

import dev.sluice.worker.encryption.PayloadEncryption;
import io.temporal.serviceclient.SimpleSslContextBuilder;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.TrustManagerFactory;

/** A Temporal cluster or Temporal Cloud Sluice connects to but does not run. */
final class RemoteTemporal extends ConnectedBackend {

  private RemoteTemporal(
      WorkflowServiceStubs stubs, TemporalSettings settings, PayloadEncryption encryption) {
    super(stubs, settings.getNamespace(), settings.getAddress(), encryption);
  }

  static RemoteTemporal connect(TemporalSettings settings, PayloadEncryption encryption) {
    return new RemoteTemporal(
        WorkflowServiceStubs.newServiceStubs(options(settings)), settings, encryption);
  }

  @Override
  public String description() {
    return "remote cluster at " + address() + " (not run by Sluice)";
  }

  /** Connection options for {@code settings}; also used for a dev server that is already up. */
  static WorkflowServiceStubsOptions options(TemporalSettings settings) {
    WorkflowServiceStubsOptions.Builder options =
        WorkflowServiceStubsOptions.newBuilder().setTarget(settings.getAddress());
    TemporalSettings.Tls tls = settings.getTls();
    String apiKeyEnv = settings.getApiKeyEnv();
    if (tls != null && tls.isEnabled()) {
      options.setSslContext(sslContext(tls));
    }
    if (apiKeyEnv != null && !apiKeyEnv.isBlank()) {
      String key = System.getenv(apiKeyEnv);
      if (key == null || key.isBlank()) {
        throw new IllegalStateException(
            "temporal.apiKeyEnv names " + apiKeyEnv + ", but that environment variable is empty");
      }
      if (tls == null || !tls.isEnabled()) {
        // API keys are bearer tokens: never send one in clear text.
        options.setSslContext(sslContext(new TemporalSettings.Tls()));
      }
      options.addApiKey(() -> key);
    }
    return options.build();
  }

  private static io.grpc.netty.shaded.io.netty.handler.ssl.SslContext sslContext(
      TemporalSettings.Tls tls) {
    try {
      SimpleSslContextBuilder builder;
      if (tls.getClientCertFile() != null) {
        if (tls.getClientKeyFile() == null) {
          throw new IllegalStateException("temporal.tls.clientCertFile needs clientKeyFile");
        }
        try (InputStream cert = new FileInputStream(tls.getClientCertFile());
            InputStream key = new FileInputStream(tls.getClientKeyFile())) {
          builder = SimpleSslContextBuilder.forPKCS8(cert, key);
          return trust(builder, tls).build();
        }
      }
      return trust(SimpleSslContextBuilder.noKeyOrCertChain(), tls).build();
    } catch (IOException e) {
      throw new IllegalStateException("temporal.tls: cannot read certificate files: " + e, e);
    }
  }

  private static SimpleSslContextBuilder trust(
      SimpleSslContextBuilder builder, TemporalSettings.Tls tls) throws IOException {
    if (tls.getCaCertFile() != null) {
      try (InputStream ca = new FileInputStream(tls.getCaCertFile())) {
        TrustManagerFactory factory =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        int i = 0;
        for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(ca)) {
          store.setCertificateEntry("ca" + i++, cert);
        }
        factory.init(store);
        builder.setTrustManager(factory.getTrustManagers()[0]);
      } catch (GeneralSecurityException e) {
        throw new IOException(
            "bad CA certificate " + tls.getCaCertFile() + ": " + e.getMessage(), e);
      }
    }
    return builder;
  }
}
