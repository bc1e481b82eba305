package dev.postern.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReadinessTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close();
  }

  private JsonObject evaluate(Readiness readiness) throws Exception {
    return readiness.evaluate(vertx).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void notReadyUntilEveryListenerHasStartedEvenWithHealthyDependencies() throws Exception {
    Readiness readiness = new Readiness().add("database", () -> Future.succeededFuture());

    JsonObject starting = evaluate(readiness);
    assertThat(starting.getBoolean("ready")).isFalse();
    assertThat(starting.getBoolean("starting")).isTrue();
    assertThat(starting.getJsonObject("checks").getString("database")).isEqualTo("ok");

    readiness.markStarted();
    JsonObject started = evaluate(readiness);
    assertThat(started.getBoolean("ready")).isTrue();
    assertThat(started.getBoolean("starting")).isFalse();
  }

  @Test
  void drainingOrAFailedCheckIsNotReadyOnceStarted() throws Exception {
    boolean[] up = {true};
    Readiness readiness = new Readiness(500).add("blobs",
        () -> up[0] ? Future.succeededFuture() : Future.failedFuture(new IllegalStateException("down")));
    readiness.markStarted();
    assertThat(evaluate(readiness).getBoolean("ready")).isTrue();

    up[0] = false;
    JsonObject down = evaluate(readiness);
    assertThat(down.getBoolean("ready")).isFalse();
    assertThat(down.getJsonObject("checks").getString("blobs")).startsWith("error");

    up[0] = true;
    readiness.drain();
    JsonObject draining = evaluate(readiness);
    assertThat(draining.getBoolean("ready")).isFalse();
    assertThat(draining.getBoolean("draining")).isTrue();
  }
}
