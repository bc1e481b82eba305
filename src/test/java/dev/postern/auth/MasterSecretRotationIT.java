package dev.postern.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.keys.MasterSecrets;
import dev.postern.support.PgFixture;
import dev.postern.support.SqlSeed;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue #3: keys sealed under master v1 keep working when v2 is put first, {@code reseal}
 * re-encrypts them under v2, and after that v1 can be removed.
 */
class MasterSecretRotationIT {

  @Test
  void resealMovesEveryKeyToTheNewMasterVersion() {
    String pg = PgFixture.freshDatabaseUrl();
    String v1 = MasterSecrets.generate();
    String v2 = "v2:" + MasterSecrets.generate().substring(3);
    String key;
    try (TestGateway first = TestGateway.start(Map.of("POSTERN_PG_URL", pg, "POSTERN_MASTER_SECRET", v1))) {
      SqlSeed.mailbox(pg, "bot@example.com");
      key = ApiKeyLifecycleIT.createKey(first, new JsonObject().put("name", "k").put("mailbox", "bot@example.com"))
          .getString("key");
    }
    try (TestGateway both = TestGateway.start(Map.of("POSTERN_PG_URL", pg, "POSTERN_MASTER_SECRET", v2 + "," + v1))) {
      assertThat(both.withKey(key, "GET", "/v1/emails/_ping", null).statusCode()).isEqualTo(200);
      JsonObject resealed = new JsonObject(both.admin("POST", "/admin/v1/keys/_reseal", null).body());
      assertThat(resealed.getInteger("resealed")).isEqualTo(1);
      assertThat(new JsonObject(both.admin("POST", "/admin/v1/keys/_reseal", null).body())
          .getInteger("resealed")).isZero();
    }
    try (TestGateway onlyNew = TestGateway.start(Map.of("POSTERN_PG_URL", pg, "POSTERN_MASTER_SECRET", v2))) {
      assertThat(onlyNew.withKey(key, "GET", "/v1/emails/_ping", null).statusCode()).isEqualTo(200);
    }
  }
}
