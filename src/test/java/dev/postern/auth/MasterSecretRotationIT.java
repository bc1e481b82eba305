package dev.postern.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postern.StartupException;
import dev.postern.keys.MasterSecrets;
import dev.postern.support.PgFixture;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Issue #3: keys sealed under master v1 keep working when v2 is put first, {@code reseal}
 * re-encrypts them under v2, and after that v1 can be removed. Issue #15.4: the same holds for
 * every sealed value (DKIM private keys, webhook secrets), and a gateway whose configuration
 * lacks a version some row still needs refuses to start, naming the table and the version.
 */
class MasterSecretRotationIT {

  private static final String V1 = MasterSecrets.generate();
  private static final String V2 = "v2:" + MasterSecrets.generate().substring(3);

  /** A mailbox (its domain and DKIM key made on the fly), a key on it, and a webhook. */
  private record Sealed(String key, String webhookId, String webhookSecret) {}

  private static Sealed sealEverything(TestGateway gw) {
    assertThat(gw.admin("POST", "/admin/v1/mailboxes",
        new JsonObject().put("address", "bot@example.com")).statusCode()).isEqualTo(201);
    String key = ApiKeyLifecycleIT.createKey(gw, new JsonObject().put("name", "k")
        .put("mailbox", "bot@example.com")).getString("key");
    JsonObject hook = new JsonObject(gw.admin("POST", "/admin/v1/webhooks", new JsonObject()
        .put("url", "https://hooks.example.com/x").put("events", new JsonArray().add("*"))).body());
    return new Sealed(key, hook.getString("id"), hook.getString("secret"));
  }

  @Test
  void resealMovesEveryKeyToTheNewMasterVersion() {
    String pg = PgFixture.freshDatabaseUrl();
    Sealed sealed;
    try (TestGateway first = TestGateway.start(Map.of("POSTERN_PG_URL", pg, "POSTERN_MASTER_SECRET", V1))) {
      sealed = sealEverything(first);
    }
    try (TestGateway both = TestGateway.start(Map.of("POSTERN_PG_URL", pg, "POSTERN_MASTER_SECRET", V2 + "," + V1))) {
      assertThat(both.withKey(sealed.key(), "GET", "/v1/emails/_ping", null).statusCode()).isEqualTo(200);
      JsonObject resealed = new JsonObject(both.admin("POST", "/admin/v1/keys/_reseal", null).body());
      assertThat(resealed).isEqualTo(new JsonObject().put("resealed", 3).put("api_keys", 1)
          .put("dkim_keys", 1).put("webhook_secrets", 1));
      assertThat(new JsonObject(both.admin("POST", "/admin/v1/keys/_reseal", null).body())
          .getInteger("resealed")).isZero();
    }
    try (TestGateway onlyNew = TestGateway.start(Map.of("POSTERN_PG_URL", pg, "POSTERN_MASTER_SECRET", V2))) {
      assertThat(onlyNew.withKey(sealed.key(), "GET", "/v1/emails/_ping", null).statusCode()).isEqualTo(200);
      assertThat(onlyNew.core().dkimKeys().forDomain("example.com").await()).isPresent();
      assertThat(onlyNew.core().webhooks().signingSecret(UUID.fromString(sealed.webhookId())).await())
          .contains(sealed.webhookSecret());
    }
  }

  @Test
  void refusesToStartWhenARowNeedsAMasterVersionThatIsNotConfigured() {
    String pg = PgFixture.freshDatabaseUrl();
    try (TestGateway first = TestGateway.start(Map.of("POSTERN_PG_URL", pg, "POSTERN_MASTER_SECRET", V1))) {
      sealEverything(first);
      // Only the API key moves to v2: the DKIM key and the webhook secret stay under v1.
      first.core().database().pool()
          .query("UPDATE api_keys SET master_version = 2").execute().await();
    }
    try (TestGateway both = TestGateway.start(Map.of("POSTERN_PG_URL", pg, "POSTERN_MASTER_SECRET", V2 + "," + V1))) {
      assertThat(both.config().postgres().url()).isEqualTo(pg); // v1 still listed: starts
    }
    assertThatThrownBy(() -> TestGateway.start(Map.of("POSTERN_PG_URL", pg, "POSTERN_MASTER_SECRET", V2)))
        .isInstanceOf(StartupException.class)
        .hasMessageStartingWith("domains.dkim_private_sealed: 1 row(s) sealed under master secret v1,")
        .hasMessageContaining("POSTERN_MASTER_SECRET")
        .hasMessageNotContaining(V2.substring(3))
        .hasMessageNotContaining("\n");
  }
}
