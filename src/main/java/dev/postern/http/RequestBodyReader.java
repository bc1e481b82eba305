package dev.postern.http;

import io.vertx.core.Handler;
import io.vertx.core.VertxException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.impl.RoutingContextInternal;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a request body whole, within {@code maxBodyBytes}, into a buffer of exactly its size —
 * what vertx-web's {@code BodyHandler} does for JSON, without its growth: that handler
 * preallocates at most 64 KB and then doubles, so a 282 KB send-attach body ended in a 512 KB
 * array (a humongous object for G1 with 1 MB regions, which set off concurrent marking over and
 * over) after three intermediate copies. Here a body declared up to {@value #PREALLOCATE_UP_TO}
 * bytes gets a buffer of exactly its size at its first byte; a larger one, or one without a
 * declared length (chunked, HTTP/2), is kept as the chunks that arrived and joined once, into
 * an array of exactly its size, at the end. So memory follows the bytes received, never the
 * length a client declares: a client declaring 40 MiB and sending one byte pins 64 KiB at most,
 * as with the handler this replaces.
 *
 * <p>Same contract as the handler it replaces: a declared length over the limit is 413 before
 * any byte is read; a body that grows past it is 413 as soon as it does, and the rest is read
 * and dropped; {@code Expect: 100-continue} is answered (RFC 9110 §10.1.1), any other
 * expectation is 400 {@code validation_error}; an HTTP/1.x request without length or transfer coding has no body
 * (RFC 9112 §6.3) and goes on at once. Form and multipart bodies are not decoded: every API body
 * is JSON. The request must still be unread (paused, or this is its first handler).
 */
final class RequestBodyReader implements Handler<RoutingContext> {

  /** Bodies declared up to this size are read into one array made at their first byte. */
  static final int PREALLOCATE_UP_TO = 64 * 1024;

  private final long maxBodyBytes;

  RequestBodyReader(long maxBodyBytes) {
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public void handle(RoutingContext ctx) {
    RoutingContextInternal internal = (RoutingContextInternal) ctx;
    if (internal.seenHandler(RoutingContextInternal.BODY_HANDLER)) {
      ctx.next();
      return;
    }
    internal.visitHandler(RoutingContextInternal.BODY_HANDLER);
    HttpServerRequest request = ctx.request();
    long declared = declaredLength(request.getHeader(HttpHeaders.CONTENT_LENGTH));
    if (declared < 0 && request.version() != HttpVersion.HTTP_2
        && !request.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
      ctx.next();
      return;
    }
    if (declared > maxBodyBytes) {
      ctx.fail(413);
      return;
    }
    String expect = request.getHeader(HttpHeaders.EXPECT);
    if (expect != null) {
      if (!expect.equalsIgnoreCase("100-continue")) {
        // RFC 9110 §10.1.1 allows 417; the contract's vocabulary has no such name, so it is
        // the validation error of that header.
        ctx.fail(ApiException.validation("Expect", "only 100-continue is supported"));
        return;
      }
      if (request.version() != HttpVersion.HTTP_1_0) {
        ctx.response().writeContinue();
      }
    }
    if (request.isEnded()) {
      ctx.fail(new VertxException("the body reader ran after the request ended: pause it first",
          true));
      return;
    }
    Body body = new Body(internal, declared);
    request.handler(body::chunk);
    request.endHandler(v -> body.end());
    request.resume();
  }

  /** -1 when absent or not a non-negative number (the HTTP codec refuses a malformed one). */
  private static long declaredLength(String header) {
    if (header == null || header.isEmpty()) {
      return -1;
    }
    try {
      long value = Long.parseLong(header.trim());
      return value < 0 ? -1 : value;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private final class Body {
    private final RoutingContextInternal ctx;
    private final long declared;
    /** Exactly the declared size (at most PREALLOCATE_UP_TO), made at the first byte. */
    private Buffer sized;
    private final List<Buffer> chunks;
    private long received;
    private boolean failed;

    Body(RoutingContextInternal ctx, long declared) {
      this.ctx = ctx;
      this.declared = declared;
      this.chunks = declared >= 0 && declared <= PREALLOCATE_UP_TO ? null : new ArrayList<>();
    }

    void chunk(Buffer chunk) {
      if (failed) {
        return;
      }
      received += chunk.length();
      if (received > maxBodyBytes) {
        failed = true;
        if (chunks != null) {
          chunks.clear();
        }
        ctx.fail(413);
        return;
      }
      if (chunks == null) {
        if (sized == null) {
          // At the first byte, not before: a declared length alone holds no memory.
          sized = Buffer.buffer((int) declared);
        }
        sized.appendBuffer(chunk);
      } else {
        chunks.add(chunk);
      }
    }

    void end() {
      if (failed || ctx.failed()) {
        return;
      }
      ctx.setBody(chunks == null ? (sized != null ? sized : Buffer.buffer()) : joined());
      ctx.next();
    }

    private Buffer joined() {
      Buffer whole = Buffer.buffer((int) received);
      chunks.forEach(whole::appendBuffer);
      chunks.clear();
      return whole;
    }
  }
}
