package dev.postern.smtp.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.postern.smtp.codec.SmtpServerDecoder.BareNewlines;
import dev.postern.smtp.codec.SmtpServerDecoder.Limits;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.smtp.LastSmtpContent;
import io.netty.handler.codec.smtp.SmtpContent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Jazzer target for {@link SmtpServerDecoder} in Netty's EmbeddedChannel, behind which a
 * {@link ScriptedSession} answers every pause (accepting or refusing, at once or in a later task).
 * In a normal {@code mvn test} it runs once per kept input under
 * {@code src/test/resources/dev/postern/smtp/codec/SmtpServerDecoderFuzzTestInputs/decode/};
 * {@code scripts/fuzz.sh smtp} fuzzes it.
 *
 * <p>Input layout (so seeds can be written by hand): byte 0 is flags (bit 0 NORMALIZE bare
 * newlines, bit 1 the default limits instead of 64/100/16, bit 2 answers deferred to a later
 * task); byte 1 is the session's script (bit i: accept the i-th pausing request); bytes 2 and 3
 * are the read sizes (1 + b % 64, alternating; byte 2 zero means one read); the rest is the wire.
 *
 * <p>A failure is: anything thrown into the pipeline (the decoder reports bad input only as
 * {@link SmtpViolation} messages); a message the session's state forbids (content outside DATA,
 * a command while the decoder should wait, anything after a fatal violation); more
 * end-of-data markers than accepted DATA commands; a content chunk over {@code maxDataChunk} or
 * not singly referenced; more buffered than the paused-input cap plus one text line after any
 * read; a buffer not released (Netty's PARANOID leak detection is on in the harness); or a
 * decode that does not end within 10 s.
 */
class SmtpServerDecoderFuzzTest {

  private static final int HEADER = 4;
  private static final ExecutorService WATCHDOG = Executors.newSingleThreadExecutor(r -> {
    Thread thread = new Thread(r, "smtp-decoder-fuzz");
    thread.setDaemon(true);
    return thread;
  });

  // No CR or LF in entries: Jazzer 0.30 writes them into libFuzzer's dictionary file raw, which
  // libFuzzer refuses, and escapes backslashes; the seed inputs carry the line endings instead.
  @DictionaryEntries({"DATA", "AUTH PLAIN", "STARTTLS", "BDAT 3", "MAIL FROM:<a@b>",
      "RCPT TO:<c@d>", "..", "GET / HTTP/1.1", "EHLO x", "NOOP", "RSET"})
  @FuzzTest(maxDuration = "10m")
  void decode(byte[] input) throws Exception {
    // "Never loops": each input is decoded on the watchdog thread and must end in 10 s (an
    // EmbeddedChannel's loop is whichever thread drives it). JUnit's @Timeout would also cap the
    // whole fuzzing run, so the bound is kept here.
    Future<?> run = WATCHDOG.submit(() -> decodeOnce(input));
    try {
      run.get(10, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      run.cancel(true);
      throw new AssertionError("decoding did not end within 10 s", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw (Exception) e.getCause();
    }
  }

  private static void decodeOnce(byte[] input) {
    byte[] header = Arrays.copyOf(input, HEADER);
    byte[] wire = input.length > HEADER ? Arrays.copyOfRange(input, HEADER, input.length) : new byte[0];
    BareNewlines mode = (header[0] & 1) != 0 ? BareNewlines.NORMALIZE : BareNewlines.REJECT;
    Limits limits = (header[0] & 2) != 0 ? Limits.DEFAULT : new Limits(64, 100, 16);
    boolean deferred = (header[0] & 4) != 0;
    List<Boolean> script = new ArrayList<>();
    for (int bit = 0; bit < 8; bit++) {
      script.add((header[1] >> bit & 1) != 0);
    }
    List<Integer> cuts = header[2] == 0 ? List.of()
        : List.of(1 + (header[2] & 0xff) % 64, 1 + (header[3] & 0xff) % 64);

    try (DecoderHarness smtp = new DecoderHarness(limits, mode)) {
      ScriptedSession session = new ScriptedSession(smtp.decoder, script, deferred);
      smtp.channel.pipeline().addLast(new ChunkCheck(limits.maxDataChunk()), session);
      smtp.feedBounded(SmtpServerDecoderPropertiesTest.split(wire, cuts));
      assertThat(session.modelViolations).isEmpty();
      assertThat(session.ends).isLessThanOrEqualTo(session.expectedData);
    }
  }

  /** Checks every content chunk on its way to the session: bounded, singly referenced. */
  private static final class ChunkCheck extends ChannelInboundHandlerAdapter {
    private final int maxChunk;

    ChunkCheck(int maxChunk) {
      this.maxChunk = maxChunk;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof SmtpContent chunk) {
        assertThat(chunk.refCnt()).isEqualTo(1);
        if (msg instanceof LastSmtpContent) {
          assertThat(chunk.content().readableBytes()).isZero();
        } else {
          assertThat(chunk.content().readableBytes()).isPositive().isLessThanOrEqualTo(maxChunk);
        }
      }
      ctx.fireChannelRead(msg);
    }
  }
}
