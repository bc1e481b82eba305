package dev.postern.tls;

import dev.postern.StartupException;
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
 * A TLS certificate chain and private key as PEM files, for any listener (SMTP submission, the
 * HTTP API): the operator's files when configured, else (embedded default) a self-signed
 * RSA-2048 pair generated into a directory at first start and reused afterwards. Listeners
 * offer TLS 1.2 and 1.3 only ({@link #PROTOCOLS}; RFC 8996 retires 1.0 and 1.1).
 */
public final class PemCertificate {

  public static final List<String> PROTOCOLS = List.of("TLSv1.2", "TLSv1.3");
  private static final Duration SELF_SIGNED_VALIDITY = Duration.ofDays(3650);

  private final Path certFile;
  private final Path keyFile;

  private PemCertificate(Path certFile, Path keyFile) {
    this.certFile = certFile;
    this.keyFile = keyFile;
  }

  /**
   * The operator's files. Blocking (checks them): call at start-up, off the event loop.
   *
   * @param what the listener and settings, for the start-up error (e.g. {@code "SMTP TLS file"})
   * @param settings the settings naming the files, for the error
   */
  public static PemCertificate files(String certFile, String keyFile, String what,
      String settings) {
    offTheEventLoop("loading a TLS certificate");
    Path cert = Path.of(certFile);
    Path key = Path.of(keyFile);
    for (Path file : List.of(cert, key)) {
      if (!Files.isReadable(file)) {
        throw new StartupException(what + " " + file + " cannot be read (" + settings + ")");
      }
    }
    return new PemCertificate(cert, key);
  }

  /**
   * {@code <dir>/<stem>-cert.pem} and {@code <stem>-key.pem} (mode 0600), generated self-signed
   * for {@code serverName}, {@code localhost} and the loopback address when either is missing.
   * Blocking (key generation): call at start-up, off the event loop.
   */
  public static PemCertificate selfSigned(Path dir, String stem, String serverName) {
    offTheEventLoop("loading a TLS certificate");
    Path cert = dir.resolve(stem + "-cert.pem");
    Path key = dir.resolve(stem + "-key.pem");
    if (!Files.exists(cert) || !Files.exists(key)) {
      generate(serverName, cert, key);
    }
    return new PemCertificate(cert, key);
  }

  /** Fails at once, whatever the load, where blocking work would otherwise stall a loop. */
  public static void offTheEventLoop(String what) {
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

  public Path keyFile() {
    return keyFile;
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
      throw new StartupException("cannot create a self-signed TLS certificate in "
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
