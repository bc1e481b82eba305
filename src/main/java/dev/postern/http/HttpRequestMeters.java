package dev.postern.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.http.HttpMethod;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The HTTP request meters of one registry, each registered once and then kept: per method
 * (requests in flight, request bytes, resets) and per (method, route, status code) (requests,
 * response time, response bytes). Names are vertx-micrometer-metrics' (its v4 naming), so
 * dashboards built on {@code vertx_http_server_requests_total} keep working.
 *
 * <p>Label values are bounded so a client cannot mint meters: a method outside
 * {@link HttpMethod#values()} is {@code OTHER}; routes are the router's templates (or empty when
 * none matched); codes are the server's own.
 */
final class HttpRequestMeters {

  static final String REQUESTS = "vertx.http.server.requests";
  static final String RESPONSE_TIME = "vertx.http.server.response.time";
  static final String RESPONSE_BYTES = "vertx.http.server.response.bytes";
  static final String REQUEST_BYTES = "vertx.http.server.request.bytes";
  static final String ACTIVE_REQUESTS = "vertx.http.server.active.requests";
  static final String REQUEST_RESETS = "vertx.http.server.request.resets";

  private static final Set<String> KNOWN_METHODS = Set.copyOf(
      HttpMethod.values().stream().map(HttpMethod::name).toList());
  private static final String OTHER_METHOD = "OTHER";

  private final MeterRegistry registry;
  private final ConcurrentMap<String, MethodMeters> byMethod = new ConcurrentHashMap<>();
  private final ConcurrentMap<ResponseKey, ResponseMeters> byResponse = new ConcurrentHashMap<>();

  HttpRequestMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  record MethodMeters(String label, LongAdder active, DistributionSummary requestBytes,
      Counter resets) {
  }

  record ResponseMeters(Counter requests, Timer time, DistributionSummary bytes) {
  }

  private record ResponseKey(String method, String route, int code) {
  }

  MethodMeters of(HttpMethod method) {
    String name = method.name();
    MethodMeters meters = byMethod.get(name);
    if (meters == null) {
      // Unknown names are never keys of their own: the map stays as small as the label set.
      meters = byMethod.computeIfAbsent(KNOWN_METHODS.contains(name) ? name : OTHER_METHOD,
          this::register);
    }
    return meters;
  }

  ResponseMeters of(MethodMeters method, String route, int code) {
    ResponseKey key = new ResponseKey(method.label(), route, code);
    ResponseMeters meters = byResponse.get(key);
    return meters != null ? meters : byResponse.computeIfAbsent(key, this::register);
  }

  private MethodMeters register(String method) {
    Tags tags = Tags.of("method", method);
    LongAdder active = new LongAdder();
    Gauge.builder(ACTIVE_REQUESTS, active, LongAdder::doubleValue)
        .description("Number of requests being processed")
        .tags(tags)
        .strongReference(true)
        .register(registry);
    return new MethodMeters(method, active,
        DistributionSummary.builder(REQUEST_BYTES).description("Size of requests in bytes")
            .tags(tags).register(registry),
        Counter.builder(REQUEST_RESETS).description("Number of request resets")
            .tags(tags).register(registry));
  }

  private ResponseMeters register(ResponseKey key) {
    Tags tags = Tags.of("method", key.method(), "route", key.route(),
        "code", Integer.toString(key.code()));
    return new ResponseMeters(
        Counter.builder(REQUESTS).description("Number of processed requests")
            .tags(tags).register(registry),
        Timer.builder(RESPONSE_TIME).description("Request processing time")
            .tags(tags).register(registry),
        DistributionSummary.builder(RESPONSE_BYTES).description("Size of responses in bytes")
            .tags(tags).register(registry));
  }
}
