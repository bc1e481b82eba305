package dev.postern.smtp.server;

import dev.postern.StartupException;
import dev.postern.config.PosternConfig;
import dev.postern.tls.PemCertificate;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.file.Path;
import java.util.List;

/**
 * The certificate and key the submission listeners offer: the operator's PEM files when
 * configured, else (embedded default) a self-signed pair generated into {@code <data>/tls/} at
 * first start and reused afterwards ({@link PemCertificate}). TLS 1.2 and 1.3 only (RFC 8996
 * retires 1.0 and 1.1).
 */
public final class SmtpTlsMaterial {

  static final List<String> PROTOCOLS = PemCertificate.PROTOCOLS;

  private final PemCertificate pem;

  private SmtpTlsMaterial(PemCertificate pem) {
    this.pem = pem;
  }

  /** Blocking (file reads, key generation): call at start-up, off the event loop. */
  public static SmtpTlsMaterial load(PosternConfig config) {
    PemCertificate.offTheEventLoop("loading the SMTP certificate");
    PosternConfig.Smtp smtp = config.smtp();
    return new SmtpTlsMaterial(smtp.tlsCertFile() != null
        ? PemCertificate.files(smtp.tlsCertFile(), smtp.tlsKeyFile(), "SMTP TLS file",
            "smtp.tls_cert_file / smtp.tls_key_file")
        : PemCertificate.selfSigned(config.dataDir().resolve("tls"), "smtp", smtp.serverName()));
  }

  /**
   * The Netty context for STARTTLS upgrades, which {@code SmtpConnection} performs itself:
   * Vert.x 5.0.10's {@code NetSocket.upgradeToSsl} fails with a NullPointerException on every
   * server instance but the first that binds a shared port (its SslContextManager is only set
   * on that one), so with several instances most upgrades would fail.
   *
   * <p>Blocking (reads the files, and warms TLS up with one in-memory handshake).
   */
  public SslContext startTlsContext() {
    // Blocking: reads both files and starts JCA (a PKCS#12 key store with PBKDF2), seconds on
    // a loaded machine, which once held an event loop at every start.
    PemCertificate.offTheEventLoop("building the STARTTLS context");
    try {
      SslContext context = SslContextBuilder.forServer(pem.certFile().toFile(),
              pem.keyFile().toFile())
          .protocols(PROTOCOLS.toArray(String[]::new)).build();
      TlsWarmUp.handshake(context);
      return context;
    } catch (javax.net.ssl.SSLException e) {
      throw new StartupException("SMTP TLS certificate " + pem.certFile() + " or key "
          + pem.keyFile() + " cannot be used: " + e.getMessage());
    }
  }

  public PemKeyCertOptions keyCert() {
    return pem.keyCert();
  }

  public Path certFile() {
    return pem.certFile();
  }
}
