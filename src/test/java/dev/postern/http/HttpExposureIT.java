package dev.postern.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postern.support.FreePort;
import dev.postern.support.SqlSeed;
import dev.postern.support.TestGateway;
import dev.postern.tls.PemCertificate;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #15 item 5 on a whole gateway: HTTPS on the API listener (a generated self-signed
 * certificate, or the operator's PEM files), a separate loopback listener for the admin API,
 * {@code /metrics} and {@code /readyz} detail, and {@code Cache-Control: no-store} on the
 * responses that carry secrets.
 */
class HttpExposureIT {

  private static final HttpClient PLAIN = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void withHttpTlsTheEmbeddedDefaultServesHttpsWithAGeneratedSelfSignedCertificate()
      throws Exception {
    try (TestGateway gateway = TestGateway.start(Map.of("POSTERN_HTTP_TLS", "true"))) {
      Path cert = gateway.dataDir().resolve("tls/http-cert.pem");
      assertThat(cert).exists();
      String url = "https://127.0.0.1:" + gateway.config().http().port();

      HttpResponse<String> health = get(trusting(cert), url + "/healthz", null);

      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.sslSession()).isPresent();
      assertThat(health.sslSession().get().getProtocol()).isIn("TLSv1.2", "TLSv1.3");
      assertThatThrownBy(() -> get(PLAIN, "http://127.0.0.1:" + gateway.config().http().port()
          + "/healthz", null)).isInstanceOf(IOException.class);
    }
  }

  @Test
  void theOperatorsPemFilesAreServed(@TempDir Path dir) throws Exception {
    PemCertificate operator = PemCertificate.selfSigned(dir, "operator", "api.operator.test");
    try (TestGateway gateway = TestGateway.start(Map.of("POSTERN_HTTP_TLS", "true",
        "POSTERN_HTTP_TLS_CERT_FILE", operator.certFile().toString(),
        "POSTERN_HTTP_TLS_KEY_FILE", operator.keyFile().toString()))) {
      HttpResponse<String> health = get(trusting(operator.certFile()),
          "https://127.0.0.1:" + gateway.config().http().port() + "/healthz", null);

      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.sslSession().get().getPeerCertificates()[0])
          .isEqualTo(certificate(operator.certFile()));
      assertThat(gateway.dataDir().resolve("tls/http-cert.pem")).doesNotExist();
    }
  }

  @Test
  void aSeparateAdminListenerTakesTheAdminApiMetricsAndReadinessDetail() throws Exception {
    int adminPort = FreePort.next();
    try (TestGateway gateway = TestGateway.start(Map.of("POSTERN_ADMIN_PORT",
        Integer.toString(adminPort)))) {
      String api = gateway.baseUrl();
      String admin = "http://127.0.0.1:" + adminPort;
      String token = "Bearer " + gateway.adminToken();

      assertThat(get(PLAIN, admin + "/admin/v1/keys", token).statusCode()).isEqualTo(200);
      assertThat(get(PLAIN, admin + "/metrics", null).statusCode()).isEqualTo(200);
      HttpResponse<String> detail = get(PLAIN, admin + "/readyz", null);
      assertThat(detail.statusCode()).isEqualTo(200);
      assertThat(new JsonObject(detail.body()).getJsonObject("checks")).isNotNull();

      assertThat(get(PLAIN, api + "/admin/v1/keys", token).statusCode()).isEqualTo(404);
      assertThat(get(PLAIN, api + "/metrics", null).statusCode()).isEqualTo(404);
      HttpResponse<String> summary = get(PLAIN, api + "/readyz", null);
      assertThat(summary.statusCode()).isEqualTo(200);
      assertThat(new JsonObject(summary.body())).isEqualTo(new JsonObject().put("ready", true));
      assertThat(get(PLAIN, api + "/healthz", null).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void responsesCarryingSecretsAreNotStored() {
    try (TestGateway gateway = TestGateway.start()) {
      SqlSeed.mailbox(gateway.pgUrl(), "nostore@exposure.example");
      HttpResponse<String> created = gateway.admin("POST", "/admin/v1/keys", new JsonObject()
          .put("name", "nostore").put("mailbox", "nostore@exposure.example"));
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      String id = new JsonObject(created.body()).getString("id");
      HttpResponse<String> revealed = gateway.admin("POST", "/admin/v1/keys/" + id + "/reveal",
          new JsonObject().put("admin_token", gateway.adminToken()));
      assertThat(revealed.statusCode()).as(revealed.body()).isEqualTo(200);
      HttpResponse<String> rotated = gateway.admin("POST", "/admin/v1/keys/" + id + "/rotate", null);
      assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
      HttpResponse<String> webhook = gateway.admin("POST", "/admin/v1/webhooks", new JsonObject()
          .put("url", "https://hooks.example.com/postern")
          .put("events", new io.vertx.core.json.JsonArray().add("email.sent")));
      assertThat(webhook.statusCode()).as(webhook.body()).isEqualTo(201);
      assertThat(new JsonObject(webhook.body()).getString("secret")).startsWith("whsec_");

      for (HttpResponse<String> secret : new HttpResponse[] {created, revealed, rotated, webhook}) {
        assertThat(secret.headers().firstValue("Cache-Control")).as(secret.uri().toString())
            .contains("no-store");
      }
    }
  }

  private static HttpResponse<String> get(HttpClient client, String url, String authorization)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(10)).GET();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A client that trusts exactly {@code pem} and checks the host name (127.0.0.1) against it. */
  private static HttpClient trusting(Path pem) throws Exception {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    store.setCertificateEntry("gateway", certificate(pem));
    TrustManagerFactory trust = TrustManagerFactory.getInstance(
        TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(context)
        .connectTimeout(Duration.ofSeconds(5)).build();
  }

  private static Certificate certificate(Path pem) throws Exception {
    try (InputStream in = Files.newInputStream(pem)) {
      return CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }
}
