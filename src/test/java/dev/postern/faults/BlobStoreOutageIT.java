package dev.postern.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.Eventually;
import dev.postern.support.FaultProxy;
import dev.postern.support.S3Fixture;
import dev.postern.support.SqlSeed;
import dev.postern.support.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * TESTING.md "Faults": the object store down or hung while accepting. A message whose MIME goes
 * to the blob store (over 256 KiB) is refused with 502 {@code storage_unavailable} within a bound
 * and leaves no row behind; a small message, stored inline in PostgreSQL, is still accepted;
 * /readyz names the blob store; once the store is back the same gateway accepts large mail again.
 *
 * <p>The S3 variants put a {@link FaultProxy} between the gateway and the shared s3proxy, so the
 * store can be made to refuse connections or to accept and never answer without stopping the
 * s3proxy other test classes use.
 */
class BlobStoreOutageIT {

  /** blobs.timeout_seconds in these gateways; every S3 call is bounded by twice that. */
  private static final int STORE_TIMEOUT_SECONDS = 2;
  private static final Duration REFUSAL_BOUND =
      Duration.ofSeconds(2L * STORE_TIMEOUT_SECONDS + 3);
  private static final String FROM = "app@blobs.example";

  private TestGateway gateway;
  private FaultProxy proxy;
  private String key;

  @AfterEach
  void stop() {
    try {
      if (gateway != null) {
        gateway.close();
      }
    } finally {
      if (proxy != null) {
        proxy.close();
      }
    }
  }

  private void startOnS3() {
    S3Fixture.Endpoint s3 = S3Fixture.endpoint();
    URI upstream = URI.create(s3.url());
    proxy = FaultProxy.to(upstream.getHost(), upstream.getPort());
    gateway = TestGateway.start(Map.of(
            "POSTERN_S3_ENDPOINT", "http://127.0.0.1:" + proxy.port(),
            "POSTERN_S3_BUCKET", S3Fixture.randomBucket(),
            "POSTERN_S3_ACCESS_KEY", s3.accessKey(),
            "POSTERN_S3_SECRET_KEY", s3.secretKey()),
        new JsonObject().put("blobs", new JsonObject().put("timeout_seconds", STORE_TIMEOUT_SECONDS)));
    key = key();
  }

  @Test
  void aLargeSendIs502WhenTheObjectStoreRefusesConnectionsAndNothingIsCommitted() {
    startOnS3();
    proxy.down();
    assertRefusesLargeButAcceptsSmallAndReportsNotReady();

    proxy.pass();
    assertRecovers();
  }

  @Test
  void aLargeSendIs502WithinTheTimeoutWhenTheObjectStoreHangsAndNothingIsCommitted() {
    startOnS3();
    proxy.hang();
    assertRefusesLargeButAcceptsSmallAndReportsNotReady();

    proxy.pass();
    assertRecovers();
  }

  @Test
  void aLargeSendIs502WhenTheFilesystemStoreCannotWriteAndNothingIsCommitted() throws IOException {
    gateway = TestGateway.start();
    key = key();
    // Tests run as root, so permissions block nothing: put a regular file where the directory was.
    Path blobs = gateway.dataDir().resolve("blobs");
    deleteTree(blobs);
    Files.writeString(blobs, "not a directory");

    assertRefusesLargeButAcceptsSmallAndReportsNotReady();

    Files.delete(blobs);
    Files.createDirectories(blobs);
    assertRecovers();
  }

  private void assertRefusesLargeButAcceptsSmallAndReportsNotReady() {
    String subject = "large " + UUID.randomUUID();
    long start = System.nanoTime();
    HttpResponse<String> refused = send(largeEmail(subject));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(502);
    assertThat(new JsonObject(refused.body()).getString("name")).isEqualTo("storage_unavailable");
    assertThat(took).as("time to refuse").isLessThan(REFUSAL_BOUND);
    assertThat(rowsWithSubject(subject)).as("rows for the refused message").isZero();

    // Inline MIME never touches the store: small mail is still accepted (and durable).
    String smallSubject = "small " + UUID.randomUUID();
    HttpResponse<String> small = send(email(smallSubject));
    assertThat(small.statusCode()).as(small.body()).isEqualTo(200);
    assertThat(rowsWithSubject(smallSubject)).isEqualTo(1);

    HttpResponse<String> ready = gateway.send("GET", "/readyz", null, Map.of());
    assertThat(ready.statusCode()).as(ready.body()).isEqualTo(503);
    JsonObject checks = new JsonObject(ready.body()).getJsonObject("checks");
    assertThat(checks.getString("blob_store")).startsWith("error");
    assertThat(checks.getString("database")).isEqualTo("ok");
  }

  private void assertRecovers() {
    Eventually.until(Duration.ofSeconds(15),
        () -> gateway.send("GET", "/readyz", null, Map.of()).statusCode() == 200,
        () -> "/readyz once the store is back: " + gateway.send("GET", "/readyz", null, Map.of()).body());
    String subject = "large again " + UUID.randomUUID();
    HttpResponse<String> accepted = send(largeEmail(subject));
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(200);
    String id = new JsonObject(accepted.body()).getString("id");
    assertThat(rowsWithSubject(subject)).isEqualTo(1);
    String blobKey = one("SELECT blob_key FROM outbound_messages WHERE id = $1", UUID.fromString(id))
        .toString();
    assertThat(gateway.core().blobs().get(blobKey).await().toString())
        .contains("Subject: " + subject).contains("filename=\"report.bin\"");
  }

  private static JsonObject email(String subject) {
    return new JsonObject().put("from", FROM).put("to", "alice@example.org")
        .put("subject", subject).put("text", "See the attachment.");
  }

  /** An attachment of 400 KB: the composed MIME is over the 256 KiB inline limit. */
  private static JsonObject largeEmail(String subject) {
    byte[] data = new byte[400 * 1024];
    new Random(subject.hashCode()).nextBytes(data);
    return email(subject).put("attachments", new JsonArray().add(new JsonObject()
        .put("filename", "report.bin").put("content", Base64.getEncoder().encodeToString(data))));
  }

  private HttpResponse<String> send(JsonObject body) {
    return gateway.withKey(key, "POST", "/v1/emails", body);
  }

  private long rowsWithSubject(String subject) {
    return (Long) one("SELECT count(*) FROM outbound_messages WHERE subject = $1", subject);
  }

  /** The first column of the first row of a one-parameter query, read straight from PostgreSQL. */
  private Object one(String sql, Object parameter) {
    Vertx vertx = Vertx.vertx();
    try {
      Pool db = PgBuilder.pool().connectingTo(gateway.pgUrl()).using(vertx).build();
      Object value = db.preparedQuery(sql).execute(Tuple.of(parameter)).await().iterator().next()
          .getValue(0);
      db.close().await();
      return value;
    } finally {
      vertx.close().await();
    }
  }

  private String key() {
    SqlSeed.mailbox(gateway.pgUrl(), FROM);
    HttpResponse<String> created = gateway.admin("POST", "/admin/v1/keys", new JsonObject()
        .put("name", "blobs").put("mailbox", FROM).put("scope", "full_access"));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return new JsonObject(created.body()).getString("key");
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
