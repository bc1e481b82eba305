package dev.postern.smtp.server;

import dev.postern.StartupException;
import dev.postern.config.PosternConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.vertx.core.Context;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The certificate and key the submission listeners offer: the operator's PEM files when
 * configured, else (embedded default) a self-signed pair generated into {@code <data>/tls/} at
 * first start and reused afterwards. TLS 1.2 and 1.3 only (RFC 8996 retires 1.0 and 1.1).
 */
public final class SmtpTlsMaterial {

  static final List<String> PROTOCOLS = List.of("TLSv1.2", "TLSv1.3");
  private static final Duration SELF_SIGNED_VALIDITY = Duration.ofDays(3650);

  private final Path certFile;
  private final Path keyFile;

  private SmtpTlsMaterial(Path certFile, Path keyFile) {
    this.certFile = certFile;
    this.keyFile = keyFile;
  }

  /** Blocking (file reads, key generation): call at start-up, off the event loop. */
  public static SmtpTlsMaterial load(PosternConfig config) {
    offTheEventLoop("loading the SMTP certificate");
    PosternConfig.Smtp smtp = config.smtp();
    if (smtp.tlsCertFile() != null) {
      Path cert = Path.of(smtp.tlsCertFile());
      Path key = Path.of(smtp.tlsKeyFile());
      for (Path file : List.of(cert, key)) {
        if (!Files.isReadable(file)) {
          throw new StartupException("SMTP TLS file " + file + " cannot be read"
              + " (smtp.tls_cert_file / smtp.tls_key_file)");
        }
      }
      return new SmtpTlsMaterial(cert, key);
    }
    Path dir = config.dataDir().resolve("tls");
    Path cert = dir.resolve("smtp-cert.pem");
    Path key = dir.resolve("smtp-key.pem");
    if (!Files.exists(cert) || !Files.exists(key)) {
      generate(smtp.serverName(), cert, key);
    }
    return new SmtpTlsMaterial(cert, key);
  }

  /**
   * The Netty context for STARTTLS upgrades, which {@code SmtpConnection} performs itself:
   * Vert.x 5.0.10's {@code NetSocket.upgradeToSsl} fails with a NullPointerException on every
   * server instance but the first that binds a shared port (its SslContextManager is only set
   * on that one), so with several instances most upgrades would fail.
   */
  /** Blocking (reads the files, and warms TLS up with one in-memory handshake). */
  public SslContext startTlsContext() {
    // Blocking: reads both files and starts JCA (a PKCS#12 key store with PBKDF2), seconds on
    // a loaded machine, which once held an event loop at every start.
    offTheEventLoop("building the STARTTLS context");
    try {
      SslContext context = SslContextBuilder.forServer(certFile.toFile(), keyFile.toFile())
          .protocols(PROTOCOLS.toArray(String[]::new)).build();
      TlsWarmUp.handshake(context);
      return context;
    } catch (javax.net.ssl.SSLException e) {
      throw new StartupException("SMTP TLS certificate " + certFile + " or key " + keyFile
          + " cannot be used: " + e.getMessage());
    }
  }

  /** Fails at once, whatever the load, where blocking work would otherwise stall a loop. */
  private static void offTheEventLoop(String what) {
    if (Context.isOnEventLoopThread()) {
      throw new IllegalStateException(what + " blocks: do it on a worker, not on an event loop");
    }
  }

  public PemKeyCertOptions keyCert() {
    return new PemKeyCertOptions().setCertPath(certFile.toString()).setKeyPath(keyFile.toString());
  }

  public Path certFile() {
    return certFile;
  }

  private static void generate(String serverName, Path certFile, Path keyFile) {
    try {
      Files.createDirectories(certFile.getParent());
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048, new SecureRandom());
      KeyPair pair = generator.generateKeyPair();
      Instant now = Instant.now();
      X500Name subject = new X500Name("CN=" + serverName.replaceAll("[^A-Za-z0-9.-]", "")
          + ",O=Postern self-signed");
      JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
          new BigInteger(64, new SecureRandom()), Date.from(now.minus(Duration.ofDays(1))),
          Date.from(now.plus(SELF_SIGNED_VALIDITY)), subject, pair.getPublic());
      builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
          new GeneralName[] {
              new GeneralName(GeneralName.dNSName, serverName),
              new GeneralName(GeneralName.dNSName, "localhost"),
              new GeneralName(GeneralName.iPAddress,
                  InetAddress.getLoopbackAddress().getHostAddress())}));
      X509CertificateHolder holder = builder.build(
          new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate()));
      Path keyTmp = keyFile.resolveSibling(keyFile.getFileName() + ".tmp");
      Files.deleteIfExists(keyTmp);
      Files.createFile(keyTmp, PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rw-------")));
      // PKCS#8 ("PRIVATE KEY"), which both Vert.x and Netty read without further help.
      Files.writeString(keyTmp, pem(new JcaPKCS8Generator(pair.getPrivate(), null).generate()));
      Path certTmp = certFile.resolveSibling(certFile.getFileName() + ".tmp");
      Files.writeString(certTmp, pem(holder));
      Files.move(keyTmp, keyFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      Files.move(certTmp, certFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
      throw new StartupException("cannot create the self-signed SMTP certificate in "
          + certFile.getParent() + ": " + e.getMessage());
    }
  }

  private static String pem(Object value) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(value);
    }
    return out.toString();
  }
}
