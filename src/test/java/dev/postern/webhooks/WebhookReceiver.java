package dev.postern.webhooks;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A webhook endpoint on 127.0.0.1 for tests. It checks each request's signature itself, from the
 * Standard Webhooks specification (not with Postern's signer): HMAC-SHA256 keyed with the
 * base64-decoded part of {@code whsec_…} over {@code id.timestamp.body}, compared in constant
 * time with each space-separated {@code v1,<base64>} entry. Responses are scripted per path.
 */
final class WebhookReceiver implements AutoCloseable {

  /** What arrived. */
  record Received(String path, String id, String timestamp, String signature, String body,
      boolean signatureValid, long receivedAtMillis) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  /** A scripted answer: an HTTP status, or {@link #HANG} to never answer. */
  static final int HANG = -1;

  private final Vertx vertx;
  private final HttpServer server;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Map<String, String> secrets = new ConcurrentHashMap<>();
  private final Map<String, ConcurrentLinkedQueue<Integer>> scripts = new ConcurrentHashMap<>();

  private WebhookReceiver(Vertx vertx) {
    this.vertx = vertx;
    this.server = vertx.createHttpServer().requestHandler(this::handle);
  }

  static WebhookReceiver start() {
    WebhookReceiver receiver = new WebhookReceiver(Vertx.vertx());
    receiver.server.listen(0, "127.0.0.1").await();
    return receiver;
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.actualPort() + path;
  }

  /** The secret the endpoint at {@code path} verifies with. */
  void expectSecret(String path, String whsec) {
    secrets.put(path, whsec);
  }

  /** Answers for the next requests to {@code path}; 200 once the script runs out. */
  void script(String path, Integer... statuses) {
    scripts.computeIfAbsent(path, p -> new ConcurrentLinkedQueue<>()).addAll(List.of(statuses));
  }

  List<Received> received(String path) {
    List<Received> out = new ArrayList<>();
    for (Received r : received) {
      if (r.path().equals(path)) {
        out.add(r);
      }
    }
    return out;
  }

  List<Received> all() {
    return List.copyOf(received);
  }

  private void handle(HttpServerRequest request) {
    request.body().onSuccess(body -> {
      String path = request.path();
      String id = request.getHeader("webhook-id");
      String timestamp = request.getHeader("webhook-timestamp");
      String signature = request.getHeader("webhook-signature");
      String text = body.toString(StandardCharsets.UTF_8);
      boolean valid = verifies(secrets.get(path), id, timestamp, signature, body.getBytes());
      received.add(new Received(path, id, timestamp, signature, text, valid, System.currentTimeMillis()));
      ConcurrentLinkedQueue<Integer> script = scripts.get(path);
      Integer status = script == null ? null : script.poll();
      if (status != null && status == HANG) {
        return;
      }
      request.response().setStatusCode(status == null ? 200 : status).end("ok");
    });
  }

  /** Standard Webhooks verification, written from the specification. */
  static boolean verifies(String whsec, String id, String timestamp, String header, byte[] body) {
    if (whsec == null || id == null || timestamp == null || header == null) {
      return false;
    }
    try {
      byte[] key = Base64.getDecoder().decode(whsec.substring("whsec_".length()));
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
      byte[] expected = mac.doFinal(body);
      for (String entry : header.split(" ")) {
        if (entry.startsWith("v1,") && MessageDigest.isEqual(expected,
            Base64.getDecoder().decode(entry.substring(3)))) {
          return true;
        }
      }
      return false;
    } catch (Exception e) {
      return false;
    }
  }

  @Override
  public void close() {
    server.close().await();
    vertx.close().await();
  }
}
