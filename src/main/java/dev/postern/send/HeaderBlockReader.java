package dev.postern.send;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;

/**
 * Reads the header block from the front of a received message and no further: the octets up to
 * the empty line that ends it (RFC 5322 §2.1), at most {@link HeaderBlock#MAX_BYTES} of them.
 * What it read past the block (the empty line and the start of the body) is given back to the
 * stream, which it leaves paused and without handlers for the next reader. A message without an
 * empty line is all header (a message may have no body, RFC 5322 §3.5).
 */
final class HeaderBlockReader {

  private static final byte[] END = {'\r', '\n', '\r', '\n'};

  private final ReceivedMessageStream stream;
  private final Promise<HeaderBlock> result = Promise.promise();
  private Buffer read = Buffer.buffer();
  private int scanned;
  private boolean done;

  private HeaderBlockReader(ReceivedMessageStream stream) {
    this.stream = stream;
  }

  /** The parsed block; fails with a refusal (caps, syntax) or the stream's failure. */
  static Future<HeaderBlock> read(ReceivedMessageStream stream) {
    HeaderBlockReader reader = new HeaderBlockReader(stream);
    stream.exceptionHandler(reader::fail);
    stream.endHandler(v -> reader.split(reader.read.length()));
    stream.handler(reader::onChunk);
    stream.resume();
    return reader.result.future();
  }

  private void onChunk(Buffer chunk) {
    if (done) {
      return;
    }
    read.appendBuffer(chunk);
    if (read.length() >= 2 && read.getByte(0) == '\r' && read.getByte(1) == '\n') {
      split(0); // no header fields at all: the body starts at once
      return;
    }
    int end = indexOfEnd(Math.max(0, scanned - END.length + 1));
    if (end >= 0) {
      split(end + 2);
    } else if (read.length() > HeaderBlock.MAX_BYTES + END.length) {
      fail(HeaderBlock.tooLarge());
    } else {
      scanned = read.length();
    }
  }

  /** Ends the read: the first {@code headerLength} octets are the block, the rest goes back. */
  private void split(int headerLength) {
    if (done) {
      return;
    }
    done = true;
    stream.pause();
    stream.handler(null);
    stream.endHandler(null);
    stream.exceptionHandler(null);
    Buffer header = read.getBuffer(0, headerLength);
    stream.unshift(read.getBuffer(headerLength, read.length()), true);
    read = null;
    try {
      result.complete(HeaderBlock.parse(header));
    } catch (RuntimeException e) {
      result.fail(e);
    }
  }

  private void fail(Throwable err) {
    if (!done) {
      done = true;
      read = null;
      result.fail(err);
    }
  }

  private int indexOfEnd(int from) {
    for (int i = from; i + END.length <= read.length(); i++) {
      if (read.getByte(i) == '\r' && read.getByte(i + 1) == '\n' && read.getByte(i + 2) == '\r'
          && read.getByte(i + 3) == '\n') {
        return i;
      }
    }
    return -1;
  }
}
