package dev.postern.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.ClosedPort;
import dev.postern.support.Eventually;
import dev.postern.support.FaultRelay;
import dev.postern.support.FaultRelay.Fault;
import dev.postern.support.FaultRelay.Script;
import dev.postern.support.OutboundSeed;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TESTING.md "Faults" for delivery, against the scriptable relay. The highest-weight relay
 * refuses connections, so every message here also fails over to the fault relay.
 */
class DeliveryFaultsIT {

  private static FaultRelay relay;
  private static ClosedPort dead;
  private static TestGateway gateway;
  private static OutboundSeed seed;

  static JsonObject fastDelivery(JsonArray relays) {
    return new JsonObject().put("delivery", new JsonObject()
        .put("relays", relays)
        .put("retry_base_ms", 200).put("retry_max_ms", 400).put("poll_interval_ms", 200)
        .put("reply_timeout_seconds", 2).put("data_timeout_seconds", 2));
  }

  @BeforeAll
  static void start() {
    relay = FaultRelay.start();
    dead = ClosedPort.hold();
    JsonArray relays = new JsonArray()
        .add(new JsonObject().put("name", "dead").put("host", "127.0.0.1").put("port", dead.port())
            .put("weight", 100))
        .add(new JsonObject().put("name", "fault").put("host", "127.0.0.1").put("port", relay.port())
            .put("weight", 50).put("username", "user").put("password", "secret"));
    gateway = TestGateway.start(Map.of(), fastDelivery(relays));
    seed = new OutboundSeed(gateway.pgUrl());
  }

  @AfterAll
  static void stop() {
    seed.close();
    gateway.close();
    relay.close();
    dead.close();
  }

  private static void awaitStatus(UUID id, String status) {
    Eventually.until(Duration.ofSeconds(20), () -> status.equals(seed.status(id)),
        () -> "status " + seed.status(id) + ", events " + seed.events(id));
  }

  private static List<String> eventTypes(UUID id) {
    return seed.events(id).stream().map(e -> e.getString("type")).toList();
  }

  private static long arrivals(UUID id) {
    return relay.received().stream().filter(r -> ("<" + id + "@example.com>").equals(r.messageId())).count();
  }

  @Test
  void transientRcptReplyIsDeferredThenDeliveredOnRetry() {
    relay.script(Script.rcpt("451 4.2.1 mailbox busy"));
    UUID id = seed.live("busy@dest.test");
    awaitStatus(id, "delivered");
    assertThat(eventTypes(id)).containsExactly("queued", "deferred", "sent", "delivered");
    JsonObject deferred = seed.events(id).get(1);
    assertThat(deferred.getString("reply")).isEqualTo("451 4.2.1 mailbox busy");
    assertThat(deferred.getString("relay")).isEqualTo("fault");
    assertThat(seed.recipients(id)).singleElement().satisfies(r -> {
      assertThat(r.getInteger("attempts")).isEqualTo(2);
      assertThat(r.getString("reply")).startsWith("250 2.0.0 ok");
    });
    assertThat(arrivals(id)).isEqualTo(1);
  }

  @Test
  void permanentReplyBouncesWithTheExactReply() {
    relay.script(Script.rcpt("550 5.1.1 no such user"));
    UUID id = seed.live("nobody@dest.test");
    awaitStatus(id, "bounced");
    assertThat(seed.recipients(id)).singleElement().satisfies(r -> {
      assertThat(r.getString("status")).isEqualTo("bounced");
      assertThat(r.getString("reply")).isEqualTo("550 5.1.1 no such user");
    });
    assertThat(seed.queueRow(id)).isNull();
    // A message queued after it being delivered shows the workers have claimed since.
    awaitStatus(seed.live("after-bounce@dest.test"), "delivered");
    assertThat(eventTypes(id)).containsExactly("queued", "bounced");
    assertThat(arrivals(id)).isZero();
  }

  @Test
  void eachRcptReplyDecidesItsOwnRecipient() {
    relay.script(Script.rcpt("gone@dest.test", "550 5.1.1 gone"));
    UUID id = seed.live("gone@dest.test", "here@dest.test");
    awaitStatus(id, "partially_delivered");
    assertThat(seed.recipients(id)).extracting(r -> r.getString("address") + " " + r.getString("status")
        + " " + r.getString("reply"))
        .containsExactly("gone@dest.test bounced 550 5.1.1 gone",
            "here@dest.test delivered 250 2.0.0 ok: queued as " + relay.received().size());
    assertThat(relay.received()).filteredOn(r -> ("<" + id + "@example.com>").equals(r.messageId()))
        .singleElement().satisfies(r -> assertThat(r.recipients()).containsExactly("here@dest.test"));
  }

  @Test
  void contentRefusedWithFiveHundredAfterDataBounces() {
    relay.script(Script.afterData("554 5.7.1 content rejected"));
    UUID id = seed.live("strict@dest.test");
    awaitStatus(id, "bounced");
    assertThat(seed.recipients(id)).singleElement().extracting(r -> r.getString("reply"))
        .isEqualTo("554 5.7.1 content rejected");
  }

  @Test
  void connectionDroppedAfterDataIsRetried() {
    relay.script(Script.fault(Fault.DROP_AFTER_DATA));
    UUID id = seed.live("drop@dest.test");
    awaitStatus(id, "delivered");
    assertThat(eventTypes(id)).containsExactly("queued", "deferred", "sent", "delivered");
    assertThat(seed.events(id).get(1).getString("reply")).contains("closed");
    assertThat(arrivals(id)).isEqualTo(1);
  }

  @Test
  void stallMidDataTimesOutAndIsRetried() {
    relay.script(Script.fault(Fault.STALL_MID_DATA));
    long started = System.nanoTime();
    UUID id = seed.live("stall@dest.test");
    awaitStatus(id, "delivered");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThan(Duration.ofSeconds(2));
    assertThat(eventTypes(id)).containsExactly("queued", "deferred", "sent", "delivered");
    assertThat(seed.events(id).get(1).getString("reply")).contains("timeout");
    assertThat(arrivals(id)).isEqualTo(1);
  }

  @Test
  void failsOverToTheNextRelayWhenTheFirstRefusesConnections() {
    UUID id = seed.live("failover@dest.test", "second@dest.test");
    awaitStatus(id, "delivered");
    assertThat(seed.events(id)).filteredOn(e -> !"queued".equals(e.getString("type")))
        .allSatisfy(e -> assertThat(e.getString("relay")).isEqualTo("fault"));
    assertThat(seed.recipients(id)).allSatisfy(r -> assertThat(r.getInteger("attempts")).isEqualTo(1));
    assertThat(relay.received()).filteredOn(r -> ("<" + id + "@example.com>").equals(r.messageId()))
        .singleElement().satisfies(r -> assertThat(r.recipients())
            .containsExactlyInAnyOrder("failover@dest.test", "second@dest.test"));
  }

  @Test
  void credentialsGoOutWithAuthPlainToALoopbackRelay() {
    UUID id = seed.live("auth@dest.test");
    awaitStatus(id, "delivered");
    String token = Base64.getEncoder().encodeToString("\0user\0secret".getBytes(StandardCharsets.UTF_8));
    assertThat(relay.auths()).isNotEmpty().allSatisfy(a -> assertThat(a).isEqualTo("AUTH PLAIN " + token));
  }

  @Test
  void withoutARelayMailIsDeferredWithTheReason() {
    try (TestGateway bare = TestGateway.start(Map.of(), fastDelivery(new JsonArray()));
        OutboundSeed local = new OutboundSeed(bare.pgUrl())) {
      UUID id = local.live("nowhere@dest.test");
      Eventually.until(Duration.ofSeconds(20), () -> "deferred".equals(local.status(id)),
          () -> "status " + local.status(id));
      assertThat(local.recipients(id)).singleElement().satisfies(r -> {
        assertThat(r.getString("status")).isEqualTo("deferred");
        assertThat(r.getString("reply")).isEqualTo("no relay configured");
      });
      JsonObject row = local.queueRow(id);
      assertThat(row.getString("last_error")).isEqualTo("no relay configured");
      assertThat(row.getString("lease_owner")).isNull();
    }
  }
}
