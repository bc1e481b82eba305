package dev.postern.delivery.smtp;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * What goes between DATA and the final dot: optional header lines to put first (a
 * DKIM-Signature) and the stored MIME, either small and in memory or opened as a stream only
 * once the relay has said 354, so an unused stream is never left open.
 */
public interface DataContent {

  /** Lines written before the MIME, each ending in CRLF; empty for none. */
  Buffer head();

  /** Octets of head plus MIME, for SIZE= (RFC 1870). */
  long size();

  /** The whole MIME if small, else null and {@link #open()} streams it. */
  Buffer inline();

  Future<ReadStream<Buffer>> open();
}
