package dev.postern.smtp.session;

import dev.postern.auth.AuthenticatedKey;
import dev.postern.auth.UnauthorizedException;
import dev.postern.keys.KeyMode;
import dev.postern.keys.Scopes;
import dev.postern.refusal.Refusal;
import io.netty.handler.codec.smtp.DefaultSmtpRequest;
import io.netty.handler.codec.smtp.SmtpCommand;
import io.netty.handler.codec.smtp.SmtpResponse;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.ext.auth.User;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * In-memory stand-ins for the session's own ports (not for real services): keys by value, a sink
 * that drains the stream into memory, an audit that records. Plus helpers to talk to a session.
 */
final class SessionFixture {

  static final String GOOD_KEY = "pst_live_good";
  static final String NO_SCOPE_KEY = "pst_live_noscope";
  static final String DB_DOWN_KEY = "pst_live_dbdown";

  static AuthenticatedKey key(String mailbox, List<String> scopes) {
    UUID id = UUID.randomUUID();
    String domain = mailbox.substring(mailbox.indexOf('@') + 1);
    return new AuthenticatedKey(id, "test", KeyMode.LIVE, scopes, UUID.randomUUID(), mailbox,
        UUID.randomUUID(), domain, 1000, Scopes.attach(User.fromName(id.toString()), scopes));
  }

  final AuthenticatedKey bot = key("bot@example.com", Scopes.defaults());
  final AuthenticatedKey noScope = key("bot@example.com", List.of("inbox:read"));
  final Map<UUID, AuthenticatedKey> byId = new HashMap<>();
  final MemorySink sink = new MemorySink();
  final List<String> audit = new CopyOnWriteArrayList<>();
  final AuthThrottle throttle = new AuthThrottle(Clock.systemUTC(), Duration.ofMillis(20),
      Duration.ofMillis(400), Duration.ofMinutes(15), 100);
  QuotaPeek quotas = QuotaPeek.none();
  SessionLimits limits = new SessionLimits(100, 10_000, 3, 1024);
  InetSocketAddress client = new InetSocketAddress("192.0.2.10", 40000);

  final KeyCheck keys = new KeyCheck() {
    @Override
    public Future<AuthenticatedKey> verify(String presented) {
      return switch (presented) {
        case GOOD_KEY -> Future.succeededFuture(bot);
        case NO_SCOPE_KEY -> Future.succeededFuture(noScope);
        case DB_DOWN_KEY -> Future.failedFuture(new ConnectException("Connection refused"));
        default -> Future.failedFuture(new UnauthorizedException());
      };
    }

    @Override
    public Future<AuthenticatedKey> byId(UUID id) {
      AuthenticatedKey key = byId.get(id);
      return key != null ? Future.succeededFuture(key) : Future.failedFuture(new UnauthorizedException());
    }
  };

  SmtpServices services() {
    SessionAudit recording = (key, c, stage, reply, queued) ->
        audit.add(stage + " " + reply.code() + " " + key.id());
    return new SmtpServices(keys, quotas, sink, recording, throttle);
  }

  SmtpSession session(Vertx vertx, ListenerPolicy policy, boolean implicitTls) {
    SmtpSession session = new SmtpSession(new SessionSetup(client, implicitTls, "mx.test", limits,
        vertx, Clock.systemUTC()), policy, services());
    await(session.open());
    return session;
  }

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Sends one command line, split as a codec would (verb, then space-separated parameters). */
  static SessionReply send(SmtpSession session, String line) {
    String[] words = line.split(" ");
    CharSequence[] params = Arrays.copyOfRange(words, 1, words.length);
    return await(session.command(new DefaultSmtpRequest(SmtpCommand.valueOf(words[0]), params)));
  }

  /** "250 2.0.0 Ok" (multi-line replies joined with "|"). */
  static String text(SessionReply reply) {
    return text(reply.response());
  }

  static String text(SmtpResponse response) {
    return response.code() + " " + String.join("|", response.details());
  }

  static String plain(String user, String password) {
    return java.util.Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes());
  }

  /** One submitted message as the sink saw it. */
  static final class Received {
    final Envelope envelope;
    final SinkOptions options;
    final Buffer data = Buffer.buffer();
    final Promise<Queued> result = Promise.promise();
    ReadStream<Buffer> stream;
    Throwable streamFailure;

    Received(Envelope envelope, SinkOptions options) {
      this.envelope = envelope;
      this.options = options;
    }
  }

  /** Drains the stream into memory and "commits" on its end; or fails as told. */
  static final class MemorySink implements MessageSink {
    final List<Received> submitted = new ArrayList<>();
    final List<Received> committed = new ArrayList<>();
    Refusal failAtOnce;
    boolean startPaused;

    @Override
    public Future<Queued> submit(AuthenticatedKey key, Envelope envelope, ReadStream<Buffer> data,
        SinkOptions options) {
      Received received = new Received(envelope, options);
      received.stream = data;
      submitted.add(received);
      if (failAtOnce != null) {
        return Future.failedFuture(failAtOnce);
      }
      if (startPaused) {
        data.pause();
      }
      data.exceptionHandler(e -> {
        received.streamFailure = e;
        received.result.tryFail(e);
      });
      data.endHandler(v -> {
        committed.add(received);
        received.result.tryComplete(new Queued(UUID.randomUUID(), false, Optional.of("crm")));
      });
      data.handler(received.data::appendBuffer);
      return received.result.future();
    }

    Received last() {
      return submitted.get(submitted.size() - 1);
    }
  }
}
