package dev.postern.config;

import dev.postern.config.PosternConfig.AdminListener;
import dev.postern.config.PosternConfig.Deployment;
import dev.postern.config.PosternConfig.HttpTls;
import java.util.Locale;

/**
 * Reads how the HTTP API is exposed (issue #15 item 5): {@code http.tls*} (HTTPS on the API
 * listener) and {@code admin.*} (an optional separate listener for {@code /admin/v1},
 * {@code /metrics} and {@code /readyz} detail).
 *
 * <p>The embedded default serves plain HTTP ({@code http.tls} false), so that the README's two
 * commands, {@code curl localhost:8080/readyz} and a Resend SDK pointed at {@code http://…}
 * work on a fresh checkout; with {@code http.tls} on and no files it serves a self-signed
 * certificate generated into {@code <data>/tls/}. Production requires HTTPS unless the
 * listener is bound to a loopback address (plain HTTP behind a local TLS proxy only).
 *
 * <p>The admin listener is plain HTTP and must be bound to a loopback address, so the admin
 * token never crosses a network in the clear; administer remotely through the TLS listener
 * ({@code admin.port} 0) or a tunnel.
 */
final class HttpExposureConfig {

  private HttpExposureConfig() {}

  static HttpTls readTls(ConfigReader r, Deployment deployment, String httpHost) {
    boolean enabled = r.bool("http.tls", false);
    String certFile = r.optionalString("http.tls_cert_file");
    String keyFile = r.optionalString("http.tls_key_file");
    if ((certFile == null) != (keyFile == null)) {
      r.problem(certFile == null ? "http.tls_cert_file" : "http.tls_key_file",
          "tls_cert_file and tls_key_file are set together or not at all");
    }
    if (deployment == Deployment.PRODUCTION) {
      if (!enabled && !loopback(httpHost)) {
        r.problem("http.tls", "is required in production unless http.host is a loopback address"
            + " (set POSTERN_HTTP_TLS=true with POSTERN_HTTP_TLS_CERT_FILE and"
            + " POSTERN_HTTP_TLS_KEY_FILE, PEM)");
      } else if (enabled && certFile == null) {
        r.problem("http.tls_cert_file", "is required in production while http.tls is on"
            + " (set POSTERN_HTTP_TLS_CERT_FILE and POSTERN_HTTP_TLS_KEY_FILE, PEM)");
      }
    }
    return new HttpTls(enabled, certFile, keyFile);
  }

  static AdminListener readAdmin(ConfigReader r) {
    String host = r.string("admin.host", "127.0.0.1");
    int port = r.port("admin.port", 0, true);
    if (port != 0 && !loopback(host)) {
      r.problem("admin.host", "must be a loopback address (127.0.0.1, ::1, localhost): the admin"
          + " listener is plain HTTP; got \"" + host + "\"");
    }
    return new AdminListener(host, port);
  }

  /** A loopback literal or {@code localhost}: decided from the text, nothing is looked up. */
  static boolean loopback(String host) {
    String h = host.trim().toLowerCase(Locale.ROOT);
    return h.equals("localhost") || h.equals("::1") || h.equals("[::1]")
        || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  }
}
