package dev.postern.smtp.session;

import dev.postern.auth.AuthenticatedKey;
import dev.postern.auth.UnauthorizedException;
import dev.postern.smtp.SmtpReplies;
import io.netty.handler.codec.smtp.SmtpResponse;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The SASL exchange of AUTH (RFC 4954): PLAIN (RFC 4616), with an initial response or after an
 * empty 334, and LOGIN (username, then password, each after its 334). The username is anything
 * (documented as {@code postern}); the password is an API key, verified as REST does.
 *
 * <p>A bad key is answered 535 5.7.8 after a delay that grows with the failures from the
 * client's address ({@link AuthThrottle}, a Vert.x timer: nothing sleeps); the session's
 * {@code maxAuthFailures}-th failure is answered 421 4.7.0 and the connection closed. {@code *}
 * cancels (501 5.0.0); undecodable base64 or a malformed PLAIN message is 501 5.5.2.
 */
final class SessionAuth {

  private static final String USERNAME_PROMPT = b64("Username:");
  private static final String PASSWORD_PROMPT = b64("Password:");

  private enum Stage { NONE, PLAIN, LOGIN_USERNAME, LOGIN_PASSWORD }

  private final SessionSetup setup;
  private final ListenerPolicy policy;
  private final SmtpServices services;
  private final Supplier<HookContext> context;
  private final Consumer<AuthenticatedKey> authenticated;
  private Stage stage = Stage.NONE;
  private int failures;

  SessionAuth(SessionSetup setup, ListenerPolicy policy, SmtpServices services,
      Supplier<HookContext> context, Consumer<AuthenticatedKey> authenticated) {
    this.setup = setup;
    this.policy = policy;
    this.services = services;
    this.context = context;
    this.authenticated = authenticated;
  }

  boolean inProgress() {
    return stage != Stage.NONE;
  }

  void cancel() {
    stage = Stage.NONE;
  }

  /** {@code AUTH <mechanism> [initial-response]}; the session checked when AUTH may be used. */
  Future<SessionReply> start(String arguments) {
    String[] words = arguments.strip().split(" +");
    if (words[0].isEmpty() || words.length > 2) {
      return now(SmtpReplies.syntax("AUTH <mechanism> [initial-response]"));
    }
    String mechanism = words[0].toUpperCase(Locale.ROOT);
    String initial = words.length == 2 ? words[1] : null;
    switch (mechanism) {
      case "PLAIN" -> {
        if (initial == null) {
          stage = Stage.PLAIN;
          return challenge("");
        }
        return plain(initial);
      }
      case "LOGIN" -> {
        if (initial == null) {
          stage = Stage.LOGIN_USERNAME;
          return challenge(USERNAME_PROMPT);
        }
        return loginUsername(initial);
      }
      default -> {
        return now(SmtpReplies.authMechanismUnknown());
      }
    }
  }

  /** A continuation line after 334. */
  Future<SessionReply> line(String line) {
    Stage current = stage;
    stage = Stage.NONE;
    if ("*".equals(line)) {
      return now(SmtpReplies.authCancelled());
    }
    return switch (current) {
      case PLAIN -> plain(line);
      case LOGIN_USERNAME -> loginUsername(line);
      case LOGIN_PASSWORD -> password(decode(line));
      case NONE -> now(SmtpReplies.badSequence("no AUTH exchange in progress"));
    };
  }

  /** RFC 4616 §2: [authzid] NUL authcid NUL passwd; authcid and passwd non-empty. */
  private Future<SessionReply> plain(String response) {
    String message = decode(response);
    if (message == null) {
      return now(SmtpReplies.authMalformed());
    }
    String[] parts = message.split("\u0000", -1);
    if (parts.length != 3 || parts[1].isEmpty() || parts[2].isEmpty()) {
      return now(SmtpReplies.authMalformed());
    }
    return verify(parts[2]);
  }

  private Future<SessionReply> loginUsername(String response) {
    if (decode(response) == null) {
      return now(SmtpReplies.authMalformed());
    }
    stage = Stage.LOGIN_PASSWORD;
    return challenge(PASSWORD_PROMPT);
  }

  private Future<SessionReply> password(String password) {
    if (password == null || password.isEmpty()) {
      return now(SmtpReplies.authMalformed());
    }
    return verify(password);
  }

  private Future<SessionReply> verify(String presentedKey) {
    return services.keys().verify(presentedKey).transform(result -> {
      if (result.succeeded()) {
        AuthenticatedKey key = result.result();
        return policy.onAuth(context.get(), key).map(refusal -> refusal
            .map(SessionReply::commands)
            .orElseGet(() -> {
              authenticated.accept(key);
              return SessionReply.commands(SmtpReplies.authSucceeded());
            }));
      }
      if (result.cause() instanceof UnauthorizedException) {
        return failed();
      }
      // The database down is not the client's fault: 451 4.3.0, no slow-down.
      return now(SmtpReplies.ofFailure(result.cause()));
    });
  }

  private Future<SessionReply> failed() {
    failures++;
    Duration delay = services.authThrottle().failed(setup.client().getAddress());
    SessionReply reply = failures >= setup.limits().maxAuthFailures()
        ? SessionReply.close(SmtpReplies.tooManyAuthFailures())
        : SessionReply.commands(SmtpReplies.badCredentials());
    Promise<SessionReply> answered = Promise.promise();
    setup.vertx().setTimer(Math.max(1, delay.toMillis()), id -> answered.complete(reply));
    return answered.future();
  }

  /** Strict base64 (RFC 4954 §4) as UTF-8; null when undecodable. */
  private static String decode(String base64) {
    if (base64 == null) {
      return null;
    }
    try {
      return new String(Base64.getDecoder().decode(base64.strip()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static Future<SessionReply> challenge(String base64) {
    return Future.succeededFuture(new SessionReply(SmtpReplies.authChallenge(base64),
        SessionReply.Next.AUTH_LINE));
  }

  private static Future<SessionReply> now(SmtpResponse reply) {
    return Future.succeededFuture(SessionReply.commands(reply));
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
  }
}
