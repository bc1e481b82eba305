package dev.postern.http;

import dev.postern.tls.PemCertificate;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.util.LinkedHashSet;

/**
 * One HTTP listening address and, for HTTPS, its certificate (issue #15 item 5): TLS 1.2 and
 * 1.3 only, as on the SMTP listeners.
 *
 * @param tls the PEM pair to serve, or null for plain HTTP
 */
public record HttpListener(String host, int port, PemKeyCertOptions tls) {

  public static HttpListener plain(String host, int port) {
    return new HttpListener(host, port, null);
  }

  public boolean https() {
    return tls != null;
  }

  void applyTls(HttpServerOptions options) {
    if (tls != null) {
      options.setSsl(true).setKeyCertOptions(tls)
          .setEnabledSecureTransportProtocols(new LinkedHashSet<>(PemCertificate.PROTOCOLS));
    }
  }
}
