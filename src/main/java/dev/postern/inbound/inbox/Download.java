package dev.postern.inbound.inbox;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * Octets to hand to a client: either held whole ({@code inline}, small) or opened as a stream
 * from the blob store (the reader must consume it or set its handler back to null).
 *
 * @param size the length when known, else -1
 * @param filename null for the raw message
 */
public record Download(Buffer inline, ReadStream<Buffer> stream, long size, String contentType,
    String filename) {}
