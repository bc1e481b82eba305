package dev.postern.inbound.pgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.postern.blob.GeneratedStream;
import dev.postern.inbound.pgp.PgpDecryption.Decrypted;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.streams.ReadStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link OpenPgpStreamEncryptor#encrypt} over real Vert.x streams: file streams with their own
 * read-ahead and write queue, and a generator that emits one chunk per event-loop turn for as
 * long as it is not paused — so a paused reader that does not pause the source shows up as
 * plaintext read far ahead of the ciphertext handed out.
 */
@Timeout(120)
class EncryptingReadStreamTest {

  /** Plaintext the adapter may hold unencrypted: two packet buffers and a few source chunks. */
  private static final long MOST_HELD_BACK = 2L * OpenPgpStreamEncryptor.PARTIAL_CHUNK + 4 * 65_536;

  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  /** Counts what a source hands out, so a test can see how far ahead of the reader it ran. */
  private static final class Counted {
    long plaintextRead;
    long ciphertextOut;
    long mostHeldBack;
    int pauses;

    ReadStream<Buffer> count(ReadStream<Buffer> source) {
      return new ReadStream<>() {
        @Override
        public ReadStream<Buffer> handler(Handler<Buffer> handler) {
          source.handler(handler == null ? null : chunk -> {
            plaintextRead += chunk.length();
            mostHeldBack = Math.max(mostHeldBack, plaintextRead - ciphertextOut);
            handler.handle(chunk);
          });
          return this;
        }

        @Override
        public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
          source.exceptionHandler(handler);
          return this;
        }

        @Override
        public ReadStream<Buffer> endHandler(Handler<Void> handler) {
          source.endHandler(handler);
          return this;
        }

        @Override
        public ReadStream<Buffer> pause() {
          source.pause();
          return this;
        }

        @Override
        public ReadStream<Buffer> resume() {
          source.resume();
          return this;
        }

        @Override
        public ReadStream<Buffer> fetch(long amount) {
          source.fetch(amount);
          return this;
        }
      };
    }
  }

  private static Path plaintextFile(Path dir, long size, MessageDigest hash) throws IOException {
    Path file = dir.resolve("plain.eml");
    try (OutputStream out = new DigestOutputStream(Files.newOutputStream(file), hash)) {
      byte[] chunk = new byte[65_536];
      for (long at = 0; at < size; at += chunk.length) {
        int length = (int) Math.min(chunk.length, size - at);
        for (int i = 0; i < length; i++) {
          chunk[i] = (byte) ((at + i) * 2654435761L >>> 13);
        }
        out.write(chunk, 0, length);
      }
    }
    return file;
  }

  private static String decryptedSha256(Path ciphertext, TestPgpKeys keys, long size)
      throws Exception {
    MessageDigest hash = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(ciphertext);
        OutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), hash)) {
      Decrypted decrypted = PgpDecryption.decrypt(in, keys, out);
      OpenPgpStreamEncryptorTest.assertShape(decrypted, List.of(keys.encryptionKeyId()));
      assertThat(decrypted.plaintextBytes()).isEqualTo(size);
    }
    return HexFormat.of().formatHex(hash.digest());
  }

  /** Runs {@code task} after {@code turns} further event-loop turns of {@code context}. */
  private static void afterTurns(Context context, int turns, Runnable task) {
    if (turns == 0) {
      task.run();
    } else {
      context.runOnContext(v -> afterTurns(context, turns - 1, task));
    }
  }

  @Test
  void keysParsedOnAWorkerPoolThenAFilePipedIntoAFile(@TempDir Path dir) throws Exception {
    TestPgpKeys keys = TestPgpKeys.curve25519();
    long size = 8L << 20;
    MessageDigest plainHash = MessageDigest.getInstance("SHA-256");
    Path plain = plaintextFile(dir, size, plainHash);
    Path ciphertext = dir.resolve("message.pgp");
    Counted counted = new Counted();
    WorkerExecutor cpu = vertx.createSharedWorkerExecutor("pgp-test-cpu", 1);
    Future<Void> piped = vertx.fileSystem().open(plain.toString(), new OpenOptions().setRead(true))
        .compose(source -> vertx.fileSystem()
            .open(ciphertext.toString(), new OpenOptions().setWrite(true).setCreate(true))
            .compose(target -> {
              source.pause(); // while the worker prepares the encryptor
              return OpenPgpStreamEncryptor.to(List.of(keys.armouredPublic()), cpu)
                  .compose(encryptor -> encryptor.encrypt(counted.count(source))
                      .pipeTo(target)); // ends and closes the target
            }));
    piped.await();
    Throwable refused = catchThrowable(() -> OpenPgpStreamEncryptor.to(List.of("nope"), cpu).await());
    assertThat(refused).isInstanceOf(IllegalArgumentException.class);
    cpu.close().await();
    assertThat(counted.plaintextRead).isEqualTo(size);
    assertThat(decryptedSha256(ciphertext, keys, size))
        .isEqualTo(HexFormat.of().formatHex(plainHash.digest()));
  }

  @Test
  void aPausedReaderPausesTheFileItReadsFrom(@TempDir Path dir) throws Exception {
    TestPgpKeys keys = TestPgpKeys.rsa2048();
    long size = 4L << 20;
    MessageDigest plainHash = MessageDigest.getInstance("SHA-256");
    Path plain = plaintextFile(dir, size, plainHash);
    Path ciphertext = dir.resolve("message.pgp");
    Counted counted = new Counted();
    Context context = vertx.getOrCreateContext();
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> vertx.fileSystem()
        .open(plain.toString(), new OpenOptions().setRead(true))
        .compose(source -> vertx.fileSystem()
            .open(ciphertext.toString(), new OpenOptions().setWrite(true).setCreate(true))
            .onSuccess(target -> readPausingAfterEveryChunk(context,
                OpenPgpStreamEncryptor.encrypt(counted.count(source.setReadBufferSize(16_384)),
                    List.of(keys.armouredPublic())), target, counted, done)))
        .onFailure(done::tryFail));
    done.future().await();
    assertThat(counted.pauses).isGreaterThan(10); // the reader really paused, many times
    assertThat(counted.mostHeldBack).isLessThanOrEqualTo(MOST_HELD_BACK);
    assertThat(decryptedSha256(ciphertext, keys, size))
        .isEqualTo(HexFormat.of().formatHex(plainHash.digest()));
  }

  /** After each chunk: pause, stay paused for 50 event-loop turns, resume. */
  private static void readPausingAfterEveryChunk(Context context, ReadStream<Buffer> encrypted,
      AsyncFile target, Counted counted, Promise<Void> done) {
    encrypted.exceptionHandler(done::tryFail);
    encrypted.endHandler(v -> target.close().onComplete(done));
    encrypted.handler(chunk -> {
      counted.ciphertextOut += chunk.length();
      target.write(chunk);
      encrypted.pause();
      counted.pauses++;
      afterTurns(context, 50, encrypted::resume);
    });
  }

  @Test
  void aPausedOrFetchingReaderHoldsTheSourceBack() throws Exception {
    TestPgpKeys keys = TestPgpKeys.curve25519();
    long size = 6L << 20;
    Counted counted = new Counted();
    AtomicInteger fetched = new AtomicInteger();
    AtomicInteger received = new AtomicInteger();
    AtomicInteger overFetched = new AtomicInteger();
    Context context = vertx.getOrCreateContext();
    Promise<Void> done = Promise.promise();
    AtomicReference<GeneratedStream> sourceRef = new AtomicReference<>();
    context.runOnContext(v -> {
      GeneratedStream source = GeneratedStream.of(vertx, size);
      sourceRef.set(source);
      ReadStream<Buffer> encrypted = OpenPgpStreamEncryptor.encrypt(counted.count(source),
          List.of(keys.armouredPublic()));
      encrypted.pause();
      encrypted.exceptionHandler(done::tryFail);
      encrypted.endHandler(v2 -> done.tryComplete());
      encrypted.handler(chunk -> {
        counted.ciphertextOut += chunk.length();
        if (received.incrementAndGet() > fetched.get()) {
          overFetched.incrementAndGet(); // a chunk nobody asked for
        }
        // Half the time fetch(1) at once; else wait 30 turns first (the source would run on).
        afterTurns(context, received.get() % 2 == 0 ? 0 : 30, () -> {
          fetched.incrementAndGet();
          encrypted.fetch(1);
        });
      });
      fetched.incrementAndGet();
      encrypted.fetch(1);
    });
    done.future().await();
    assertThat(received.get()).isGreaterThan(50);
    assertThat(overFetched.get()).isZero();
    assertThat(counted.plaintextRead).isEqualTo(size);
    assertThat(counted.mostHeldBack).isLessThanOrEqualTo(MOST_HELD_BACK);
  }

  @Test
  void theSourcesFailureReachesTheReaderAndNoEndFollows() throws Exception {
    Context context = vertx.getOrCreateContext();
    Promise<Throwable> failed = Promise.promise();
    AtomicInteger ends = new AtomicInteger();
    AtomicInteger chunks = new AtomicInteger();
    context.runOnContext(v -> {
      ReadStream<Buffer> encrypted = OpenPgpStreamEncryptor.encrypt(
          GeneratedStream.failingAfter(vertx, 300_000),
          List.of(TestPgpKeys.rsa2048().armouredPublic()));
      encrypted.endHandler(v2 -> ends.incrementAndGet());
      encrypted.exceptionHandler(failed::tryComplete);
      encrypted.handler(chunk -> chunks.incrementAndGet());
    });
    Throwable failure = failed.future().await();
    assertThat(failure).isInstanceOf(IOException.class).hasMessageContaining("broke off");
    assertThat(chunks.get()).isPositive(); // some ciphertext flowed before the break
    // The failure was reported; an end after it would run on the same context, so one more
    // turn there settles it.
    Promise<Void> turn = Promise.promise();
    context.runOnContext(v -> turn.complete());
    turn.future().await();
    assertThat(ends.get()).isZero();
  }

  @Test
  void aBadKeyIsRefusedBeforeTheSourceIsTouched() {
    GeneratedStream source = GeneratedStream.of(vertx, 10);
    assertThatThrownBy(() -> OpenPgpStreamEncryptor.encrypt(source, List.of("nope")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("public key 1: ");
  }
}
