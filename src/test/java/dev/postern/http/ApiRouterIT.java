package dev.postern.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.blob.BlobStoreException;
import dev.postern.support.FreePort;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The router's contract: every failure in the SPEC §3 shape, limits enforced while streaming. */
class ApiRouterIT {

  private static final long LIMIT = 64 * 1024;
  private static Vertx vertx;
  private static HttpServer server;
  private static int port;
  private static final Readiness readiness = new Readiness();
  private static final AtomicBoolean dependencyUp = new AtomicBoolean(true);
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    vertx = Vertx.builder()
        .with(new io.vertx.core.VertxOptions().setMetricsOptions(new MicrometerMetricsOptions()
            .setEnabled(true).setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))))
        .withMetrics(new GatewayMetricsFactory(registry, new MicrometerMetricsFactory(registry)))
        .build();
    readiness.add("dependency", () -> dependencyUp.get() ? Future.succeededFuture()
        : Future.failedFuture(new IllegalStateException("down")));
    readiness.markStarted();
    ErrorHandler errors = new ErrorHandler().register(new DependencyFailures());
    RouteGroup probe = (router, body) -> {
      router.post("/v1/probe/json").handler(body).handler(ctx -> ApiRouter.json(ctx, 200,
          new JsonObject().put("echo", ctx.body().asJsonObject())));
      router.get("/v1/probe/boom").handler(ctx -> {
        throw new IllegalStateException("secret internal detail");
      });
      router.get("/v1/probe/storage").handler(ctx -> ctx.fail(new BlobStoreException("s3 down")));
    };
    port = FreePort.next();
    server = vertx.createHttpServer()
        .requestHandler(ApiRouter.create(vertx, LIMIT, new HttpEdge(new dev.postern.config.PosternConfig.Http(
            "127.0.0.1", port, 1, LIMIT, java.time.Duration.ofSeconds(30), java.time.Duration.ZERO, java.time.Duration.ofSeconds(2),
            100, 100, 100 * LIMIT, 100 * LIMIT, java.time.Duration.ofSeconds(60), 100)), readiness, registry, errors,
            List.of(probe)))
        .listen(port, "127.0.0.1").await();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  private static HttpResponse<String> send(String method, String path, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void assertError(HttpResponse<String> response, int status, String name) {
    assertThat(response.statusCode()).isEqualTo(status);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    JsonObject body = new JsonObject(response.body());
    assertThat(body.getInteger("statusCode")).isEqualTo(status);
    assertThat(body.getString("name")).isEqualTo(name);
    assertThat(body.getString("message")).isNotBlank();
  }

  @Test
  void unknownRouteIs404InTheContractShape() throws Exception {
    assertError(send("GET", "/v1/nothing-here", null), 404, "not_found");
    assertError(send("GET", "/v1/%2e%2e/%2e%2e/etc/passwd", null), 404, "not_found");
  }

  @Test
  void wrongMethodIs405() throws Exception {
    assertError(send("DELETE", "/healthz", null), 405, "method_not_allowed");
    assertError(send("GET", "/v1/probe/json", null), 405, "method_not_allowed");
  }

  @Test
  void malformedJsonIs400ValidationError() throws Exception {
    HttpResponse<String> response = send("POST", "/v1/probe/json", "{\"to\": ");
    assertError(response, 400, "validation_error");
    assertThat(send("POST", "/v1/probe/json", "{\"a\":1}").statusCode()).isEqualTo(200);
  }

  @Test
  void unexpectedExceptionIs500WithoutDetail() throws Exception {
    HttpResponse<String> response = send("GET", "/v1/probe/boom", null);
    assertError(response, 500, "internal_server_error");
    assertThat(response.body()).doesNotContain("secret internal detail", "IllegalState", "at dev.");
  }

  @Test
  void objectStoreDownIs502StorageUnavailable() throws Exception {
    assertError(send("GET", "/v1/probe/storage", null), 502, "storage_unavailable");
  }

  @Test
  void declaredBodyOverTheLimitIs413BeforeItIsSent() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      OutputStream out = socket.getOutputStream();
      // Declares one byte over the limit, sends none of it: the answer must not wait for it.
      out.write(("POST /v1/probe/json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + (LIMIT + 1) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      socket.setSoTimeout(5_000);
      String head = readHead(socket.getInputStream());
      assertThat(head).startsWith("HTTP/1.1 413");
    }
  }

  @Test
  void endlessChunkedBodyIsCutOffAt413() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /v1/probe/json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      byte[] chunk = ("2000\r\n" + "a".repeat(0x2000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
      long sent = 0;
      try {
        // Keep sending well past the limit; the server answers and closes, so writes start failing.
        while (sent < LIMIT * 64) {
          out.write(chunk);
          sent += 0x2000;
          if (socket.getInputStream().available() > 0) {
            break;
          }
        }
      } catch (java.io.IOException closedByServer) {
        // expected once the server has refused the body
      }
      assertThat(readHead(socket.getInputStream())).startsWith("HTTP/1.1 413");
    }
  }

  @Test
  void aBodyJustUnderTheLimitArrivesExactly() throws Exception {
    String text = "x".repeat((int) LIMIT - 100);
    HttpResponse<String> response = send("POST", "/v1/probe/json",
        new JsonObject().put("text", text).encode());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(new JsonObject(response.body()).getJsonObject("echo").getString("text")).isEqualTo(text);
  }

  @Test
  void aChunkedBodyIsJoinedWhole() throws Exception {
    try (Socket socket = probePost("Transfer-Encoding: chunked\r\n\r\n"
        + "5\r\n{\"a\":\r\n" + "3\r\n\"bc\r\n" + "2\r\n\"}\r\n" + "0\r\n\r\n")) {
      String response = readResponse(socket.getInputStream());
      assertThat(response).startsWith("HTTP/1.1 200").contains("{\"echo\":{\"a\":\"bc\"}}");
    }
  }

  @Test
  void expect100ContinueIsAnsweredBeforeTheBody() throws Exception {
    try (Socket socket = probePost("Content-Length: 7\r\nExpect: 100-continue\r\n\r\n")) {
      OutputStream out = socket.getOutputStream();
      assertThat(readHead(socket.getInputStream())).startsWith("HTTP/1.1 100");
      out.write("{\"a\":1}".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertThat(readResponse(socket.getInputStream())).startsWith("HTTP/1.1 200")
          .contains("{\"echo\":{\"a\":1}}");
    }
  }

  @Test
  void anUnknownExpectationIsAValidationError() throws Exception {
    try (Socket socket = probePost("Content-Length: 7\r\nExpect: 200-ok\r\n\r\n")) {
      assertThat(readResponse(socket.getInputStream())).startsWith("HTTP/1.1 400")
          .contains("validation_error").contains("Expect");
    }
  }

  @Test
  void readinessFollowsDependenciesAndDrain() throws Exception {
    assertThat(send("GET", "/healthz", null).statusCode()).isEqualTo(200);
    assertThat(send("GET", "/readyz", null).statusCode()).isEqualTo(200);
    dependencyUp.set(false);
    HttpResponse<String> down = send("GET", "/readyz", null);
    assertThat(down.statusCode()).isEqualTo(503);
    assertThat(new JsonObject(down.body()).getJsonObject("checks").getString("dependency"))
        .startsWith("error");
    dependencyUp.set(true);
    assertThat(send("GET", "/readyz", null).statusCode()).isEqualTo(200);
  }

  @Test
  void metricsArePrometheusText() throws Exception {
    send("GET", "/healthz", null);
    HttpResponse<String> metrics = send("GET", "/metrics", null);
    assertThat(metrics.statusCode()).isEqualTo(200);
    // The labels vertx-micrometer-metrics gave them: method, the router's route, status code.
    assertThat(metrics.body()).containsPattern(
        "vertx_http_server_requests_total\\{code=\"200\",method=\"GET\",route=\"/healthz\"\\} [1-9]");
    assertThat(metrics.body()).containsPattern(
        "vertx_http_server_response_time_seconds_count\\{code=\"200\",method=\"GET\",route=\"/healthz\"\\} [1-9]");
    assertThat(metrics.body()).contains("vertx_http_server_active_requests{method=\"GET\"}");
  }

  /**
   * A raw connection that has sent {@code POST /v1/probe/json} with a JSON content type, then
   * {@code rest} (the remaining header fields, the blank line, any body); reads time out at 5 s.
   */
  private static Socket probePost(String rest) throws java.io.IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(5_000);
    OutputStream out = socket.getOutputStream();
    out.write(("POST /v1/probe/json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + rest).getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return socket;
  }

  /** Head and a Content-Length body. */
  private static String readResponse(InputStream in) throws java.io.IOException {
    String head = readHead(in);
    java.util.regex.Matcher length = java.util.regex.Pattern
        .compile("(?i)content-length: *(\\d+)").matcher(head);
    assertThat(length.find()).as(head).isTrue();
    byte[] body = in.readNBytes(Integer.parseInt(length.group(1)));
    return head + new String(body, StandardCharsets.UTF_8);
  }

  private static String readHead(InputStream in) throws java.io.IOException {
    StringBuilder head = new StringBuilder();
    int b;
    while ((b = in.read()) != -1) {
      head.append((char) b);
      if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
        break;
      }
    }
    return head.toString();
  }
}
