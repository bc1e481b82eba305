package dev.postern.smtp.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.smtp.codec.SmtpServerDecoder.BareNewlines;
import dev.postern.smtp.codec.SmtpServerDecoder.Limits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.smtp.LastSmtpContent;
import io.netty.handler.codec.smtp.SmtpContent;
import io.netty.handler.codec.smtp.SmtpRequest;
import io.netty.util.ResourceLeakDetector;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * An SMTP server decoder in an EmbeddedChannel, with what it emits rendered as short strings:
 * {@code MAIL FROM:<a@b>|SIZE=1} (parameters joined by "|"), {@code content:<text>} (consecutive
 * chunks merged), {@code end-of-data}, {@code line:<text>}, {@code violation:KIND}. Every buffer it
 * emits is checked (one reference, chunk bound) and released, and every read handed to the
 * decoder must be released when the channel closes (plus Netty's PARANOID leak detection).
 */
final class DecoderHarness implements AutoCloseable {

  static {
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
  }

  final SmtpServerDecoder decoder;
  final EmbeddedChannel channel;
  private final Limits limits;
  /** Every chunk's size, in order, for the chunk-bound checks. */
  final List<Integer> chunkSizes = new ArrayList<>();
  /** Every buffer handed to the decoder: each must be released once the channel is closed. */
  private final List<ByteBuf> reads = new ArrayList<>();

  DecoderHarness(BareNewlines mode) {
    this(Limits.DEFAULT, mode);
  }

  DecoderHarness(Limits limits, BareNewlines mode) {
    this.limits = limits;
    this.decoder = new SmtpServerDecoder(limits, mode);
    this.channel = new EmbeddedChannel(decoder);
  }

  /** Writes the text as ISO-8859-1 octets (so "\u0000" or "\u0016" are single bytes). */
  List<String> write(String octets) {
    return write(octets.getBytes(StandardCharsets.ISO_8859_1));
  }

  List<String> write(byte[] octets) {
    feed(octets);
    return drain();
  }

  /** One read of these octets, without running tasks or reading what comes out. */
  void feed(byte[] octets) {
    ByteBuf read = Unpooled.wrappedBuffer(octets);
    reads.add(read);
    channel.writeInbound(read);
  }

  /**
   * Feeds each piece as one read to a pipeline whose handlers consume what the decoder emits,
   * running its tasks after each, and checks that what the decoder holds stays bounded: the
   * paused-input limit plus one text line.
   */
  void feedBounded(List<byte[]> pieces) {
    for (byte[] piece : pieces) {
      feed(piece);
      channel.runPendingTasks();
      channel.checkException();
      assertThat(buffered()).isLessThanOrEqualTo(decoder.pausedInputLimit() + limits.maxTextLine());
    }
  }

  /** Writes the octets one at a time, in as many reads. */
  List<String> writeByteByByte(String octets) {
    byte[] bytes = octets.getBytes(StandardCharsets.ISO_8859_1);
    for (byte b : bytes) {
      feed(new byte[] {b});
    }
    return drain();
  }

  /** Runs the decoding the expect* calls scheduled, and returns what it emitted. */
  List<String> drain() {
    channel.runPendingTasks();
    channel.checkException();
    List<Object> raw = new ArrayList<>();
    for (Object message; (message = channel.readInbound()) != null; ) {
      raw.add(message);
    }
    return render(raw);
  }

  int buffered() {
    return decoder.bufferedOctets();
  }

  private List<String> render(List<Object> messages) {
    List<String> events = new ArrayList<>();
    ByteArrayOutputStream content = null;
    for (Object message : messages) {
      if (message instanceof SmtpContent chunk && !(message instanceof LastSmtpContent)) {
        ByteBuf buf = chunk.content();
        assertThat(chunk.refCnt()).isEqualTo(1);
        assertThat(buf.readableBytes()).isPositive().isLessThanOrEqualTo(limits.maxDataChunk());
        chunkSizes.add(buf.readableBytes());
        if (content == null) {
          content = new ByteArrayOutputStream();
        }
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        content.writeBytes(bytes);
        chunk.release();
        continue;
      }
      if (content != null) {
        events.add("content:" + content.toString(StandardCharsets.ISO_8859_1));
        content = null;
      }
      events.add(describe(message));
    }
    if (content != null) {
      events.add("content:" + content.toString(StandardCharsets.ISO_8859_1));
    }
    return events;
  }

  private static String describe(Object message) {
    if (message instanceof LastSmtpContent last) {
      assertThat(last.content().readableBytes()).isZero();
      last.release();
      return "end-of-data";
    }
    if (message instanceof SmtpRequest request) {
      String parameters = request.parameters().stream().map(CharSequence::toString)
          .collect(Collectors.joining("|"));
      String verb = request.command().name().toString();
      return parameters.isEmpty() ? verb : verb + " " + parameters;
    }
    if (message instanceof SmtpTextLine line) {
      return "line:" + line.line();
    }
    if (message instanceof SmtpViolation violation) {
      return "violation:" + violation.kind();
    }
    throw new AssertionError("unexpected message " + message);
  }

  @Override
  public void close() {
    channel.finishAndReleaseAll();
    assertThat(reads).allMatch(read -> read.refCnt() == 0, "released by the decoder");
  }
}
