package dev.postern.http;

import dev.postern.refusal.Refusal;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.DecodeException;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place a failure becomes an HTTP response (STYLE.md rule 5). Every error gets the SPEC §3
 * shape; unexpected exceptions become a 500 whose body says nothing about the cause, while the
 * server log keeps the stack trace (never the query string, which may hold a mistakenly sent key).
 */
public final class ErrorHandler implements Handler<RoutingContext> {

  private static final Logger log = LoggerFactory.getLogger(ErrorHandler.class);

  /** Maps a failure type owned by another package (blob store down, database down) to the API. */
  public interface Translator extends Function<Throwable, ApiException> {}

  private final List<Translator> translators = new ArrayList<>();

  public ErrorHandler register(Translator translator) {
    translators.add(translator);
    return this;
  }

  @Override
  public void handle(RoutingContext ctx) {
    ApiException error = translate(ctx.failure(), ctx.statusCode());
    HttpServerResponse response = ctx.response();
    if (response.ended() || response.closed()) {
      // Already answered (a 408 from RequestDeadline) or the client went away: nothing to say.
      return;
    }
    if (response.headWritten()) {
      // Mid-stream failure (e.g. a download): the status is gone, all we can do is cut it short.
      response.reset();
      return;
    }
    if (ctx.failure() instanceof Refusal refusal && refusal.quota().isPresent()) {
      RateLimitHeaders.write(response, refusal.quota().get());
      response.putHeader("Retry-After", Long.toString(refusal.retryAfterSeconds()));
    }
    if (error.error() == ApiError.INTERNAL_SERVER_ERROR) {
      log.error("unexpected failure on {} {}", ctx.request().method(), ctx.request().path(), ctx.failure());
    }
    // An HTTP/1.x body that was never read (refused before authentication, or over the limit)
    // must not be parsed as the next request, nor drained at the client's pace: the connection
    // closes. (An HTTP/2 stream ends on its own; its connection serves other streams.)
    boolean unread = error.error() == ApiError.PAYLOAD_TOO_LARGE || unreadBody(ctx.request());
    if (unread) {
      response.putHeader(HttpHeaders.CONNECTION, "close");
    }
    send(response, error);
    if (unread) {
      ctx.request().connection().close();
    }
  }

  /** An HTTP/1.x request whose declared body has not been read to its end. */
  static boolean unreadBody(HttpServerRequest request) {
    if (request.version() == HttpVersion.HTTP_2 || request.isEnded()) {
      return false;
    }
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    return (length != null && !length.trim().equals("0"))
        || request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
  }

  public static void send(HttpServerResponse response, ApiException error) {
    response.setStatusCode(error.error().status())
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(JsonBodies.encode(error.toJson()));
  }

  ApiException translate(Throwable failure, int status) {
    if (failure instanceof ApiException api) {
      return api;
    }
    if (failure instanceof Refusal refusal) {
      return HttpRefusals.toApi(refusal);
    }
    if (failure != null) {
      for (Translator translator : translators) {
        ApiException mapped = translator.apply(failure);
        if (mapped != null) {
          return mapped;
        }
      }
    }
    if (failure instanceof DecodeException) {
      return ApiException.validation("body", "malformed JSON");
    }
    if (failure instanceof HttpException http) {
      status = http.getStatusCode();
    }
    return switch (status) {
      case 400 -> ApiException.validation("body", "malformed request");
      case 404 -> new ApiException(ApiError.NOT_FOUND, "not found");
      case 405 -> new ApiException(ApiError.METHOD_NOT_ALLOWED, "method not allowed on this path");
      case 413 -> new ApiException(ApiError.PAYLOAD_TOO_LARGE, "request body exceeds the configured limit");
      case 415 -> new ApiException(ApiError.UNSUPPORTED_MEDIA_TYPE, "unsupported content type");
      case 503 -> new ApiException(ApiError.UNAVAILABLE, "service unavailable");
      default -> new ApiException(ApiError.INTERNAL_SERVER_ERROR, "internal server error");
    };
  }
}
