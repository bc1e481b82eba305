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
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import org.junit.jupiter.api.Test;

/**
 * Issue #9 item 4, without sockets: a request on a connection that has no socket metric (accepted
 * in the instant between bind and metrics creation, Vert.x 5.0.10) must not throw out of the
 * metrics; vertx-micrometer-metrics 5.0.10 alone does, which left such requests unanswered.
 */
class GuardedHttpServerMetricsTest {

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
    VertxMetrics guarded = new GuardedMetricsFactory(new MicrometerMetricsFactory(registry)).metrics(options);
    HttpServerMetrics<Object, Object, Object> http = serverMetrics(guarded);
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
    VertxMetrics guarded = new GuardedMetricsFactory(new MicrometerMetricsFactory(registry)).metrics(options);
    HttpServerMetrics<Object, Object, Object> http = serverMetrics(guarded);
    Object socket = http.connected(CLIENT, null);
    Object requestMetric = http.requestBegin(socket, request());
    assertThat(requestMetric).isNotNull();
    http.requestEnd(requestMetric, request(), 0);
    http.disconnected(socket, CLIENT);
    assertThat(registry.scrape()).contains("vertx_http_server_request_bytes_count{method=\"GET\"} 1");
  }

  @SuppressWarnings("unchecked")
  private static HttpServerMetrics<Object, Object, Object> serverMetrics(VertxMetrics metrics) {
    return (HttpServerMetrics<Object, Object, Object>) metrics.createHttpServerMetrics(
        new HttpServerOptions(), LOCAL);
  }

  private static HttpRequest request() {
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
        return HttpMethod.GET;
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
