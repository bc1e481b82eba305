package dev.postern.bench;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

/** One request, built once and sent over and over: the same bytes every time. */
record RequestTemplate(HttpMethod method, String host, int port, String uri, MultiMap headers,
    Buffer body) {

  boolean hasBody() {
    return body != null;
  }
}
