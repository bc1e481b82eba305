package dev.postern.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MailboxesAdminIT {

  static TestGateway gateway;
  static String key;

  @BeforeAll
  static void start() throws IOException {
    gateway = TestGateway.start();
    try (InputStream in = MailboxesAdminIT.class.getResourceAsStream("/pgp/bot.pub.asc")) {
      key = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  static JsonObject json(HttpResponse<String> r) {
    return new JsonObject(r.body());
  }

  static HttpResponse<String> post(JsonObject body) {
    return gateway.admin("POST", "/admin/v1/mailboxes", body);
  }

  static void assertIssue(HttpResponse<String> r, String path) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(json(r).getString("name")).isEqualTo("validation_error");
    assertThat(json(r).getJsonArray("issues").stream().map(i -> ((JsonObject) i).getString("path")))
        .contains(path);
  }

  @Test
  void wholeLifecycleWithTheDomainCreatedOnTheFly() {
    HttpResponse<String> created = post(new JsonObject().put("address", "Bot@Life.Example"));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonObject mailbox = json(created);
    String id = mailbox.getString("id");
    assertThat(mailbox.getString("address")).isEqualTo("Bot@life.example");
    assertThat(mailbox.getString("domain")).isEqualTo("life.example");
    assertThat(mailbox.getString("encryption_tier")).isEqualTo("plaintext");
    assertThat(mailbox.getString("created_at")).isNotBlank();
    // The domain now exists, with its DKIM key.
    assertThat(gateway.core().dkimKeys().forDomain("life.example").await()).isPresent();

    assertThat(json(gateway.admin("GET", "/admin/v1/mailboxes/" + id, null))).isEqualTo(mailbox);
    assertThat(json(gateway.admin("GET", "/admin/v1/mailboxes?domain=LIFE.example", null))
        .getJsonArray("data")).hasSize(1);
    assertThat(json(gateway.admin("GET", "/admin/v1/mailboxes?domain=other.example", null))
        .getJsonArray("data")).isEmpty();
    assertThat(json(gateway.admin("GET", "/admin/v1/mailboxes", null)).getJsonArray("data").stream()
        .map(m -> ((JsonObject) m).getString("id"))).contains(id);

    // To standard: needs a key; with one, it switches.
    assertIssue(gateway.admin("PATCH", "/admin/v1/mailboxes/" + id,
        new JsonObject().put("encryption_tier", "standard")), "pgp_public_key");
    HttpResponse<String> patched = gateway.admin("PATCH", "/admin/v1/mailboxes/" + id,
        new JsonObject().put("encryption_tier", "standard").put("pgp_public_key", key));
    assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
    assertThat(json(patched).getString("encryption_tier")).isEqualTo("standard");
    assertThat(json(patched).getBoolean("has_pgp_key")).isTrue();
    // Removing the key of a standard mailbox is refused; an empty change is a no-op.
    assertIssue(gateway.admin("PATCH", "/admin/v1/mailboxes/" + id,
        new JsonObject().putNull("pgp_public_key")), "pgp_public_key");
    assertThat(json(gateway.admin("PATCH", "/admin/v1/mailboxes/" + id, new JsonObject()))
        .getString("encryption_tier")).isEqualTo("standard");

    HttpResponse<String> deleted = gateway.admin("DELETE", "/admin/v1/mailboxes/" + id, null);
    assertThat(deleted.statusCode()).isEqualTo(200);
    assertThat(json(deleted)).isEqualTo(new JsonObject().put("id", id).put("deleted", true));
    assertThat(gateway.admin("GET", "/admin/v1/mailboxes/" + id, null).statusCode()).isEqualTo(404);
    assertThat(gateway.admin("DELETE", "/admin/v1/mailboxes/" + id, null).statusCode()).isEqualTo(404);
  }

  @Test
  void aKeyWithoutATierMeansStandardAndAnExplicitStandardNeedsAKey() {
    JsonObject withKey = json(post(new JsonObject().put("address", "sealed@tier.example").put("pgp_public_key", key)));
    assertThat(withKey.getString("encryption_tier")).isEqualTo("standard");
    assertIssue(post(new JsonObject().put("address", "nokey@tier.example").put("encryption_tier", "standard")),
        "pgp_public_key");
    assertIssue(post(new JsonObject().put("address", "bad@tier.example").put("encryption_tier", "secret")),
        "encryption_tier");
  }

  @Test
  void garbageAndSigningOnlyPgpKeysAreRefused() throws IOException {
    assertIssue(post(new JsonObject().put("address", "g1@pgp.example").put("pgp_public_key", "hello")),
        "pgp_public_key");
    assertIssue(post(new JsonObject().put("address", "g2@pgp.example").put("pgp_public_key",
        "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nZm9v\n-----END PGP PUBLIC KEY BLOCK-----\n")), "pgp_public_key");
    String signOnly;
    try (InputStream in = getClass().getResourceAsStream("/pgp/sign-only.pub.asc")) {
      signOnly = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
    assertIssue(post(new JsonObject().put("address", "g3@pgp.example").put("pgp_public_key", signOnly)),
        "pgp_public_key");
    assertIssue(post(new JsonObject().put("address", "g4@pgp.example").put("pgp_public_key", 42)),
        "pgp_public_key");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "no-at-sign", "bot@example.com\r\nRCPT TO:<x@evil>", "bot\n@example.com",
      "bot\u0000@example.com", "a@b>\r\nRCPT TO:<x@evil.com>", "bot@localhost", "b ot@example.com"})
  void invalidAddressesAreValidationErrors(String address) {
    assertIssue(post(new JsonObject().put("address", address)), "address");
  }

  @Test
  void lengthLimitsOnAddresses() {
    assertIssue(post(new JsonObject().put("address", "a".repeat(65) + "@len.example")), "address");
    String domain = ("d".repeat(60) + ".").repeat(3) + "example.com";
    assertIssue(post(new JsonObject().put("address", "a".repeat(60) + "@" + domain)), "address");
    assertThat(post(new JsonObject().put("address", "a".repeat(64) + "@len.example")).statusCode()).isEqualTo(201);
  }

  @Test
  void addressesAreUniqueCaseInsensitivelyEvenUnderConcurrency() {
    assertThat(post(new JsonObject().put("address", "dup@unique.example")).statusCode()).isEqualTo(201);
    HttpResponse<String> again = post(new JsonObject().put("address", "DUP@Unique.Example"));
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(json(again).getString("name")).isEqualTo("conflict");

    // Ten racing creators on a new domain: one mailbox and one domain, nine conflicts.
    List<Integer> statuses = IntStream.range(0, 10)
        .mapToObj(i -> CompletableFuture.supplyAsync(() ->
            post(new JsonObject().put("address", "race@race.example")).statusCode()))
        .toList().stream().map(CompletableFuture::join).toList();
    assertThat(statuses).containsOnly(201, 409);
    assertThat(statuses.stream().filter(s -> s == 201)).hasSize(1);
    long domains = json(gateway.admin("GET", "/admin/v1/domains", null)).getJsonArray("data").stream()
        .filter(d -> ((JsonObject) d).getString("name").equals("race.example")).count();
    assertThat(domains).isEqualTo(1);
  }

  @Test
  void unknownAndMalformedIdsAreNotFound() {
    for (String id : new String[] {"00000000-0000-0000-0000-000000000000", "xyz", "%2e%2e"}) {
      assertThat(gateway.admin("GET", "/admin/v1/mailboxes/" + id, null).statusCode()).isEqualTo(404);
      assertThat(gateway.admin("PATCH", "/admin/v1/mailboxes/" + id, new JsonObject()).statusCode()).isEqualTo(404);
      assertThat(gateway.admin("DELETE", "/admin/v1/mailboxes/" + id, null).statusCode()).isEqualTo(404);
    }
  }
}
