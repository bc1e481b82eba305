package dev.postern.support;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/** HTTP requests the test gateway's string client cannot make: byte bodies, literal paths. */
public final class RawHttp {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private RawHttp() {}

  /** A GET with a key whose body is read as bytes. */
  public static HttpResponse<byte[]> bytes(String url, String key) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + key)
          .build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * A GET whose request line carries {@code path} byte for byte (no client normalises its dot
   * segments or escapes), over a fresh connection; status and body only.
   */
  public static HttpResponse<String> literal(int port, String path, String key) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return new Literal(Integer.parseInt(response.substring(9, 12)),
          response.substring(response.indexOf("\r\n\r\n") + 4));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private record Literal(int statusCode, String body) implements HttpResponse<String> {
    public HttpRequest request() { return null; }
    public Optional<HttpResponse<String>> previousResponse() { return Optional.empty(); }
    public HttpHeaders headers() { return HttpHeaders.of(Map.of(), (a, b) -> true); }
    public Optional<SSLSession> sslSession() { return Optional.empty(); }
    public URI uri() { return null; }
    public HttpClient.Version version() { return HttpClient.Version.HTTP_1_1; }
  }
}
