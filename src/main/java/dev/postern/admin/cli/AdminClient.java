package dev.postern.admin.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The command line's client for a running gateway's admin API ({@code /admin/v1}), over plain
 * java.net.http: a CLI runs once and exits, so no event loop is involved. Never prints the token.
 */
public final class AdminClient {

  /** A response: status and body (JSON for every admin route, including errors). */
  public record Response(int status, String body) {
    public boolean ok() {
      return status >= 200 && status < 300;
    }

    /** The body as JSON, or null when it is not a JSON object. */
    public JsonObject json() {
      try {
        return body == null || body.isBlank() ? null : new JsonObject(body);
      } catch (DecodeException | ClassCastException e) {
        return null;
      }
    }
  }

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final String token;

  public AdminClient(String baseUrl, String token) {
    this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.token = token;
  }

  public String baseUrl() {
    return base;
  }

  /** The admin token in use, for the one call that wants it re-entered (key reveal). */
  String token() {
    return token;
  }

  public Response get(String path) throws IOException, InterruptedException {
    return send("GET", path, null);
  }

  public Response post(String path, JsonObject body) throws IOException, InterruptedException {
    return send("POST", path, body == null ? new JsonObject() : body);
  }

  public Response patch(String path, JsonObject body) throws IOException, InterruptedException {
    return send("PATCH", path, body);
  }

  public Response delete(String path) throws IOException, InterruptedException {
    return send("DELETE", path, null);
  }

  public Response send(String method, String path, JsonObject body) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(60))
        .header("Authorization", "Bearer " + token)
        .header("X-Postern-Actor", "cli:" + System.getProperty("user.name", "unknown"))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body.encode()));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Response(response.statusCode(), response.body());
  }

  @Override
  public String toString() {
    return "AdminClient[" + base + ", token=(redacted)]";
  }
}
