package dev.postern.blob;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Length and SHA-256 of a stream, read one chunk per {@code fetch(1)} to exercise demand. */
public record StreamDigest(long length, String sha256) {

  /** Call on the stream's context. */
  public static Future<StreamDigest> of(ReadStream<Buffer> stream) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      return Future.failedFuture(e);
    }
    Promise<StreamDigest> result = Promise.promise();
    long[] length = {0};
    stream.pause();
    stream.exceptionHandler(result::tryFail);
    stream.endHandler(v -> result.tryComplete(
        new StreamDigest(length[0], HexFormat.of().formatHex(digest.digest()))));
    stream.handler(chunk -> {
      digest.update(chunk.getBytes());
      length[0] += chunk.length();
      stream.fetch(1);
    });
    stream.fetch(1);
    return result.future();
  }
}
