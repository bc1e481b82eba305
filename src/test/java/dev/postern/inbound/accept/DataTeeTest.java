package dev.postern.inbound.accept;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.blob.GeneratedStream;
import dev.postern.inbound.pgp.OpenPgpStreamEncryptor;
import dev.postern.inbound.pgp.PgpDecryption;
import dev.postern.inbound.pgp.TestPgpKeys;
import dev.postern.refusal.Reason;
import dev.postern.refusal.Refusal;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link DataTee} feeding the MX's two writers of one message: a reader that pauses now and then
 * (as a blob put does) and the OpenPGP encryption on a worker pool; both get every octet, the
 * slower paces the source, and the size cap fails both.
 */
@Timeout(60)
class DataTeeTest {

  private static Vertx vertx;
  private static WorkerExecutor cpu;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    cpu = vertx.createSharedWorkerExecutor("tee-test-cpu", 2);
  }

  @AfterAll
  static void stop() {
    cpu.close().await();
    vertx.close().await();
  }

  /** Reads {@code stream} to its end, pausing for a timer tick every {@code pauseEvery} chunks. */
  private static Future<Buffer> collect(ReadStream<Buffer> stream, int pauseEvery) {
    Promise<Buffer> done = Promise.promise();
    Buffer all = Buffer.buffer();
    int[] chunks = {0};
    stream.exceptionHandler(done::tryFail);
    stream.endHandler(v -> done.tryComplete(all));
    stream.handler(chunk -> {
      all.appendBuffer(chunk);
      if (pauseEvery > 0 && ++chunks[0] % pauseEvery == 0) {
        stream.pause();
        vertx.setTimer(1, t -> stream.resume());
      }
    });
    return done.future();
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  @Test
  void bothWritersGetEveryOctetAndTheCiphertextDecryptsToTraceAndData() throws Exception {
    for (long size : List.of(0L, 10L, 400_000L, 3_000_000L)) {
      GeneratedStream source = GeneratedStream.of(vertx, size);
      Buffer head = Buffer.buffer("Received: from test\r\n");
      List<String> keys = List.of(TestPgpKeys.rsa2048().armouredPublic(),
          TestPgpKeys.curve25519().armouredPublic());
      long[] tapped = {0};
      Future<List<Buffer>> both = Future.<List<Buffer>>future(p -> vertx.runOnContext(v -> {
        DataTee tee = new DataTee(source, Long.MAX_VALUE, chunk -> tapped[0] += chunk.length());
        ReadStream<Buffer> plain = tee.branch();
        ReadStream<Buffer> sealed = tee.branch();
        Future<Buffer> plainDone = collect(plain, 3);
        Future<Buffer> sealedDone = OpenPgpStreamEncryptor.to(keys, cpu)
            .compose(encryptor -> collect(encryptor.encryptOn(cpu, head, sealed), 5));
        tee.start();
        Future.all(plainDone, sealedDone)
            .map(all -> List.of(plainDone.result(), sealedDone.result())).onComplete(p);
      }));
      List<Buffer> out = both.toCompletionStage().toCompletableFuture().get();
      assertThat(tapped[0]).isEqualTo(size);
      assertThat(out.get(0).length()).isEqualTo(size);
      assertThat(sha256(out.get(0).getBytes())).isEqualTo(source.sha256());
      for (TestPgpKeys key : List.of(TestPgpKeys.rsa2048(), TestPgpKeys.curve25519())) {
        ByteArrayOutputStream decrypted = new ByteArrayOutputStream();
        PgpDecryption.decrypt(new ByteArrayInputStream(out.get(1).getBytes()), key, decrypted);
        assertThat(decrypted.toByteArray()).isEqualTo(
            Buffer.buffer().appendBuffer(head).appendBuffer(out.get(0)).getBytes());
      }
    }
  }

  @Test
  void overTheCapBothWritersFailWithTooLarge() throws Exception {
    GeneratedStream source = GeneratedStream.of(vertx, 1_000_000);
    Future<Throwable> failure = Future.<Throwable>future(p -> vertx.runOnContext(v -> {
      DataTee tee = new DataTee(source, 500_000, chunk -> {});
      Future<Buffer> plain = collect(tee.branch(), 2);
      ReadStream<Buffer> sealedBranch = tee.branch();
      Future<Buffer> sealed = OpenPgpStreamEncryptor.to(
              List.of(TestPgpKeys.rsa2048().armouredPublic()), cpu)
          .compose(encryptor -> collect(encryptor.encryptOn(cpu, Buffer.buffer(), sealedBranch), 0));
      tee.start();
      Future.join(plain, sealed).onComplete(all -> {
        assertThat(plain.failed() && sealed.failed()).isTrue();
        p.complete(sealed.cause());
      });
    }));
    Throwable cause = failure.toCompletionStage().toCompletableFuture().get();
    assertThat(cause).isInstanceOf(Refusal.class);
    assertThat(((Refusal) cause).reason()).isEqualTo(Reason.TOO_LARGE);
  }
}
