package dev.postern.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What smtp-source cannot do: submission over implicit TLS (RFC 8314 §3.3, the SMTPS port) with
 * AUTH PLAIN (RFC 4616), the API key as the password. {@code sessions} connections, each
 * authenticated once, then reused for MAIL, RCPT, DATA, message, as smtp-source {@code -d} does
 * (one command at a time, no pipelining, like smtp-source), until {@code messages} have had
 * their 250; then QUIT. Runs on its own one-loop Vert.x, kept from one {@link #submit} to the
 * next so the TLS context is built in the warm-up, not in the measured run; {@link #submit}
 * blocks its caller.
 *
 * <p>The message is smtp-source's shape: From, To, Date, a unique Message-ID (so replay
 * detection never merges two), then {@code payloadBytes} of 78-character lines.
 * The server's certificate is not verified (the gateway's self-signed one): loopback only.
 *
 * <p>{@link #plaintext} is the same client without TLS and without AUTH, for the MX
 * (inbox-fanout), telling a listener each message's Message-ID and the moment its 250 arrived.
 */
final class SmtpTlsLoad implements AutoCloseable {

  /**
   * How long a reply may take before the session fails, saying what this connection had received:
   * well under a server's idle timeout (RFC 5321 §4.5.3.2: 5 minutes), so a lost reply fails the
   * run with its evidence instead of hanging until the server gives up with 421.
   */
  static final long REPLY_TIMEOUT_MILLIS = 60_000;

  private final String host;
  private final int port;
  private final String user;
  private final String password;
  private final String from;
  private final String to;
  private final int sessions;
  private final byte[] payload;
  private final Vertx vertx;
  private final NetClient client;
  private final Acknowledged acknowledged;

  /** Told of each message's 250, on the client's event loop. */
  interface Acknowledged {
    /** @param messageId the Message-ID without angle brackets */
    void accepted(String messageId, long nanoTime);
  }

  SmtpTlsLoad(String host, int port, String user, String password, String from, String to,
      int sessions, int payloadBytes) {
    this(host, port, true, user, password, from, to, sessions, payloadBytes, (id, at) -> { });
  }

  /** No TLS, no AUTH (an MX takes mail so), one session; {@code acknowledged} hears every 250. */
  static SmtpTlsLoad plaintext(String host, int port, String from, String to, int payloadBytes,
      Acknowledged acknowledged) {
    return new SmtpTlsLoad(host, port, false, null, null, from, to, 1, payloadBytes, acknowledged);
  }

  private SmtpTlsLoad(String host, int port, boolean tls, String user, String password,
      String from, String to, int sessions, int payloadBytes, Acknowledged acknowledged) {
    if (!LoopbackTarget.isLoopback(host)) {
      throw new IllegalArgumentException("refusing a non-loopback target: " + host);
    }
    this.host = host;
    this.port = port;
    this.user = user;
    this.password = password;
    this.from = from;
    this.to = to;
    this.sessions = sessions;
    this.payload = payload(payloadBytes);
    this.acknowledged = acknowledged;
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    this.client = vertx.createNetClient(new NetClientOptions().setSsl(tls).setTrustAll(true)
        .setHostnameVerificationAlgorithm("").setConnectTimeout(10_000));
  }

  /** Sends {@code messages} and returns once each had its 250; fails on any other reply. */
  void submit(long messages) throws Exception {
    AtomicLong remaining = new AtomicLong(messages);
    List<Future<Void>> all = new ArrayList<>();
    // Connected on the event loop: a NetSocket drops data that arrives before its handler is
    // set. Called from this (main) thread, a connect that completed before .compose was attached
    // ran the compose as a later event-loop task, and the server's immediate 220 could be read
    // first and lost; the session then waited for a greeting until the server's idle timeout
    // (inbox-fanout run 2: "421 4.4.2 Idle timeout" in place of the 220).
    Context loop = vertx.getOrCreateContext();
    for (int i = 0; i < sessions; i++) {
      Promise<Void> done = Promise.promise();
      loop.runOnContext(v -> client.connect(port, host).compose(socket -> session(
          new Conversation(vertx, socket, REPLY_TIMEOUT_MILLIS),
          remaining)).onComplete(done));
      all.add(done.future());
    }
    Future.all(all).await(1, TimeUnit.HOURS);
  }

  @Override
  public void close() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private Future<Void> session(Conversation c, AtomicLong remaining) {
    Future<?> greeted = c.reply(220).compose(r -> c.command("EHLO bench.test", 250));
    if (password != null) {
      String plain = Base64.getEncoder().encodeToString(("\0" + user + "\0" + password)
          .getBytes(StandardCharsets.UTF_8));
      greeted = greeted.compose(r -> c.command("AUTH PLAIN " + plain, 235));
    }
    return greeted
        .compose(r -> transactions(c, remaining))
        .compose(r -> c.command("QUIT", 221))
        .eventually(() -> c.socket.close())
        .mapEmpty();
  }

  /**
   * The session's transactions, one after another, until none remain. A loop, not a chain of
   * {@code compose}: a session of 7 500 messages (150 000 over 20 sessions) nested 7 500 futures
   * deep, and completing the last one never reached the first (the run hung, session 15).
   */
  private Future<Void> transactions(Conversation c, AtomicLong remaining) {
    Promise<Void> done = Promise.promise();
    nextTransaction(c, remaining, done);
    return done.future();
  }

  private void nextTransaction(Conversation c, AtomicLong remaining, Promise<Void> done) {
    if (remaining.getAndDecrement() <= 0) {
      done.complete();
      return;
    }
    String messageId = UUID.randomUUID() + "@bench.test";
    c.command("MAIL FROM:<" + from + ">", 250)
        .compose(r -> c.command("RCPT TO:<" + to + ">", 250))
        .compose(r -> c.command("DATA", 354))
        .compose(r -> c.send(message(messageId), 250))
        .onComplete(ar -> {
          if (ar.failed()) {
            done.fail(ar.cause());
            return;
          }
          acknowledged.accepted(messageId, System.nanoTime());
          nextTransaction(c, remaining, done);
        });
  }

  private Buffer message(String messageId) {
    String headers = "From: <" + from + ">\r\nTo: <" + to + ">\r\nDate: "
        + java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
            java.time.ZonedDateTime.now()) + "\r\nMessage-ID: <" + messageId
        + ">\r\nSubject: bench\r\n\r\n";
    return Buffer.buffer(headers).appendBytes(payload).appendString(".\r\n");
  }

  /** smtp-source's -l payload: 78-character lines + CRLF, the last one shorter, no leading dot. */
  static byte[] payload(int bytes) {
    StringBuilder out = new StringBuilder(bytes + 80);
    while (out.length() < bytes) {
      int line = Math.min(78, bytes - out.length() - 2);
      out.append("X".repeat(Math.max(1, line))).append("\r\n");
    }
    return out.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * One connection: commands written one at a time, each reply awaited in order. Confined to its
   * socket's event loop, where its data arrives: call {@link #reply}, {@link #command} and
   * {@link #send} there (its queues are not thread-safe).
   */
  static final class Conversation {
    private final Vertx vertx;
    private final NetSocket socket;
    private final long replyTimeoutMillis;
    private final long openedNanos = System.nanoTime();
    private final SmtpReplyParser parser = new SmtpReplyParser();
    private final ArrayDeque<Promise<SmtpReplyParser.Reply>> waiting = new ArrayDeque<>();
    private final ArrayDeque<SmtpReplyParser.Reply> early = new ArrayDeque<>();
    private final List<String> heard = new ArrayList<>();
    private long bytesReceived;

    Conversation(Vertx vertx, NetSocket socket, long replyTimeoutMillis) {
      this.vertx = vertx;
      this.socket = socket;
      this.replyTimeoutMillis = replyTimeoutMillis;
      socket.handler(bytes -> {
        bytesReceived += bytes.length();
        List<SmtpReplyParser.Reply> replies;
        try {
          replies = parser.feed(bytes.getBytes());
        } catch (IllegalStateException e) {
          waiting.forEach(p -> p.tryFail(e));
          socket.close();
          return;
        }
        for (SmtpReplyParser.Reply reply : replies) {
          heard.add(String.format(java.util.Locale.ROOT, "%d at %.3f s",
              reply.code(), (System.nanoTime() - openedNanos) / 1e9));
          Promise<SmtpReplyParser.Reply> p = waiting.poll();
          if (p == null) {
            early.add(reply);
          } else {
            p.complete(reply);
          }
        }
      });
      socket.closeHandler(v -> waiting.forEach(p -> p.tryFail("connection closed")));
    }

    Future<SmtpReplyParser.Reply> reply(int expected) {
      Promise<SmtpReplyParser.Reply> p = Promise.promise();
      SmtpReplyParser.Reply ready = early.poll();
      if (ready != null) {
        p.complete(ready);
      } else {
        waiting.add(p);
        long timer = vertx.setTimer(replyTimeoutMillis, t -> {
          if (waiting.remove(p)) {
            p.tryFail(new IllegalStateException(what(expected, "no reply within "
                + replyTimeoutMillis + " ms")));
          }
        });
        p.future().onComplete(r -> vertx.cancelTimer(timer));
      }
      return p.future().compose(r -> r.code() == expected ? Future.succeededFuture(r)
          : Future.failedFuture(what(expected, "got " + r)));
    }

    /** The failure, with what this connection had heard: "lost greeting" or "slow server" shows. */
    private String what(int expected, String problem) {
      return String.format(java.util.Locale.ROOT, "expected %d, %s (connection %s -> %s, open"
          + " %.1f s, %d bytes received, replies: %s)", expected, problem, socket.localAddress(),
          socket.remoteAddress(), (System.nanoTime() - openedNanos) / 1e9, bytesReceived,
          heard.isEmpty() ? "none" : String.join(", ", heard));
    }

    Future<SmtpReplyParser.Reply> command(String line, int expected) {
      return send(Buffer.buffer(line + "\r\n"), expected);
    }

    Future<SmtpReplyParser.Reply> send(Buffer bytes, int expected) {
      Future<SmtpReplyParser.Reply> reply = reply(expected);
      socket.write(bytes);
      return reply;
    }
  }
}
