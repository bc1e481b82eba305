package dev.postern.smtp.codec;

import dev.postern.smtp.codec.SmtpViolation.Kind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.smtp.DefaultSmtpRequest;
import io.netty.handler.codec.smtp.LastSmtpContent;
import io.netty.handler.codec.smtp.SmtpCommand;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The server side of SMTP's wire format: bytes in, one message per unit the session answers.
 *
 * <ul>
 *   <li>Each command line becomes a {@link io.netty.handler.codec.smtp.SmtpRequest}: the verb
 *       upper-cased ({@code SmtpCommand.valueOf}; unknown verbs too), the rest split on spaces
 *       into parameters exactly as sent ("FROM:&lt;a@b&gt;", "SIZE=123"). An empty (or
 *       all-space) line is a request whose command is {@link SmtpCommand#EMPTY}.
 *   <li>After {@link #expectData()}: {@link io.netty.handler.codec.smtp.SmtpContent} chunks of
 *       un-dot-stuffed content with CRLF kept, then {@link LastSmtpContent#EMPTY_LAST_CONTENT}
 *       (always empty: a marker) at CRLF "." CRLF; see {@link DataContentReader}.
 *   <li>After {@link #expectLine()}: one {@link SmtpTextLine} (RFC 4954 §4).
 *   <li>Refused input: an {@link SmtpViolation} in its place; when it
 *       {@linkplain SmtpViolation#closesConnection() closes the connection} the decoder discards
 *       everything after it, for good.
 * </ul>
 *
 * <p>Pipelining safety (RFC 2920 §3.1, RFC 3207 §4.2): after a DATA, AUTH, STARTTLS or BDAT
 * request, after the one text line, after a LastSmtpContent, and after a violation in line mode,
 * the decoder pauses: it keeps further bytes buffered, undecoded, until the handler calls exactly
 * one of {@link #expectData()}, {@link #expectLine()}, {@link #expectCommands()} or
 * {@link #discardBufferedAndExpectCommands()}. Those run on the channel's event loop and decode
 * what is already buffered in a later task (never re-entering a running decode). While paused,
 * at most {@link #pausedInputLimit()} octets are kept; more is PIPELINED_INPUT_TOO_LARGE. So a
 * violation that closes the connection can arrive while the session's answer is pending (as can
 * BARE_LF / LONE_CR found in the rest of a too-long line, which is discarded even while paused).
 * Calling a resume method when the decoder is not paused is a bug (IllegalStateException); after
 * a closing violation it does nothing. A connection that ends inside DATA gets no
 * LastSmtpContent: the transaction is abandoned.
 */
public final class SmtpServerDecoder extends ByteToMessageDecoder {

  /**
   * Line and chunk sizes. RFC 5321 §4.5.3.1.4: command line ≤ 512 octets incl. CRLF;
   * §4.5.3.1.6: text line ≤ 1000 incl. CRLF (DATA lines and AUTH continuations).
   */
  public record Limits(int maxCommandLine, int maxTextLine, int maxDataChunk) {
    public static final Limits DEFAULT = new Limits(512, 1000, 8192);

    public Limits {
      if (maxCommandLine < 3 || maxTextLine < 3 || maxDataChunk < 1) {
        throw new IllegalArgumentException("limits too small: " + maxCommandLine + ", "
            + maxTextLine + ", " + maxDataChunk);
      }
    }
  }

  /** What a bare LF means (a lone CR is refused in both). */
  public enum BareNewlines {
    /** Refused, the connection closed: the default (SMTP smuggling). */
    REJECT,
    /** Read as CRLF, as Postfix's {@code smtpd_forbid_bare_newline = normalize}; only a real
     *  CRLF "." CRLF ends DATA. For old devices on the LAN shim. */
    NORMALIZE
  }

  private enum Mode { COMMANDS, PAUSED, DATA, LINE, STOPPED }

  private static final Set<String> PAUSING_VERBS = Set.of("DATA", "AUTH", "STARTTLS", "BDAT");
  private static final Set<String> HTTP_METHODS =
      Set.of("GET", "POST", "HEAD", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");
  private static final byte TLS_HANDSHAKE_RECORD = 0x16;

  private final Limits limits;
  private final boolean normalize;
  private final DataContentReader data;
  private final int pausedInputLimit;

  private ChannelHandlerContext ctx;
  private Mode mode = Mode.COMMANDS;
  /** Inside a too-long line: its remaining octets are dropped up to its end, in any mode. */
  private boolean discardingLine;
  private boolean sawFirstByte;

  public SmtpServerDecoder(Limits limits, BareNewlines mode) {
    this.limits = limits;
    this.normalize = mode == BareNewlines.NORMALIZE;
    this.data = new DataContentReader(limits.maxTextLine(), limits.maxDataChunk(), normalize);
    // A pipelined group after an end of data is at most RSET, MAIL, ~100 RCPT and DATA.
    this.pausedInputLimit = Math.max(64 * 1024, 128 * limits.maxCommandLine());
  }

  /** The session answered 354: decode the following bytes as mail data. */
  public void expectData() {
    resume(() -> {
      data.begin();
      mode = Mode.DATA;
    });
  }

  /** The session sent a 334 challenge: decode one text line. */
  public void expectLine() {
    resume(() -> mode = Mode.LINE);
  }

  /** Continue with commands (DATA or STARTTLS refused, AUTH finished, data answered). */
  public void expectCommands() {
    resume(() -> mode = Mode.COMMANDS);
  }

  /**
   * STARTTLS accepted: drop every octet received so far (RFC 3207 §4.2, CVE-2011-0411: commands
   * pipelined after STARTTLS in plaintext must not run inside TLS), then continue with commands.
   */
  public void discardBufferedAndExpectCommands() {
    resume(() -> {
      ByteBuf buffered = internalBuffer();
      buffered.skipBytes(buffered.readableBytes());
      discardingLine = false;
      mode = Mode.COMMANDS;
    });
  }

  /**
   * True while the decoder waits to be told how to read on (after DATA, AUTH, STARTTLS, BDAT,
   * an AUTH line or the end of data): exactly when one of the {@code expect…} methods may be called.
   */
  public boolean waitingForAnswer() {
    return mode == Mode.PAUSED;
  }

  /** Octets kept undecoded while paused before the client is cut off. */
  public int pausedInputLimit() {
    return pausedInputLimit;
  }

  /** Octets received and not decoded yet (waiting for a line end, or for the session). */
  public int bufferedOctets() {
    return internalBuffer().readableBytes();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  private void resume(Runnable change) {
    ChannelHandlerContext context = ctx;
    if (context == null) {
      throw new IllegalStateException("the decoder is not in a pipeline");
    }
    if (!context.executor().inEventLoop()) {
      context.executor().execute(() -> resume(change));
      return;
    }
    if (mode == Mode.STOPPED) {
      return;
    }
    if (mode != Mode.PAUSED) {
      throw new IllegalStateException("the decoder is not waiting for an answer (" + mode + ")");
    }
    change.run();
    context.executor().execute(() -> decodeBuffered(context));
  }

  /** Decodes what arrived while paused, as if it had just been read. */
  private void decodeBuffered(ChannelHandlerContext context) {
    if (context.isRemoved() || !internalBuffer().isReadable()) {
      return;
    }
    try {
      channelRead(context, Unpooled.EMPTY_BUFFER);
      channelReadComplete(context);
    } catch (Exception e) {
      context.fireExceptionCaught(e);
    }
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (mode == Mode.STOPPED) {
      in.skipBytes(in.readableBytes());
      return;
    }
    if (discardingLine) {
      int skipped = CrlfLines.skipRestOfLine(in, normalize);
      if (skipped == CrlfLines.ENDED) {
        discardingLine = false;
      } else if (skipped != CrlfLines.NEED_MORE) {
        stop(in, out, lineEndingViolation(skipped));
      }
      return;
    }
    switch (mode) {
      case PAUSED -> {
        if (in.readableBytes() > pausedInputLimit) {
          stop(in, out, new SmtpViolation(Kind.PIPELINED_INPUT_TOO_LARGE, "more than "
              + pausedInputLimit + " octets sent before the previous command was answered"));
        }
      }
      case COMMANDS -> decodeCommand(in, out);
      case LINE -> decodeTextLine(in, out);
      case DATA -> decodeData(ctx, in, out);
      default -> throw new IllegalStateException(mode.name());
    }
  }

  private void decodeCommand(ByteBuf in, List<Object> out) {
    if (!sawFirstByte) {
      sawFirstByte = true;
      if (in.getByte(in.readerIndex()) == TLS_HANDSHAKE_RECORD) {
        stop(in, out, new SmtpViolation(Kind.TLS_HANDSHAKE_ON_PLAINTEXT,
            "a TLS handshake on a plaintext SMTP port"));
        return;
      }
    }
    int maxContent = limits.maxCommandLine() - 2;
    int length = CrlfLines.scan(in, maxContent, normalize);
    if (length == CrlfLines.NEED_MORE) {
      return;
    }
    if (length == CrlfLines.TOO_LONG) {
      in.skipBytes(maxContent + 1);
      discardingLine = true;
      out.add(new SmtpViolation(Kind.COMMAND_TOO_LONG,
          "command line longer than " + limits.maxCommandLine() + " octets"));
      return;
    }
    if (length < 0) {
      stop(in, out, lineEndingViolation(length));
      return;
    }
    String line = takeLine(in, length, out);
    if (line == null) {
      return;
    }
    int space = line.indexOf(' ');
    String verb = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
    if (HTTP_METHODS.contains(verb)) {
      stop(in, out, new SmtpViolation(Kind.HTTP_REQUEST, "an HTTP request on an SMTP port"));
      return;
    }
    List<CharSequence> parameters = new ArrayList<>();
    if (space >= 0) {
      for (String token : line.substring(space + 1).split(" ")) {
        if (!token.isEmpty()) {
          parameters.add(token);
        }
      }
    }
    out.add(new DefaultSmtpRequest(SmtpCommand.valueOf(verb),
        parameters.toArray(CharSequence[]::new)));
    if (PAUSING_VERBS.contains(verb)) {
      mode = Mode.PAUSED;
    }
  }

  private void decodeTextLine(ByteBuf in, List<Object> out) {
    int maxContent = limits.maxTextLine() - 2;
    int length = CrlfLines.scan(in, maxContent, normalize);
    if (length == CrlfLines.NEED_MORE) {
      return;
    }
    if (length == CrlfLines.TOO_LONG) {
      in.skipBytes(maxContent + 1);
      discardingLine = true;
      mode = Mode.PAUSED;
      out.add(new SmtpViolation(Kind.TEXT_LINE_TOO_LONG,
          "line longer than " + limits.maxTextLine() + " octets"));
      return;
    }
    if (length < 0) {
      stop(in, out, lineEndingViolation(length));
      return;
    }
    mode = Mode.PAUSED;
    String line = takeLine(in, length, out);
    if (line != null) {
      out.add(new SmtpTextLine(line));
    }
  }

  /** Consumes a complete line; null (and a NUL_BYTE violation) if it holds a NUL octet. */
  private static String takeLine(ByteBuf in, int length, List<Object> out) {
    int start = in.readerIndex();
    int terminator = CrlfLines.terminatorLength(in, length);
    boolean hasNul = in.indexOf(start, start + length, (byte) 0) >= 0;
    // RFC 6531 §3.3: with SMTPUTF8, paths may be UTF-8; invalid sequences become U+FFFD.
    String line = hasNul ? null : in.toString(start, length, StandardCharsets.UTF_8);
    in.skipBytes(length + terminator);
    if (hasNul) {
      out.add(new SmtpViolation(Kind.NUL_BYTE, "a NUL octet in a line"));
    }
    return line;
  }

  private void decodeData(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    switch (data.read(in, out, ctx.alloc())) {
      case END_OF_DATA -> {
        out.add(LastSmtpContent.EMPTY_LAST_CONTENT);
        mode = Mode.PAUSED;
      }
      case BARE_LF -> stop(in, out, lineEndingViolation(CrlfLines.BARE_LF));
      case LONE_CR -> stop(in, out, lineEndingViolation(CrlfLines.LONE_CR));
      case NEED_MORE -> { }
      default -> throw new IllegalStateException();
    }
  }

  private static SmtpViolation lineEndingViolation(int scanResult) {
    return scanResult == CrlfLines.BARE_LF
        ? new SmtpViolation(Kind.BARE_LF, "a bare LF (lines must end with CRLF)")
        : new SmtpViolation(Kind.LONE_CR, "a CR not followed by LF");
  }

  /** A fatal violation: emits it once and discards everything from now on. */
  private void stop(ByteBuf in, List<Object> out, SmtpViolation violation) {
    in.skipBytes(in.readableBytes());
    mode = Mode.STOPPED;
    discardingLine = false;
    out.add(violation);
  }
}
