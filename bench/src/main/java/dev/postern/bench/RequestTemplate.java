package dev.postern.bench;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.util.List;

/**
 * One request, built once and sent over and over: the same bytes every time, except that with
 * a {@code rotation} (inbox-list's {@code before} cursors) each request takes the next of those
 * request targets in turn instead of {@code uri}.
 */
record RequestTemplate(HttpMethod method, String host, int port, String uri, MultiMap headers,
    Buffer body, List<String> rotation) {

  RequestTemplate {
    rotation = List.copyOf(rotation);
  }

  boolean hasBody() {
    return body != null;
  }

  /** The same request sent to each of {@code targets} in turn (path and query, same host). */
  RequestTemplate rotating(List<String> targets) {
    for (String target : targets) {
      if (!target.startsWith("/")) {
        throw new IllegalArgumentException("a rotated target is a path, got \"" + target + "\"");
      }
    }
    return new RequestTemplate(method, host, port, uri, headers, body, targets);
  }
}
