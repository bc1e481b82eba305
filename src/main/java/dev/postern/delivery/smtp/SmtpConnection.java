package dev.postern.delivery.smtp;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SSLOptions;
import io.vertx.core.streams.ReadStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * One SMTP client connection over a Vert.x socket: writes commands, matches replies to them in
 * order (so pipelined commands work), and streams DATA with back-pressure. Every reply has a
 * timeout; the DATA phase as a whole has its own, so a relay that stalls mid-DATA is cut off.
 * Confined to the event loop that opened it.
 */
public final class SmtpConnection {

  private final Vertx vertx;
  private NetSocket socket;
  private final long replyTimeoutMs;
  private final Deque<Pending> pending = new ArrayDeque<>();
  private final ReplyParser parser = new ReplyParser(this::onReply);
  private EhloCapabilities capabilities = EhloCapabilities.NONE;
  private Promise<Void> dataPhase;
  private boolean closed;
  private String closeReason = "connection closed by relay";
  private long idleSince;

  /** @param tlsBoundary the reply to STARTTLS: nothing may follow it in plaintext */
  private record Pending(Promise<SmtpReply> promise, long timer, boolean tlsBoundary) {
    Pending(Promise<SmtpReply> promise, long timer) {
      this(promise, timer, false);
    }
  }

  public SmtpConnection(Vertx vertx, NetSocket socket, long replyTimeoutMs) {
    this.vertx = vertx;
    this.replyTimeoutMs = replyTimeoutMs;
    attach(socket);
  }

  private void attach(NetSocket s) {
    this.socket = s;
    s.handler(chunk -> {
      try {
        parser.feed(chunk);
      } catch (SmtpProtocolException e) {
        fail(e.getMessage());
      }
    });
    s.exceptionHandler(e -> fail(RelayFailure.of(e, false).getMessage()));
    s.closeHandler(v -> fail(closeReason));
  }

  /** The reply every connection starts with (RFC 5321 §4.3.1), under the reply timeout. */
  public Future<SmtpReply> greeting() {
    return expectReply();
  }

  public Future<SmtpReply> command(String line) {
    if (closed) {
      return Future.failedFuture(RelayFailure.before(closeReason));
    }
    Future<SmtpReply> reply = expectReply();
    socket.write(Buffer.buffer(line).appendString("\r\n"));
    return reply;
  }

  /**
   * STARTTLS (RFC 3207). A relay (or a man in the middle) that sends anything after its 220
   * before the TLS handshake is trying to have plaintext read as if it came over TLS — the
   * STARTTLS command-injection class (CVE-2011-0411); RFC 3207 §6 says to discard it. We fail
   * the connection instead: a relay that does this is broken or hostile, and the attempt moves
   * to the next relay.
   */
  public Future<SmtpReply> startTls() {
    if (closed) {
      return Future.failedFuture(RelayFailure.before(closeReason));
    }
    Future<SmtpReply> reply = expectReply(true);
    socket.write(Buffer.buffer("STARTTLS\r\n"));
    return reply;
  }

  /** RFC 2920: every command in one write, then their replies in order. */
  public Future<List<SmtpReply>> pipeline(List<String> lines) {
    if (closed) {
      return Future.failedFuture(RelayFailure.before(closeReason));
    }
    Buffer batch = Buffer.buffer();
    List<Future<SmtpReply>> replies = new ArrayList<>();
    for (String line : lines) {
      batch.appendString(line).appendString("\r\n");
      replies.add(expectReply());
    }
    socket.write(batch);
    return Future.all(replies).map(all -> {
      List<SmtpReply> out = new ArrayList<>();
      for (int i = 0; i < replies.size(); i++) {
        out.add(all.resultAt(i));
      }
      return out;
    });
  }

  /**
   * RFC 5321 §4.1.1.4: DATA, then — only after 354 — the content, dot-stuffed and streamed
   * with back-pressure, then the final reply. Returns the DATA reply itself when it is not 354.
   * Fails with a {@link RelayFailure} marked content-sent if the relay drops or stalls after
   * the content started, within {@code dataTimeoutMs} for the whole phase.
   */
  public Future<SmtpReply> data(DataContent content, long dataTimeoutMs) {
    return command("DATA").compose(reply -> reply.code() != 354 ? Future.succeededFuture(reply)
        : content(content, dataTimeoutMs));
  }

  /**
   * After a 354 to a DATA sent by the caller (e.g. at the end of a pipelined group, RFC 2920
   * §3.1): the content, dot-stuffed and streamed, the final dot, and the final reply, with the
   * same guarantees as {@link #data}.
   */
  public Future<SmtpReply> content(DataContent content, long dataTimeoutMs) {
    dataPhase = Promise.promise();
    long timer = vertx.setTimer(dataTimeoutMs, t -> {
      closeReason = "timeout: no end of DATA within " + dataTimeoutMs + " ms";
      fail(closeReason);
      socket.close();
    });
    DotStuffer stuffer = new DotStuffer();
    if (content.head().length() > 0) {
      socket.write(stuffer.stuff(content.head()));
    }
    Future<Void> written = content.inline() != null
        ? writeAll(stuffer, content.inline())
        : content.open().compose(stream -> pump(stuffer, stream));
    Future<SmtpReply> finalReply = written.compose(v -> {
      Future<SmtpReply> reply = expectReplyUntimed();
      socket.write(stuffer.terminator());
      return reply;
    });
    return finalReply
        .recover(e -> Future.failedFuture(RelayFailure.of(e, true)))
        .onComplete(r -> {
          vertx.cancelTimer(timer);
          dataPhase = null;
        });
  }

  /**
   * After a 354 when no recipient was accepted: RFC 2920 §3.1 — the client "should send a
   * single dot", ending an empty data phase; its reply ends the transaction.
   */
  public Future<SmtpReply> emptyContent() {
    return command(".");
  }

  private Future<Void> writeAll(DotStuffer stuffer, Buffer body) {
    socket.write(stuffer.stuff(body));
    return closed ? Future.failedFuture(RelayFailure.of(new IllegalStateException(closeReason), true))
        : Future.succeededFuture();
  }

  /** Copies the stream into the socket, pausing it whenever the socket's write queue is full. */
  private Future<Void> pump(DotStuffer stuffer, ReadStream<Buffer> body) {
    Promise<Void> done = Promise.promise();
    Promise<Void> phase = dataPhase;
    phase.future().onFailure(e -> {
      body.handler(null); // releases the blob store's file or connection (BlobStore.open)
      done.tryFail(e);
    });
    body.exceptionHandler(e -> done.tryFail(RelayFailure.of(e, true)));
    body.endHandler(v -> done.tryComplete());
    body.handler(chunk -> {
      socket.write(stuffer.stuff(chunk));
      if (socket.writeQueueFull()) {
        body.pause();
        socket.drainHandler(v -> body.resume());
      }
    });
    return done.future();
  }

  private Future<SmtpReply> expectReply() {
    return expectReply(false);
  }

  private Future<SmtpReply> expectReply(boolean tlsBoundary) {
    Promise<SmtpReply> promise = Promise.promise();
    long timer = vertx.setTimer(replyTimeoutMs, t -> {
      closeReason = "timeout: no reply within " + replyTimeoutMs + " ms";
      fail(closeReason);
      socket.close();
    });
    pending.add(new Pending(promise, timer, tlsBoundary));
    return promise.future();
  }

  private Future<SmtpReply> expectReplyUntimed() {
    Promise<SmtpReply> promise = Promise.promise();
    pending.add(new Pending(promise, -1));
    return promise.future();
  }

  private void onReply(SmtpReply reply) {
    Pending head = pending.poll();
    if (head == null) {
      fail("unexpected reply from relay: " + reply);
      socket.close();
      return;
    }
    if (head.timer() >= 0) {
      vertx.cancelTimer(head.timer());
    }
    if (head.tlsBoundary() && reply.code() == 220 && parser.unconsumed() > 0) {
      // Fails this reply's promise too, so no handshake starts.
      pending.addFirst(head);
      fail("relay sent " + parser.unconsumed() + " octets after its 220 to STARTTLS, before the"
          + " TLS handshake (RFC 3207 §6, STARTTLS injection)");
      return;
    }
    head.promise().complete(reply);
  }

  private void fail(String reason) {
    if (closed) {
      return;
    }
    closed = true;
    closeReason = reason;
    RelayFailure failure = RelayFailure.before(reason);
    Pending p;
    while ((p = pending.poll()) != null) {
      if (p.timer() >= 0) {
        vertx.cancelTimer(p.timer());
      }
      p.promise().tryFail(failure);
    }
    if (dataPhase != null) {
      dataPhase.tryFail(failure);
    }
    socket.close();
  }

  /** RFC 3207: after 220 to STARTTLS, the TLS handshake; the caller must EHLO again. */
  public Future<Void> upgradeToTls(SSLOptions options, String serverName) {
    return socket.upgradeToSsl(options, serverName)
        .recover(e -> Future.failedFuture(RelayFailure.of(e, false)));
  }

  public boolean tls() {
    return socket.isSsl();
  }

  /** The address this connection reached (not the name it was asked for). */
  public io.vertx.core.net.SocketAddress peer() {
    return socket.remoteAddress();
  }

  public EhloCapabilities capabilities() {
    return capabilities;
  }

  public void capabilities(EhloCapabilities offered) {
    this.capabilities = offered;
  }

  public boolean usable() {
    return !closed;
  }

  public long idleSince() {
    return idleSince;
  }

  public void markIdle(long now) {
    idleSince = now;
  }

  /** QUIT politely (RFC 5321 §4.1.1.10) and close, not waiting longer than a reply timeout. */
  public Future<Void> quit() {
    if (closed) {
      return Future.succeededFuture();
    }
    closeReason = "closed after QUIT";
    return command("QUIT").<Void>mapEmpty().recover(e -> Future.succeededFuture())
        .eventually(() -> {
          closed = true;
          return socket.close();
        });
  }

  /** Drops the connection at once. */
  public void abort(String reason) {
    fail(reason);
  }
}
