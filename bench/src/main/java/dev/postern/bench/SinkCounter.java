package dev.postern.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * How many messages Postfix's {@code smtp-sink -c} has received so far. With {@code -c} the sink
 * writes its running counters to stdout, one record {@code "sess=N quit=N mesg=N"} ended by a
 * carriage return, after each session end, QUIT and final "." (it flushes each record); run.sh
 * sends that stdout to a file, and this reads the last complete record of the file's tail.
 * {@code mesg} counts mail transactions ended by "." (a message with several recipients counts
 * once).
 */
final class SinkCounter {

  /** A record is ~30 bytes; this many bytes always hold a complete one. */
  private static final int TAIL = 256;

  private final Path file;

  SinkCounter(Path file) {
    this.file = file;
  }

  long messages() throws IOException {
    if (!Files.exists(file)) {
      return 0;
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      long from = Math.max(0, size - TAIL);
      ByteBuffer tail = ByteBuffer.allocate((int) (size - from));
      while (tail.hasRemaining() && channel.read(tail, from + tail.position()) > 0) {
        // read to the end of the tail
      }
      return parse(new String(tail.array(), 0, tail.position(), StandardCharsets.US_ASCII));
    }
  }

  /**
   * The {@code mesg} of the last complete record in {@code tail}; a record still being written
   * (no carriage return after it yet) is ignored. 0 when there is none.
   */
  static long parse(String tail) {
    int end = tail.lastIndexOf('\r');
    if (end < 0) {
      return 0;
    }
    int at = tail.lastIndexOf("mesg=", end);
    if (at < 0) {
      return 0;
    }
    String digits = tail.substring(at + 5, end).trim();
    int stop = 0;
    while (stop < digits.length() && Character.isDigit(digits.charAt(stop))) {
      stop++;
    }
    return stop == 0 ? 0 : Long.parseLong(digits.substring(0, stop));
  }
}
