package dev.postern.blob;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.List;

/**
 * Where MIME messages and attachments live, under keys like {@code out/2026/11/22/<uuid>.eml}.
 *
 * <p>Contract, shared by every adapter and checked by {@code BlobStoreContract}:
 * <ul>
 *   <li>A put is durable once its future succeeds: that is what lets us answer 200 after it.</li>
 *   <li>A failed or interrupted put leaves nothing visible under the key (the previous object,
 *       if any, stays); readers never see a half-written blob.</li>
 *   <li>Overwriting a key replaces the object atomically.</li>
 *   <li>Keys are checked by {@link BlobKey#requireValid}; a bad key fails the call with
 *       {@link IllegalArgumentException} before any I/O.</li>
 *   <li>A missing object fails reads with {@link BlobNotFoundException}; an unreachable or broken
 *       store fails any call with {@link BlobStoreException}.</li>
 * </ul>
 * Futures complete on the caller's Vert.x context; no method blocks the calling thread.
 */
public interface BlobStore {

  /** Stores a small object held whole in memory. */
  Future<Void> put(String key, Buffer content);

  /**
   * Stores an object of unknown length as it arrives, pausing {@code content} when the store
   * falls behind, and never holding the whole object in memory. Call it from the stream's
   * context. Fails (and stores nothing) if the stream reports an exception.
   *
   * @return the number of bytes written
   */
  Future<Long> put(String key, ReadStream<Buffer> content);

  /** Reads a small object whole; fails with {@link BlobNotFoundException} when absent. */
  Future<Buffer> get(String key);

  /**
   * Opens a possibly huge object for streaming; fails with {@link BlobNotFoundException} when
   * absent. The stream honours back-pressure and releases its file or connection when it ends,
   * fails, or its handler is set back to {@code null} (as a {@code Pipe} does when it stops);
   * a caller that abandons it otherwise must read it to the end.
   */
  Future<ReadStream<Buffer>> open(String key);

  /** Removes the object; {@code true} if it existed. */
  Future<Boolean> delete(String key);

  Future<Boolean> exists(String key);

  /** Up to {@code max} objects whose key starts with {@code prefix} (may be empty), by key. */
  Future<List<BlobInfo>> list(String prefix, int max);

  /** Readiness probe: a cheap check that the store is reachable and usable. */
  Future<Void> ping();

  /** Releases threads and connections; the store is unusable afterwards. */
  Future<Void> close();
}
