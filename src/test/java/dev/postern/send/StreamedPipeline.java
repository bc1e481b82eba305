package dev.postern.send;

import dev.postern.auth.AuthenticatedKey;
import dev.postern.blob.BlobStore;
import dev.postern.keys.KeyMode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntUnaryOperator;

/**
 * The streamed path below the database, for unit tests: header block read, parsed and rewritten,
 * body stored ({@link StreamedMimeStore}) into a real blob store with a chosen inline limit — the
 * same steps {@link SubmissionService#acceptStreamed} runs around sender policy, quota and commit.
 */
final class StreamedPipeline {

  static final String MAILBOX = "app@shop.example";

  /** What came out: the submission, and the stored message read back whole. */
  record Result(StreamedMessages.Parsed parsed, StreamedMimeStore.Stored stored, Buffer bytes) {

    String text() {
      return bytes.toString(StandardCharsets.UTF_8);
    }
  }

  private StreamedPipeline() {}

  static AuthenticatedKey mailboxKey() {
    return new AuthenticatedKey(UUID.randomUUID(), "t", KeyMode.LIVE, List.of(), UUID.randomUUID(),
        MAILBOX, UUID.randomUUID(), "shop.example", 100, null);
  }

  static AuthenticatedKey domainKey() {
    return new AuthenticatedKey(UUID.randomUUID(), "t", KeyMode.LIVE, List.of(), null, null,
        UUID.randomUUID(), "shop.example", 100, null);
  }

  static Result run(Vertx vertx, BlobStore blobs, long inlineLimit, long maxBytes, byte[] message,
      IntUnaryOperator chunks, AuthenticatedKey key, SmtpEnvelope envelope, StreamOptions options) {
    Context context = vertx.getOrCreateContext();
    Promise<Result> done = Promise.promise();
    context.runOnContext(v -> {
      DataSource source = DataSource.of(context, message, chunks);
      ReceivedMessageStream received = new ReceivedMessageStream(source, maxBytes);
      MessageDigest digest = sha256();
      HeaderBlockReader.read(received).compose(block -> {
        digest.update(block.raw().getBytes());
        StreamedMessages.Parsed parsed = StreamedMessages.parse(key, envelope, options, block,
            received, digest, Clock.systemUTC());
        String blobKey = "out/test/" + UUID.randomUUID() + ".eml";
        return StreamedMimeStore.store(blobs, inlineLimit, () -> blobKey,
                (MimeSource.Streamed) parsed.submission().mime())
            .compose(stored -> (stored.inline() != null ? Future.succeededFuture(stored.inline())
                : blobs.get(stored.blobKey())).map(bytes -> new Result(parsed, stored, bytes)));
      }).onFailure(err -> received.discard()).onComplete(done);
    });
    return await(done.future());
  }

  /** The result, or its failure as thrown; a hang fails the test after 30 s. */
  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] sha256(byte[] bytes) {
    return sha256().digest(bytes);
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
