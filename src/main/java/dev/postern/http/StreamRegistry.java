package dev.postern.http;

import dev.postern.auth.KeyAuthenticator;
import dev.postern.auth.UnauthorizedException;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * This node's open live streams (issue #14 item 5): the bounds per key and per node, and the
 * streams to end when their key stops being usable (revoked or rotated on any node — the key
 * change NOTIFY reaches every node — or expired).
 */
public final class StreamRegistry {

  /** A stream the registry can end. */
  interface Stream {
    UUID keyId();

    /** Ends the response cleanly (the last chunk is written). Called on any thread. */
    void end();
  }

  private final int perKey;
  private final int perNode;
  private final KeyAuthenticator keys;
  private final AtomicInteger open = new AtomicInteger();
  /** Octets this node's streams have handed their responses that the sockets have not taken. */
  private final LongAdder unsent = new LongAdder();
  private final Map<UUID, Set<Stream>> byKey = new ConcurrentHashMap<>();

  public StreamRegistry(int perKey, int perNode, KeyAuthenticator keys) {
    this.perKey = perKey;
    this.perNode = perNode;
    this.keys = keys;
  }

  int perKey() {
    return perKey;
  }

  /** Why a stream was not admitted, or null when it was (then {@link #release} it once). */
  String admit(Stream stream) {
    if (open.incrementAndGet() > perNode) {
      open.decrementAndGet();
      return "node";
    }
    String[] refusal = {null};
    byKey.compute(stream.keyId(), (id, set) -> {
      Set<Stream> streams = set == null ? ConcurrentHashMap.newKeySet() : set;
      if (streams.size() >= perKey) {
        refusal[0] = "key";
      } else {
        streams.add(stream);
      }
      return streams.isEmpty() ? null : streams;
    });
    if (refusal[0] != null) {
      open.decrementAndGet();
    }
    return refusal[0];
  }

  void release(Stream stream) {
    boolean[] removed = {false};
    byKey.computeIfPresent(stream.keyId(), (id, streams) -> {
      removed[0] = streams.remove(stream);
      return streams.isEmpty() ? null : streams;
    });
    if (removed[0]) {
      open.decrementAndGet();
    }
  }

  /** Open streams on this node. */
  public int open() {
    return open.get();
  }

  /**
   * Octets written to this node's streams and not yet taken by their sockets: the memory slow
   * clients hold (each stream at most {@code inbox.stream_buffer_bytes} plus one event).
   */
  public long unsentBytes() {
    return unsent.sum();
  }

  void unsent(long delta) {
    unsent.add(delta);
  }

  /**
   * Re-checks the key of every open stream (after a key change NOTIFY, whose handler has already
   * dropped the authenticator's cache entry) and ends the streams of keys no longer usable.
   */
  public void recheckKeys() {
    byKey.keySet().forEach(this::recheck);
  }

  /** Ends the key's streams when it is revoked, rotated away or expired. */
  void recheck(UUID keyId) {
    keys.byId(keyId).onFailure(e -> {
      if (e instanceof UnauthorizedException) {
        Set<Stream> streams = byKey.get(keyId);
        if (streams != null) {
          streams.forEach(Stream::end);
        }
      }
    });
  }

  /** Ends every stream (shutdown: otherwise they would hold the server's grace period). */
  public void endAll() {
    byKey.values().forEach(streams -> streams.forEach(Stream::end));
  }
}
