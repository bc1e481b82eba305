package dev.postern.inbound.parse;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.io.MaxHeaderLengthLimitException;
import org.apache.james.mime4j.io.MaxHeaderLimitException;
import org.apache.james.mime4j.io.MaxLineLimitException;
import org.apache.james.mime4j.stream.EntityState;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.stream.MimeTokenStream;
import org.apache.james.mime4j.stream.RecursionMode;

/**
 * {@link MailParser} on mime4j's streaming {@link MimeTokenStream}: one pass over the octets, no
 * tree, every cap of {@link ParseLimits} checked by us on the token that would exceed it, before
 * mime4j goes deeper (released mime4j has no depth limit and overflows its stack on multiparts
 * nested 10 000 deep). A message/rfc822 part is an attachment, not descended into
 * ({@link RecursionMode#M_NO_RECURSE}). What {@link MailAssembler} makes of the tokens is described
 * there.
 *
 * <p>Never throws for what the stream holds: a cap, a syntax error mime4j gives up on, an I/O
 * error of the stream, and defensively a {@link StackOverflowError} or {@link OutOfMemoryError}
 * raised while parsing (the parse's own buffers are unreachable once it unwinds) all end the parse
 * with {@code failed} set and what was read before kept. The stream is not closed: the caller owns
 * it. Blocking and CPU-bound: run on a worker pool. Thread-safe: one instance serves every
 * worker (all state of a parse is local to the call).
 */
public final class Mime4jMailParser implements MailParser {

  private final ParseLimits limits;

  public Mime4jMailParser() {
    this(ParseLimits.DEFAULTS);
  }

  public Mime4jMailParser(ParseLimits limits) {
    this.limits = limits;
  }

  @Override
  public ParsedMail parse(InputStream raw) {
    Problems problems = new Problems();
    MailAssembler mail = new MailAssembler(limits, problems);
    try {
      read(raw, mail, problems);
    } catch (CapReached e) {
      // already noted by whoever threw it
    } catch (MimeException | IOException | RuntimeException e) {
      problems.fail(mime4jLimit(e).orElseGet(() -> "parsing stopped: " + describe(e)));
    } catch (StackOverflowError e) {
      problems.fail("parsing stopped: stack overflow");
    } catch (OutOfMemoryError e) {
      problems.fail("parsing stopped: out of memory");
    }
    try {
      return mail.build();
    } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
      problems.fail("assembling the parsed message failed: " + describe(e));
      return new ParsedMail(Optional.empty(), Optional.empty(), List.of(), Optional.empty(),
          List.of(), List.of(), List.of(), "", Optional.empty(), List.of(), Optional.empty(),
          Optional.empty(), List.of(), true, problems.list());
    }
  }

  private void read(InputStream raw, MailAssembler mail, Problems problems)
      throws IOException, MimeException {
    MimeTokenStream tokens = new MimeTokenStream(mimeConfig(limits));
    tokens.setRecursionMode(RecursionMode.M_NO_RECURSE);
    tokens.parse(raw);
    int parts = 1;
    int depth = 0;
    int fields = 0;
    long headerBytes = 0;
    for (EntityState state = tokens.getState(); state != EntityState.T_END_OF_STREAM;
        state = tokens.next()) {
      switch (state) {
        case T_START_BODYPART -> {
          if (++parts > limits.maxParts()) {
            problems.fail("more than " + limits.maxParts() + " MIME parts: the rest was not parsed");
            return;
          }
          mail.startPart();
        }
        case T_START_HEADER -> {
          fields = 0;
          headerBytes = 0;
        }
        case T_FIELD -> {
          byte[] octets = tokens.getField().getRaw().toByteArray();
          headerBytes += octets.length + 2L;
          if (++fields > limits.maxHeaderFields()) {
            problems.fail("more than " + limits.maxHeaderFields()
                + " header fields in one part: the rest was not parsed");
            return;
          }
          if (headerBytes > limits.maxHeaderBytes()) {
            problems.fail("a header block longer than " + limits.maxHeaderBytes()
                + " bytes: the rest was not parsed");
            return;
          }
          mail.field(octets);
        }
        case T_START_MULTIPART -> {
          if (++depth > limits.maxDepth()) {
            problems.fail("multiparts nested deeper than " + limits.maxDepth()
                + ": the rest was not parsed");
            return;
          }
        }
        case T_END_MULTIPART -> depth--;
        case T_BODY -> mail.body(tokens.getBodyDescriptor(), tokens.getDecodedInputStream());
        default -> {
          // preamble, epilogue, end markers: nothing to keep
        }
      }
    }
  }

  /**
   * mime4j's own limits, set from ours: the header field count sits one above ours so ours trips
   * first; the field length is per field there and per block here, so one field cannot outgrow the
   * block; the line length is enforced by mime4j alone (on header lines: body lines are streamed).
   * Whichever trips, {@link #mime4jLimit} reports it in our words.
   */
  static MimeConfig mimeConfig(ParseLimits limits) {
    return MimeConfig.custom()
        .setStrictParsing(false)
        .setMaxLineLen(limits.maxLineBytes())
        .setMaxHeaderCount(limits.maxHeaderFields() + 1)
        .setMaxHeaderLen(limits.maxHeaderBytes())
        .setMaxContentLen(-1)
        .build();
  }

  /** mime4j's own limits (set from ours in {@link #mimeConfig}) said in our words. */
  private Optional<String> mime4jLimit(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof MaxLineLimitException) {
        return Optional.of("a line longer than the line length cap of " + limits.maxLineBytes()
            + " bytes: the rest was not parsed");
      }
      if (t instanceof MaxHeaderLengthLimitException) {
        return Optional.of("a header field longer than " + limits.maxHeaderBytes()
            + " bytes: the rest was not parsed");
      }
      if (t instanceof MaxHeaderLimitException) {
        return Optional.of("more than " + limits.maxHeaderFields()
            + " header fields in one part: the rest was not parsed");
      }
    }
    return Optional.empty();
  }

  static String describe(Throwable e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName()
        + (message == null ? "" : ": " + TextDecoding.shorten(message.replaceAll("[\\r\\n]+", " ")));
  }

  /** A cap stopped the parse; the problem is noted before this is thrown. No stack trace. */
  static final class CapReached extends RuntimeException {
    CapReached() {
      super(null, null, false, false);
    }
  }
}
