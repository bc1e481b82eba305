package dev.postern.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.Eventually;
import dev.postern.support.SqlSeed;
import dev.postern.support.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** KeyAuthenticator.byId (the SMTP LAN shim's network → key map) against the real database. */
class KeyByIdIT {

  private static TestGateway gateway;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start();
    SqlSeed.mailbox(gateway.pgUrl(), "scanner@example.com");
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  private static Throwable failure(Future<?> future) throws Exception {
    try {
      future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      return null;
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    }
  }

  @Test
  void aKeyIsFoundByIdUntilItIsRevoked() throws Exception {
    JsonObject created = ApiKeyLifecycleIT.createKey(gateway,
        new JsonObject().put("name", "scanner").put("mailbox", "scanner@example.com"));
    UUID id = UUID.fromString(created.getString("id"));
    KeyAuthenticator keys = gateway.core().authenticator();
    AuthenticatedKey key = keys.byId(id).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(key.id()).isEqualTo(id);
    assertThat(key.mailboxAddress()).isEqualTo("scanner@example.com");
    assertThat(failure(keys.byId(id))).as("cached now, still valid").isNull();

    assertThat(gateway.admin("DELETE", "/admin/v1/keys/" + id, null).statusCode()).isEqualTo(200);
    Eventually.untilAsserted(Duration.ofSeconds(5),
        () -> assertThat(failure(keys.byId(id))).isInstanceOf(UnauthorizedException.class));
    assertThat(failure(keys.verify(created.getString("key")))).isInstanceOf(UnauthorizedException.class);
  }

  @Test
  void anUnknownIdIsUnauthorized() throws Exception {
    assertThat(failure(gateway.core().authenticator().byId(UUID.randomUUID())))
        .isInstanceOf(UnauthorizedException.class);
  }
}
