package dev.postern.inbound.pgp;

import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.openpgp.PGPEncryptedDataGenerator;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPLiteralDataGenerator;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.operator.bc.BcPublicKeyKeyEncryptionMethodGenerator;
import org.bouncycastle.openpgp.operator.jcajce.JcePGPDataEncryptorBuilder;

/**
 * Encrypts one message, as it streams in, to one or more OpenPGP public keys (the {@code standard}
 * tier: the plaintext is never stored). The output is a binary OpenPGP message (RFC 4880 §11.3,
 * RFC 9580 §10.3) that gpg 2.2 decrypts:
 * <ul>
 *   <li>one v3 Public-Key Encrypted Session Key packet per recipient (RFC 9580 §5.1), to the
 *       key's encryption subkey as {@code PgpPublicKeys.encryptionKey} picks it (RSA, or ECDH on
 *       Curve25519 as gpg generates it);</li>
 *   <li>a v1 Symmetrically Encrypted Integrity Protected Data packet with its Modification
 *       Detection Code (RFC 9580 §5.13.1), AES-256 — not the v2/AEAD form, which gpg 2.2 cannot
 *       read;</li>
 *   <li>inside, one binary Literal Data packet named {@code message.eml} (RFC 9580 §5.9). No
 *       Compressed Data packet: compressing before encrypting leaks the plaintext's
 *       compressibility through the ciphertext size, and costs CPU on every message.</li>
 * </ul>
 * Both the encrypted and the literal packet use partial body lengths (RFC 9580 §4.2.1.4) of
 * {@value #PARTIAL_CHUNK} bytes, so memory held stays bounded whatever the message size: each
 * {@link #update} returns about as many ciphertext bytes as it was given.
 *
 * <p>CPU: AES-CFB and the SHA-1 of the MDC run per chunk on the calling thread, like TLS on an
 * event loop — but slower than TLS: the JDK has no AES-CFB intrinsic (CTR/GCM/CBC have one), so
 * expect tens of MiB/s, about 1–3 ms per 64 KiB chunk on a loaded 2-core machine. {@code to}
 * parses each key once (then {@link EncryptionKeyCache} holds it; 0.1–0.6 ms per key measured
 * under load) and wraps the session key per recipient (an RSA public operation, or two X25519
 * scalar multiplications for Curve25519; 0.3–1 ms measured under load): use
 * {@link #to(List, WorkerExecutor)} to keep that off the event loop.
 * {@code OpenPgpStreamEncryptorCostTest} prints the figures. Not thread-safe: one message, one
 * thread (or one Vert.x context) at a time.
 */
public final class OpenPgpStreamEncryptor {

  /** Partial body length of both packets: a power of two (RFC 9580 §4.2.1.4). */
  static final int PARTIAL_CHUNK = 1 << 16;

  /** The literal data packet's file name, as the brief of issue #13 fixes it. */
  public static final String FILE_NAME = "message.eml";

  private static final EncryptionKeyCache KEYS = new EncryptionKeyCache(1024);

  /**
   * One for all messages (SecureRandom is thread-safe): left to themselves, BouncyCastle's
   * builders would each make and seed their own per message.
   */
  private static final SecureRandom RANDOM = new SecureRandom();

  private final BufferSink sink = new BufferSink();
  private final PGPEncryptedDataGenerator encryptedGenerator;
  private final PGPLiteralDataGenerator literalGenerator = new PGPLiteralDataGenerator();
  private final OutputStream literal;
  private boolean finished;

  private OpenPgpStreamEncryptor(List<PGPPublicKey> recipients) {
    // JCE for the bulk cipher (AES intrinsics); BouncyCastle's own code for the session key.
    encryptedGenerator = new PGPEncryptedDataGenerator(
        new JcePGPDataEncryptorBuilder(SymmetricKeyAlgorithmTags.AES_256)
            .setWithIntegrityPacket(true).setSecureRandom(RANDOM));
    for (PGPPublicKey recipient : recipients) {
      encryptedGenerator.addMethod(new BcPublicKeyKeyEncryptionMethodGenerator(recipient)
          .setSecureRandom(RANDOM));
    }
    try {
      OutputStream encrypted = encryptedGenerator.open(sink, new byte[PARTIAL_CHUNK]);
      literal = literalGenerator.open(encrypted, PGPLiteralData.BINARY, FILE_NAME, new Date(),
          new byte[PARTIAL_CHUNK]);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (PGPException e) {
      throw new IllegalStateException("could not start an OpenPGP message", e);
    }
  }

  /**
   * An encryptor for one message to all these keys (each an ASCII-armoured public key block,
   * parsed once per text and cached). Throws {@link IllegalArgumentException} naming the first
   * key that is not a valid public key with a usable encryption key, or if there is none.
   */
  public static OpenPgpStreamEncryptor to(List<String> armouredPublicKeys) {
    if (armouredPublicKeys == null || armouredPublicKeys.isEmpty()) {
      throw new IllegalArgumentException("at least one public key is required");
    }
    Map<Long, PGPPublicKey> recipients = new LinkedHashMap<>(); // the same key twice: one PKESK
    for (int i = 0; i < armouredPublicKeys.size(); i++) {
      try {
        PGPPublicKey key = KEYS.encryptionKey(armouredPublicKeys.get(i));
        recipients.putIfAbsent(key.getKeyID(), key);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("public key " + (i + 1) + ": " + e.getMessage(), e);
      }
    }
    return new OpenPgpStreamEncryptor(List.copyOf(recipients.values()));
  }

  /**
   * {@link #to(List)} run on {@code cpu} (a named worker pool, such as {@code postern-cpu}), so
   * that neither parsing a key on first use nor wrapping the session key for each recipient runs
   * on an event loop. The future fails with {@link IllegalArgumentException} for a bad key.
   */
  public static Future<OpenPgpStreamEncryptor> to(List<String> armouredPublicKeys,
      WorkerExecutor cpu) {
    List<String> keys = List.copyOf(armouredPublicKeys);
    return cpu.executeBlocking(() -> to(keys), false);
  }

  /** Feeds plaintext, returns the ciphertext produced so far (may be empty). */
  public Buffer update(Buffer plaintext) {
    if (finished) {
      throw new IllegalStateException("the message is finished");
    }
    try {
      literal.write(plaintext.getBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // the sink never fails; BouncyCastle declares it
    }
    return sink.take();
  }

  /** Ends the message (literal packet, MDC, encrypted packet); returns the remaining ciphertext. */
  public Buffer finish() {
    if (finished) {
      throw new IllegalStateException("the message is finished");
    }
    finished = true;
    try {
      literalGenerator.close(); // closes the literal packet, not the streams under it
      encryptedGenerator.close(); // writes the MDC packet (RFC 9580 §5.13.1)
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sink.take();
  }

  /**
   * The ciphertext of {@code plain} as a stream, honouring back-pressure both ways (see
   * {@link EncryptingReadStream}). Keys are parsed now: a bad key throws
   * {@link IllegalArgumentException} before {@code plain} is touched.
   */
  public static ReadStream<Buffer> encrypt(ReadStream<Buffer> plain, List<String> armouredPublicKeys) {
    return to(armouredPublicKeys).encrypt(plain);
  }

  /**
   * This encryptor as a stream over {@code plain} (see {@link EncryptingReadStream}); for an
   * encryptor made by {@link #to(List, WorkerExecutor)}: pause {@code plain} while it is made.
   */
  public ReadStream<Buffer> encrypt(ReadStream<Buffer> plain) {
    return new EncryptingReadStream(plain, this);
  }

  /**
   * This encryptor as a stream over {@code head} then {@code plain}, encrypting on {@code cpu}
   * rather than on the event loop (see {@link WorkerEncryptingStream}); the encryptor is used by
   * one worker thread at a time. Call on {@code plain}'s context.
   */
  public ReadStream<Buffer> encryptOn(WorkerExecutor cpu, Buffer head, ReadStream<Buffer> plain) {
    return new WorkerEncryptingStream(plain, this, cpu, head);
  }

  /** Collects what the packet generators write until {@link #take()} hands it out. */
  private static final class BufferSink extends OutputStream {
    private Buffer pending = Buffer.buffer();

    @Override
    public void write(int b) {
      pending.appendByte((byte) b);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
      pending.appendBytes(bytes, offset, length);
    }

    Buffer take() {
      Buffer taken = pending;
      pending = Buffer.buffer();
      return taken;
    }
  }
}
