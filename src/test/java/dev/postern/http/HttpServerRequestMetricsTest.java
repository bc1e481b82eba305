package dev.postern.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.MultiMap;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import org.junit.jupiter.api.Test;

/**
 * Our HTTP server request metrics, without sockets: the meters vertx-micrometer-metrics made
 * (names, labels, counts), kept per (method, route, code), with bounded label values; and issue #9
 * item 4: a request on a connection that has no socket metric (accepted in the instant between
 * bind and metrics creation, Vert.x 5.0.10) must not throw out of the metrics —
 * vertx-micrometer-metrics 5.0.10 alone does, which left such requests unanswered.
 */
class HttpServerRequestMetricsTest {

  private static final SocketAddress LOCAL = SocketAddress.inetSocketAddress(8080, "127.0.0.1");
  private static final SocketAddress CLIENT = SocketAddress.inetSocketAddress(50000, "127.0.0.1");

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final VertxOptions options = new VertxOptions()
      // A registry name per test: micrometer keeps registries by name for the whole JVM.
      .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
          .setRegistryName("guarded-" + java.util.UUID.randomUUID()));

  @Test
  void micrometerAloneThrowsOnARequestWithoutASocketMetric() {
    VertxMetrics plain = new MicrometerMetricsFactory(registry).metrics(options);
    HttpServerMetrics<Object, Object, Object> http = serverMetrics(plain);
    assertThatThrownBy(() -> http.requestBegin(null, request()))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void aRequestWithoutASocketMetricIsServedUnmetered() {
    HttpServerMetrics<Object, Object, Object> http = serverMetrics(gateway());
    Object requestMetric = http.requestBegin(null, request());
    assertThat(requestMetric).isNull();
    http.requestRouted(null, "/healthz");
    http.responseBegin(null, null);
    http.responseEnd(null, null, 10);
    http.requestEnd(null, request(), 0);
    http.bytesRead(null, CLIENT, 100);
    http.bytesWritten(null, CLIENT, 100);
    http.exceptionOccurred(null, CLIENT, new RuntimeException());
    http.disconnected(null, CLIENT);
  }

  @Test
  void aRequestOnAMeteredConnectionIsStillCounted() {
    HttpServerMetrics<Object, Object, Object> http = serverMetrics(gateway());
    Object socket = http.connected(CLIENT, null);
    Object requestMetric = http.requestBegin(socket, request());
    assertThat(requestMetric).isNotNull();
    http.requestEnd(requestMetric, request(), 0);
    http.disconnected(socket, CLIENT);
    assertThat(registry.scrape()).contains("vertx_http_server_request_bytes_count{method=\"GET\"} 1");
  }

  @Test
  void responsesAreCountedAndTimedByMethodRouteAndCode() {
    HttpServerMetrics<Object, Object, Object> http = serverMetrics(gateway());
    Object socket = http.connected(CLIENT, null);
    for (int i = 0; i < 3; i++) {
      exchange(http, socket, HttpMethod.GET, "/v1/ping", 200, 40);
    }
    exchange(http, socket, HttpMethod.GET, "/v1/ping", 401, 90);
    exchange(http, socket, HttpMethod.POST, null, 404, 70);
    String text = registry.scrape();
    assertThat(text)
        .contains("vertx_http_server_requests_total{code=\"200\",method=\"GET\",route=\"/v1/ping\"} 3.0")
        .contains("vertx_http_server_requests_total{code=\"401\",method=\"GET\",route=\"/v1/ping\"} 1.0")
        .contains("vertx_http_server_requests_total{code=\"404\",method=\"POST\",route=\"\"} 1.0")
        .contains("vertx_http_server_response_time_seconds_count{code=\"200\",method=\"GET\",route=\"/v1/ping\"} 3")
        .contains("vertx_http_server_response_bytes_sum{code=\"200\",method=\"GET\",route=\"/v1/ping\"} 120.0")
        .contains("vertx_http_server_request_bytes_count{method=\"GET\"} 4")
        .contains("vertx_http_server_active_requests{method=\"GET\"} 0.0");
  }

  @Test
  void requestsInFlightAreGaugedUntilBothHalvesEndOrTheRequestIsReset() {
    VertxMetrics metrics = gateway();
    HttpServerMetrics<Object, Object, Object> http = serverMetrics(metrics);
    HttpServerMetrics<Object, Object, Object> second = serverMetrics(metrics);
    Object socket = http.connected(CLIENT, null);
    Object open = http.requestBegin(socket, request(HttpMethod.GET));
    Object onSecondServer = second.requestBegin(second.connected(CLIENT, null),
        request(HttpMethod.GET));
    Object reset = http.requestBegin(socket, request(HttpMethod.GET));
    assertThat(registry.scrape()).contains("vertx_http_server_active_requests{method=\"GET\"} 3.0");
    http.requestEnd(open, request(HttpMethod.GET), 0);
    http.requestReset(reset);
    http.requestReset(reset);
    assertThat(registry.scrape()).contains("vertx_http_server_active_requests{method=\"GET\"} 2.0")
        .contains("vertx_http_server_request_resets_total{method=\"GET\"} 2.0");
    http.responseEnd(open, response(200), 5);
    second.requestEnd(onSecondServer, request(HttpMethod.GET), 0);
    second.responseEnd(onSecondServer, response(200), 5);
    // A reset after both halves ended (the stream closed late) must not count it out again.
    http.requestReset(open);
    assertThat(registry.scrape()).contains("vertx_http_server_active_requests{method=\"GET\"} 0.0");
  }

  @Test
  void aMethodOutsideTheStandardSetIsLabelledOther() {
    HttpServerMetrics<Object, Object, Object> http = serverMetrics(gateway());
    Object socket = http.connected(CLIENT, null);
    for (String made : new String[] {"BREW", "WHEN", "X-1"}) {
      exchange(http, socket, HttpMethod.valueOf(made), null, 400, 10);
    }
    String text = registry.scrape();
    assertThat(text).contains("vertx_http_server_requests_total{code=\"400\",method=\"OTHER\",route=\"\"} 3.0")
        .doesNotContain("BREW").doesNotContain("WHEN");
  }

  private VertxMetrics gateway() {
    return new GatewayMetricsFactory(registry, new MicrometerMetricsFactory(registry)).metrics(options);
  }

  private static void exchange(HttpServerMetrics<Object, Object, Object> http, Object socket,
      HttpMethod method, String route, int status, long bytesWritten) {
    Object metric = http.requestBegin(socket, request(method));
    http.requestRouted(metric, route);
    http.requestEnd(metric, request(method), 0);
    http.responseBegin(metric, response(status));
    http.responseEnd(metric, response(status), bytesWritten);
  }

  private static HttpResponse response(int status) {
    return new HttpResponse() {
      @Override
      public int statusCode() {
        return status;
      }

      @Override
      public MultiMap headers() {
        return MultiMap.caseInsensitiveMultiMap();
      }
    };
  }

  @SuppressWarnings("unchecked")
  private static HttpServerMetrics<Object, Object, Object> serverMetrics(VertxMetrics metrics) {
    return (HttpServerMetrics<Object, Object, Object>) metrics.createHttpServerMetrics(
        new HttpServerOptions(), LOCAL);
  }

  private static HttpRequest request() {
    return request(HttpMethod.GET);
  }

  private static HttpRequest request(HttpMethod method) {
    return new HttpRequest() {
      @Override
      public int id() {
        return 1;
      }

      @Override
      public String uri() {
        return "/healthz";
      }

      @Override
      public String absoluteURI() {
        return "http://127.0.0.1:8080/healthz";
      }

      @Override
      public HttpMethod method() {
        return method;
      }

      @Override
      public MultiMap headers() {
        return MultiMap.caseInsensitiveMultiMap();
      }

      @Override
      public SocketAddress remoteAddress() {
        return CLIENT;
      }
    };
  }
}
