package dev.postern.delivery.dkim;

import io.vertx.core.buffer.Buffer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.IntConsumer;

/**
 * CPU cost of one DKIM signature (bench/README.md "DKIM signing cost"): RSA-2048 vs ed25519
 * (RFC 8463), for a 2 KB and a 200 KB message, split into the body hash (relaxed body
 * canonicalisation + SHA-256, RFC 6376 §3.4.4 / §3.7) and the private-key operation over the
 * header data. Measured as this thread's CPU time (ThreadMXBean) over many iterations after a
 * warm-up, so other processes on a shared machine slow the wall clock but not the figure.
 *
 * <pre>
 * mvn -B -o -q test-compile org.codehaus.mojo:exec-maven-plugin:3.5.0:java \
 *   -Dexec.mainClass=dev.postern.delivery.dkim.DkimSigningCost -Dexec.classpathScope=test
 * </pre>
 */
public final class DkimSigningCost {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private DkimSigningCost() {}

  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3.0;
    DkimKey rsa = key(DkimAlgorithm.RSA_SHA256, "RSA", 2048);
    DkimKey ed = key(DkimAlgorithm.ED25519_SHA256, "Ed25519", 0);
    DkimSigner signer = new DkimSigner(Clock.systemUTC());
    System.out.printf(Locale.ROOT, "DKIM signing cost, CPU time of one thread, %s %s, %d cores%n",
        System.getProperty("java.vm.name"), System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors());
    System.out.printf(Locale.ROOT, "signing provider: %s (RSA), %s (Ed25519)%n",
        SigningProviders.providerName(DkimAlgorithm.RSA_SHA256),
        SigningProviders.providerName(DkimAlgorithm.ED25519_SHA256));
    System.out.printf(Locale.ROOT, "%-16s %-8s %12s %12s %12s %12s %12s%n", "algorithm",
        "message", "whole µs", "body hash µs", "key op µs", "JDK key op", "msg/s/core");
    for (int size : new int[] {2 * 1024, 200 * 1024}) {
      byte[] message = message(size);
      byte[] body = bodyOf(message);
      double hash = perOp(seconds, i -> {
        RelaxedBodyHash h = new RelaxedBodyHash();
        h.update(body, 0, body.length);
        h.finish();
      });
      for (DkimKey key : new DkimKey[] {rsa, ed}) {
        byte[] headerData = headerData(signer, key, message);
        double jdkKeyOp = perOp(seconds, i -> sign(key, headerData, false));
        double keyOp = perOp(seconds, i -> sign(key, headerData, true));
        Buffer whole = Buffer.buffer(message);
        double all = perOp(seconds, i -> signer.signatureHeader(whole, key));
        System.out.printf(Locale.ROOT, "%-16s %-8s %12.1f %12.1f %12.1f %12.1f %12.0f%n",
            key.algorithm().tag(), size / 1024 + " KB", all, hash, keyOp, jdkKeyOp, 1e6 / all);
      }
    }
  }

  /** Mean CPU microseconds per call of {@code op}: a warm-up, then {@code seconds} of CPU. */
  private static double perOp(double seconds, IntConsumer op) {
    long budget = (long) (seconds * 1e9);
    run(op, budget / 2); // warm-up: JIT the loop and the crypto intrinsics
    long start = THREADS.getCurrentThreadCpuTime();
    long n = run(op, budget);
    return (THREADS.getCurrentThreadCpuTime() - start) / 1e3 / n;
  }

  private static long run(IntConsumer op, long cpuNanos) {
    long start = THREADS.getCurrentThreadCpuTime();
    long n = 0;
    do {
      for (int i = 0; i < 16; i++) {
        op.accept(i);
      }
      n += 16;
    } while (THREADS.getCurrentThreadCpuTime() - start < cpuNanos);
    return n;
  }

  private static DkimKey key(DkimAlgorithm algorithm, String jca, int bits)
      throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance(jca);
    if (bits > 0) {
      generator.initialize(bits);
    }
    // Re-read through the signing provider's key factory, as DkimKeys does after decrypting.
    PrivateKey key = SigningProviders.keyFactory(algorithm).generatePrivate(
        new PKCS8EncodedKeySpec(generator.generateKeyPair().getPrivate().getEncoded()));
    return new DkimKey("example.com", "bench", algorithm, key);
  }

  /**
   * The private-key operation alone, as the signer does it (RFC 8463 §3 pre-hash for ed25519),
   * through {@link SigningProviders} or the JDK's provider (with a key of its own).
   */
  private static void sign(DkimKey key, byte[] data, boolean signingProvider) {
    try {
      Signature signature = signingProvider ? SigningProviders.signature(key.algorithm())
          : Signature.getInstance(key.algorithm().jcaSignature());
      signature.initSign(signingProvider ? key.privateKey() : jdkKey(key));
      signature.update(key.algorithm() == DkimAlgorithm.ED25519_SHA256
          ? MessageDigest.getInstance("SHA-256").digest(data) : data);
      signature.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final Map<DkimKey, PrivateKey> JDK_KEYS = new HashMap<>();

  private static PrivateKey jdkKey(DkimKey key) throws GeneralSecurityException {
    PrivateKey jdk = JDK_KEYS.get(key);
    if (jdk == null) {
      jdk = KeyFactory.getInstance(key.algorithm().jcaKeyAlgorithm())
          .generatePrivate(new PKCS8EncodedKeySpec(key.privateKey().getEncoded()));
      JDK_KEYS.put(key, jdk);
    }
    return jdk;
  }

  /** Header data of the size the signer hashes: the signed fields plus the unsigned field. */
  private static byte[] headerData(DkimSigner signer, DkimKey key, byte[] message) {
    String header = signer.signatureHeader(Buffer.buffer(message), key).toString(StandardCharsets.ISO_8859_1);
    int end = indexOfEmptyLine(message);
    return (new String(message, 0, end, StandardCharsets.ISO_8859_1) + header)
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] bodyOf(byte[] message) {
    int end = indexOfEmptyLine(message) + 2;
    byte[] body = new byte[message.length - end];
    System.arraycopy(message, end, body, 0, body.length);
    return body;
  }

  private static int indexOfEmptyLine(byte[] m) {
    for (int i = 0; i + 3 < m.length; i++) {
      if (m[i] == '\r' && m[i + 1] == '\n' && m[i + 2] == '\r' && m[i + 3] == '\n') {
        return i + 2;
      }
    }
    throw new IllegalArgumentException("no header/body separator");
  }

  /** A message of about {@code size} bytes as Postern stores it: text, then base64 lines. */
  static byte[] message(int size) {
    StringBuilder m = new StringBuilder("From: Bench <bench@example.com>\r\n"
        + "To: sink@example.net\r\nSubject: DKIM signing cost\r\n"
        + "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\nMessage-ID: <cost@example.com>\r\n"
        + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        + "Content-Transfer-Encoding: base64\r\n\r\n");
    byte[] raw = new byte[size];
    new Random(11).nextBytes(raw);
    String b64 = Base64.getMimeEncoder(76, new byte[] {'\r', '\n'}).encodeToString(raw);
    m.append(b64, 0, Math.max(0, size - m.length() - 2)).append("\r\n");
    return m.toString().getBytes(StandardCharsets.US_ASCII);
  }
}
