package dev.postern.smtp.server;

import dev.postern.smtp.codec.SmtpReplyEncoder;
import dev.postern.smtp.codec.SmtpServerDecoder;
import dev.postern.smtp.codec.SmtpTextLine;
import dev.postern.smtp.codec.SmtpViolation;
import dev.postern.smtp.session.ProtocolViolation;
import dev.postern.smtp.session.SessionReply;
import dev.postern.smtp.session.SmtpSession;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.codec.smtp.LastSmtpContent;
import io.netty.handler.codec.smtp.SmtpContent;
import io.netty.handler.codec.smtp.SmtpRequest;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SMTP connection: the Netty codec in the socket's pipeline on one side, the protocol-only
 * {@link SmtpSession} on the other. Everything here runs on the connection's event loop.
 *
 * <p>Commands are handed to the session strictly one at a time, in order: a pipelining client
 * (RFC 2920) may send MAIL, RCPT… at once, and each waits for the reply before it. The decoder
 * itself stops after DATA, AUTH and STARTTLS until told how to read on, so bytes after them are
 * never read as the wrong thing (and bytes sent before a TLS upgrade are discarded, RFC 3207 §4.2).
 */
final class SmtpConnection {

  private static final Logger log = LoggerFactory.getLogger(SmtpConnection.class);

  /** Decoded commands waiting for their turn before the socket stops being read. */
  private static final int MAX_QUEUED = 256;
  /** Queued inputs answered in one event-loop task before the rest wait for the next turn. */
  private static final int INPUTS_PER_TURN = 64;
  /** How long a closing session's client has to take the last reply before it is cut off. */
  static final long CLOSE_GRACE_MILLIS = 5_000;

  private final Vertx vertx;
  private final NetSocketInternal socket;
  private final SmtpSession session;
  private final SmtpServerDecoder decoder;
  private final SslContext startTls;
  private final SmtpMetrics metrics;
  private final ListenerSettings settings;
  private final ArrayDeque<Object> inbox = new ArrayDeque<>();
  private final Runnable onClosed;

  private boolean greeted;
  private boolean spokeFirst;
  private boolean busy;
  /** The session is working on an answer (a key lookup, a commit, an AUTH slow-down). */
  private boolean awaitingSession;
  private boolean inData;
  private boolean inAuthLine;
  private boolean pausedForQueue;
  /** {@link #pump} is on the stack: a nested call (a reply answered at once, input delivered
   * by {@code resume()}) leaves the work to its loop instead of recursing once per command. */
  private boolean pumping;
  private boolean pumpScheduled;
  private boolean draining;
  private boolean closing;
  private Context context;
  private long idleTimer = -1;
  /** {@link System#nanoTime} of the last input or reply. */
  private long lastActivity;
  private long sessionTimer = -1;
  private long cutTimer = -1;

  SmtpConnection(Vertx vertx, NetSocketInternal socket, SmtpSession session,
      SmtpServerDecoder decoder, SslContext startTls, SmtpMetrics metrics,
      ListenerSettings settings, Runnable onClosed) {
    this.vertx = vertx;
    this.socket = socket;
    this.session = session;
    this.decoder = decoder;
    this.startTls = startTls;
    this.metrics = metrics;
    this.settings = settings;
    this.onClosed = onClosed;
  }

  void start() {
    context = vertx.getOrCreateContext();
    ChannelPipeline pipeline = socket.channelHandlerContext().pipeline();
    pipeline.addBefore("handler", "smtp-reply-encoder", new SmtpReplyEncoder());
    pipeline.addBefore("handler", "smtp-decoder", decoder);
    socket.messageHandler(this::received);
    socket.exceptionHandler(e -> log.debug("SMTP connection from {}: {}", socket.remoteAddress(),
        e.toString()));
    socket.closeHandler(v -> closed());
    socket.shutdownHandler(v -> shutdown());
    // Replies waiting for the client to read them stopped the pump; it goes on once they drain.
    socket.drainHandler(v -> pump());
    sessionTimer = vertx.setTimer(settings.sessionTimeout().toMillis(),
        id -> timedOut("session"));
    touch();
    ask(session.open());
  }

  private void received(Object message) {
    if (closing) {
      ReferenceCountUtil.release(message);
      return;
    }
    touch();
    if (!greeted) {
      spokeFirst = true;
    }
    if (message instanceof SmtpContent content) {
      // Data only flows after the session's 354 (the decoder waits for expectData).
      try {
        boolean more = session.data(Buffer.buffer(ByteBufUtil.getBytes(content.content())));
        if (!more) {
          // The sink's queue is full: read again once it has taken enough. Registered at each
          // pause — the callback registered at 354 has run already if the queue was not full.
          socket.pause();
          session.onDataDrain(socket::resume);
        }
        if (content instanceof LastSmtpContent) {
          inData = false;
          ask(session.dataEnd());
        }
      } finally {
        ReferenceCountUtil.release(content);
      }
      return;
    }
    inbox.add(message);
    if (inbox.size() >= MAX_QUEUED && !pausedForQueue) {
      // A client pipelining without end (NOOP floods): stop reading until the queue drains.
      pausedForQueue = true;
      socket.pause();
    }
    pump();
  }

  /**
   * Hands the next queued input to the session once the previous one has been answered — and
   * only while the socket's write queue has room: a client that pipelines (RFC 2920) without
   * reading its replies would otherwise make them pile up here without bound. Stopped, the inbox
   * fills to {@link #MAX_QUEUED}, reading stops, and the client's own writes stall.
   */
  private void pump() {
    if (pumping) {
      return;
    }
    pumping = true;
    try {
      pumpQueued();
    } finally {
      pumping = false;
    }
  }

  private void pumpQueued() {
    int handled = 0;
    while (!busy && !closing && !inbox.isEmpty()) {
      if (socket.writeQueueFull()) {
        return; // the drain handler pumps again
      }
      if (handled++ == INPUTS_PER_TURN) {
        // Fairness: a pipelined backlog (a NOOP flood) is answered in turns, so this connection
        // never holds its event loop — and the other connections on it — for long.
        if (!pumpScheduled) {
          pumpScheduled = true;
          context.runOnContext(v -> {
            pumpScheduled = false;
            pump();
          });
        }
        return;
      }
      Object next = inbox.poll();
      if (pausedForQueue && inbox.size() <= MAX_QUEUED / 2) {
        pausedForQueue = false;
        socket.resume();
      }
      if (next instanceof SmtpRequest request) {
        metrics.command(settings.name(), request.command().name().toString());
        ask(session.command(request));
      } else if (next instanceof SmtpTextLine line) {
        inAuthLine = false;
        ask(session.authLine(line.line()));
      } else if (next instanceof SmtpViolation violation) {
        SessionReply reply = session.violation(Violations.of(violation, inAuthLine));
        inAuthLine = false;
        if (inData && reply.next() == SessionReply.Next.DATA) {
          continue; // refused after the final dot: the session answers it from dataEnd()
        }
        reply(reply);
      } else {
        ReferenceCountUtil.release(next);
      }
    }
  }

  /** Hands one input to the session; nothing else reaches it until {@link #answered}. */
  private void ask(Future<SessionReply> answer) {
    busy = true;
    awaitingSession = true;
    answer.onComplete(this::answered);
  }

  private void answered(AsyncResult<SessionReply> result) {
    busy = false;
    awaitingSession = false;
    if (closing) {
      return;
    }
    if (result.failed()) {
      log.warn("SMTP session from {} failed", socket.remoteAddress(), result.cause());
      reply(session.shuttingDown());
      return;
    }
    if (!greeted) {
      greeted = true;
      if (spokeFirst) {
        // RFC 5321 §3.1: the client waits for the greeting. One that talks first is a bot
        // pushing commands blind; Postfix's postscreen drops these too.
        inbox.forEach(ReferenceCountUtil::release);
        inbox.clear();
        reply(session.violation(ProtocolViolation.TALKED_BEFORE_GREETING));
        return;
      }
    }
    reply(result.result());
  }

  private void reply(SessionReply reply) {
    metrics.reply(settings.name(), reply.response());
    touch(); // from here on it is the client's turn: idle counts from the reply
    Future<Void> written = socket.writeMessage(reply.response());
    if (draining && reply.next() == SessionReply.Next.COMMANDS && !inData) {
      written.onComplete(v -> reply(session.shuttingDown()));
      return;
    }
    switch (reply.next()) {
      case COMMANDS -> {
        // The decoder pauses after the input that needs an answer first (DATA, AUTH, STARTTLS,
        // the end of data), so that input is the last one queued. While it is still queued, the
        // pause is its own, not this reply's: a pipelined (RFC 2920) RCPT answered late (the MX
        // looks recipients up) must not resume it, or the DATA behind it finds the decoder
        // reading commands when its 354 asks for data.
        if (decoder.waitingForAnswer() && inbox.isEmpty()) {
          decoder.expectCommands();
        }
        pump();
      }
      case DATA -> {
        inData = true;
        session.onDataDrain(socket::resume);
        decoder.expectData();
      }
      case AUTH_LINE -> {
        inAuthLine = true;
        decoder.expectLine();
        pump();
      }
      case START_TLS -> startTls(written);
      case CLOSE -> close(written);
    }
  }

  /**
   * RFC 3207 §4.2: after the 220 the next byte is the TLS handshake. Reading stops, the 220 is
   * flushed in plaintext, everything the decoder holds is dropped, and the SslHandler goes to the
   * front of the pipeline before reading resumes. (Done here rather than by Vert.x's
   * upgradeToSsl, which fails on all but one instance of a shared port: see SmtpTlsMaterial.)
   */
  private void startTls(Future<Void> written) {
    socket.pause();
    // Nothing reaches the session until it knows the handshake finished (tlsStarted).
    busy = true;
    inbox.forEach(ReferenceCountUtil::release);
    inbox.clear();
    written.onComplete(done -> {
      if (done.failed() || closing) {
        return;
      }
      ChannelHandlerContext ctx = socket.channelHandlerContext();
      SslHandler ssl = startTls.newHandler(ctx.alloc());
      ctx.pipeline().addFirst("ssl", ssl);
      decoder.discardBufferedAndExpectCommands();
      ssl.handshakeFuture().addListener(handshake -> context.runOnContext(v -> {
        if (handshake.isSuccess()) {
          session.tlsStarted();
          busy = false;
          pump();
        } else {
          log.debug("STARTTLS handshake with {} failed: {}", socket.remoteAddress(),
              String.valueOf(handshake.cause()));
          closing = true;
          socket.close();
        }
      }));
      socket.resume();
    });
  }

  private void close(Future<Void> written) {
    closing = true;
    written.onComplete(v -> socket.close());
    // Vert.x's close() waits until what is queued has been flushed, and a reply the client never
    // reads never is: one that pipelines without reading (RFC 2920 §3.1) would otherwise keep
    // its session, and its slot of the listener's and its address's limits, for as long as it
    // keeps the socket. After a grace it is cut from the Vert.x handler's own context, which
    // drops what waits (as Vert.x's own idle timeout does).
    cutTimer = vertx.setTimer(CLOSE_GRACE_MILLIS, id -> socket.channelHandlerContext().close());
  }

  /**
   * Idle counts from now. Called on every input and reply, so it only notes the time: the one
   * idle timer, when it fires early, re-arms for what is left (cancelling and setting a timer
   * per command and per DATA chunk cost the MX ~5% of its CPU, bench mx-accept).
   */
  private void touch() {
    lastActivity = System.nanoTime();
    if (idleTimer < 0) {
      armIdle(settings.idleTimeout().toNanos());
    }
  }

  private void armIdle(long nanos) {
    long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999));
    idleTimer = vertx.setTimer(millis, id -> {
      idleTimer = -1;
      if (closing) {
        return;
      }
      long left = settings.idleTimeout().toNanos() - (System.nanoTime() - lastActivity);
      if (left > 0) {
        armIdle(left);
      } else {
        timedOut("idle");
      }
    });
  }

  private void timedOut(String which) {
    if (closing) {
      return;
    }
    if (awaitingSession && "idle".equals(which)) {
      // The server's own wait (a failed AUTH's slow-down, a commit) is not the client idling.
      touch();
      return;
    }
    log.debug("SMTP connection from {}: {} timeout", socket.remoteAddress(), which);
    metrics.timeout(settings.name(), which);
    reply(session.idleTimeout());
  }

  /**
   * Graceful shutdown: an idle session gets 421 4.3.2 now; one in a transaction gets it right
   * after its current reply (a DATA in flight finishes within the server's grace period).
   */
  private void shutdown() {
    if (closing) {
      return;
    }
    draining = true;
    if (!busy && !inData) {
      reply(session.shuttingDown());
    }
  }

  private void closed() {
    closing = true;
    if (idleTimer >= 0) {
      vertx.cancelTimer(idleTimer);
    }
    vertx.cancelTimer(sessionTimer);
    if (cutTimer >= 0) {
      vertx.cancelTimer(cutTimer);
    }
    inbox.forEach(ReferenceCountUtil::release);
    inbox.clear();
    session.closed();
    onClosed.run();
  }
}
