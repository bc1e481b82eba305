package dev.postern.smtp.codec;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.smtp.LastSmtpContent;
import io.netty.handler.codec.smtp.SmtpContent;
import io.netty.handler.codec.smtp.SmtpRequest;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A stand-in for the lead's handler in fuzz runs: it answers every message that pauses the
 * decoder with one resume call chosen by a script of booleans (accept or refuse), synchronously
 * from channelRead or in a later task, and records a model violation when a message arrives that
 * the state it asked for does not allow (content outside DATA, a command while waiting, anything
 * after a fatal violation).
 */
final class ScriptedSession extends ChannelInboundHandlerAdapter {

  private enum Expecting { COMMANDS, WAITING, DATA, LINE, CLOSED }

  private static final Set<String> PAUSING = Set.of("DATA", "AUTH", "STARTTLS", "BDAT");

  private final SmtpServerDecoder decoder;
  private final Iterator<Boolean> accepts;
  private final boolean deferred;
  private Expecting expecting = Expecting.COMMANDS;
  final List<String> modelViolations = new ArrayList<>();
  int messages;
  int ends;
  int expectedData;

  ScriptedSession(SmtpServerDecoder decoder, List<Boolean> script, boolean deferred) {
    this.decoder = decoder;
    this.accepts = cycle(script.isEmpty() ? List.of(true) : script);
    this.deferred = deferred;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      messages++;
      // A fatal violation may come while the decoder waits: too much input, or a bad line
      // ending in the rest of a too-long line it keeps discarding.
      if (msg instanceof SmtpViolation violation && violation.closesConnection()
          && expecting == Expecting.WAITING) {
        expecting = Expecting.CLOSED;
        return;
      }
      if (expecting == Expecting.CLOSED || expecting == Expecting.WAITING) {
        modelViolations.add(msg + " while " + expecting);
        return;
      }
      if (msg instanceof SmtpViolation violation) {
        onViolation(ctx, violation);
      } else if (msg instanceof LastSmtpContent) {
        require(msg, Expecting.DATA);
        ends++;
        answer(ctx, false, Expecting.COMMANDS, Expecting.COMMANDS);
      } else if (msg instanceof SmtpContent) {
        require(msg, Expecting.DATA);
      } else if (msg instanceof SmtpTextLine) {
        require(msg, Expecting.LINE);
        answer(ctx, accepts.next(), Expecting.LINE, Expecting.COMMANDS);
      } else if (msg instanceof SmtpRequest request) {
        require(msg, Expecting.COMMANDS);
        String verb = request.command().name().toString();
        if (PAUSING.contains(verb)) {
          Expecting accepted = switch (verb) {
            case "DATA" -> Expecting.DATA;
            case "AUTH" -> Expecting.LINE;
            default -> Expecting.COMMANDS;
          };
          answer(ctx, accepts.next() && !verb.equals("BDAT"), accepted, Expecting.COMMANDS);
        }
      } else {
        modelViolations.add("unknown message " + msg);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void onViolation(ChannelHandlerContext ctx, SmtpViolation violation) {
    if (violation.closesConnection()) {
      expecting = Expecting.CLOSED;
    } else if (expecting == Expecting.LINE) {
      // In line mode a violation stands in for the line: the decoder waits again.
      answer(ctx, false, Expecting.LINE, Expecting.COMMANDS);
    }
  }

  private void require(Object msg, Expecting state) {
    if (expecting != state) {
      modelViolations.add(msg + " while " + expecting);
    }
  }

  private void answer(ChannelHandlerContext ctx, boolean accept, Expecting accepted,
      Expecting refused) {
    Expecting next = accept ? accepted : refused;
    boolean startTls = accept && expecting == Expecting.COMMANDS && next == Expecting.COMMANDS;
    expecting = Expecting.WAITING;
    Runnable resume = () -> {
      expecting = next;
      if (next == Expecting.DATA) {
        expectedData++;
        decoder.expectData();
      } else if (next == Expecting.LINE) {
        decoder.expectLine();
      } else if (startTls) {
        decoder.discardBufferedAndExpectCommands();
      } else {
        decoder.expectCommands();
      }
    };
    if (deferred) {
      ctx.executor().execute(resume);
    } else {
      resume.run();
    }
  }

  private static Iterator<Boolean> cycle(List<Boolean> script) {
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public Boolean next() {
        return script.get(next++ % script.size());
      }
    };
  }
}
