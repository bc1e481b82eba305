package dev.postern.send;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.send.AcknowledgedSendLoad.Senders;
import dev.postern.send.AcknowledgedSendLoad.Sent;
import dev.postern.support.DeliveryLedger;
import dev.postern.support.Eventually;
import dev.postern.support.FaultRelay;
import dev.postern.support.FreePort;
import dev.postern.support.GatewayProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue #4 and #15 item 10 / TESTING.md "Faults": the packaged gateway on its embedded PostgreSQL
 * is killed with SIGKILL at random moments of a concurrent send load and restarted on the same
 * data directory each time; every round has acknowledged sends before its kill. Afterwards every
 * id that got a 200 is found by {@code GET /v1/emails/:id}, its stored MIME (inline in the row or
 * a file of the blob store) reads back as exactly what was sent, and the last gateway drains the
 * queue to a recording relay: every acknowledged id is delivered with its stored MIME. A copy
 * delivered twice (the relay's 250 lost to a kill: at-least-once) is counted and must carry the
 * same MIME.
 *
 * <p>Tuning (system properties, or the environment variables in brackets):
 * {@code postern.kill9.seconds} [POSTERN_KILL9_SECONDS] live load time, default 12;
 * {@code postern.kill9.kills} [POSTERN_KILL9_KILLS] SIGKILLs during it, default 2;
 * {@code postern.kill9.senders} [POSTERN_KILL9_SENDERS] concurrent senders, default 24;
 * {@code postern.kill9.seed} [POSTERN_KILL9_SEED] for the kill moments, default random (logged,
 * to replay a run). Long runs: {@code scripts/kill9-durability.sh}.
 */
class KillDuringSendLoadIT {

  private static final Logger log = LoggerFactory.getLogger(KillDuringSendLoadIT.class);

  @TempDir Path work;

  @Test
  void everyAcknowledgedSendSurvivesSigkillsDuringLoadAndIsDeliveredAsStored() throws Exception {
    int seconds = setting("postern.kill9.seconds", "POSTERN_KILL9_SECONDS", 12);
    int kills = setting("postern.kill9.kills", "POSTERN_KILL9_KILLS", 2);
    int senders = setting("postern.kill9.senders", "POSTERN_KILL9_SENDERS", 24);
    long seed = setting("postern.kill9.seed", "POSTERN_KILL9_SEED", (int) System.nanoTime());
    Random moments = new Random(seed);
    log.info("kill -9 durability: {} s of load, {} kills, {} senders, seed {}", seconds, kills, senders, seed);

    Path data = work.resolve("data");
    // Gateway output outlives the temporary directory, for reading after a failed run.
    Path logs = Path.of("target", "kill9-logs", Long.toString(System.currentTimeMillis()));
    String adminToken = "admin-" + UUID.randomUUID();
    int port = FreePort.next();
    DeliveryLedger ledger = new DeliveryLedger();
    try (FaultRelay relay = FaultRelay.start().handOver(ledger)) {
      Map<String, String> env = Map.of(
          "POSTERN_DATA_DIR", data.toString(),
          "POSTERN_HTTP_HOST", "127.0.0.1",
          "POSTERN_HTTP_PORT", Integer.toString(port),
          "POSTERN_ADMIN_TOKEN", adminToken,
          "POSTERN_RELAY_URL", relay.relayUrl());
      String[] serve = AcknowledgedChecks.quickRedeliveryConfig(work);
      GatewayProcess gateway = GatewayProcess.start(logs, env, serve);
      try {
        gateway.awaitReady(Duration.ofSeconds(120));
        String key = AcknowledgedChecks.createMailboxAndKey(gateway.baseUrl(), adminToken);

        Senders load = new Senders(gateway.baseUrl(), key, senders);
        // The load's duration counts the time a gateway is up; each kill falls at a random moment
        // of its own slice, measured from the moment the previous restart became ready, and
        // never before that process acknowledged a send.
        long budget = TimeUnit.SECONDS.toNanos(seconds);
        long slice = budget / (kills + 1);
        long liveSince = System.nanoTime();
        long acknowledgedAtReady = 0;
        List<Long> acknowledgedAtKill = new ArrayList<>();
        List<Double> restartSeconds = new ArrayList<>();
        for (int i = 0; i < kills; i++) {
          long live = (long) (slice * (0.3 + 0.7 * moments.nextDouble()));
          sleepUntil(liveSince + live);
          long atReady = acknowledgedAtReady;
          Eventually.until(Duration.ofSeconds(60), () -> load.acknowledged.size() > atReady,
              () -> "no send acknowledged by the process before kill " + (load.acknowledged.size()));
          budget -= System.nanoTime() - liveSince;
          long before = load.acknowledged.size();
          java.time.Instant killing = java.time.Instant.now();
          load.gatewayReady = false;
          gateway.kill();
          acknowledgedAtKill.add(before);
          log.info("SIGKILL {} at {} (dead at {}) after {} s of live load on that process, {} acknowledged so far",
              i + 1, killing, java.time.Instant.now(), String.format("%.1f", (System.nanoTime() - liveSince) / 1e9),
              before);
          gateway.close();
          long restarting = System.nanoTime();
          gateway = GatewayProcess.start(logs, env, serve);
          gateway.awaitReady(Duration.ofSeconds(120));
          load.gatewayReady = true;
          liveSince = System.nanoTime();
          acknowledgedAtReady = load.acknowledged.size();
          restartSeconds.add((liveSince - restarting) / 1e9);
          log.info("restarted and ready in {} s", String.format("%.1f", (liveSince - restarting) / 1e9));
        }
        long acknowledgedAtLastRestart = load.acknowledged.size();
        sleepUntil(liveSince + Math.max(budget, TimeUnit.SECONDS.toNanos(1)));
        log.info("stopping the load");
        load.stop();

        Map<UUID, Sent> acknowledged = Map.copyOf(load.acknowledged);
        long large = acknowledged.values().stream().filter(s -> s.attachmentSha256() != null).count();
        log.info("load done: {} attempts, {} acknowledged ({} with a {} KB attachment), {} refused "
            + "connections or resets, {} unanswered (+ {} begun during a restart), other statuses {}", load.attempts.get(),
            acknowledged.size(), large, AcknowledgedSendLoad.LARGE_ATTACHMENT_BYTES / 1024,
            load.connectionFailures.get(), load.timeouts.get(), load.startupTimeouts.get(), load.refusals);
        log.info("restart to ready: {}", AcknowledgedChecks.spread(restartSeconds));

        // Durability first: every acknowledged send is there and reads back as sent.
        List<String> notFound = AcknowledgedChecks.idsNotFoundByTheApi(gateway.baseUrl(), key, acknowledged);
        log.info("GET /v1/emails/:id of every acknowledged id: {} not found {}", notFound.size(),
            notFound.stream().limit(10).toList());
        long stored = AcknowledgedChecks.assertEveryStoredMimeReadsBackAsSent(
            AcknowledgedChecks.embeddedDatabase(data), data, acknowledged, load.timings);
        assertThat(notFound).as("acknowledged ids not found by GET /v1/emails/:id").isEmpty();
        log.info("verified: all {} acknowledged ids found by GET /v1/emails/:id with their MIME intact; "
            + "{} messages stored in all (the rest were accepted but unacknowledged when killed)",
            acknowledged.size(), stored);
        DeliveryLedger.Verdict delivered = AcknowledgedChecks.assertEveryAcknowledgedSendDelivered(
            AcknowledgedChecks.embeddedDatabase(data), ledger, acknowledged, AcknowledgedChecks.drainBound(acknowledged));
        log.info("kill -9 durability result: {} kills, {} acknowledged, 0 lost, {} delivered, {} duplicate "
            + "copies, restart to ready {}", kills, acknowledged.size(), delivered.delivered(),
            delivered.duplicates(), AcknowledgedChecks.spread(restartSeconds));

        // Then that the run proved something, and that a live gateway answered every request.
        for (int i = 0; i < kills; i++) {
          long previous = i == 0 ? 0 : acknowledgedAtKill.get(i - 1);
          assertThat(acknowledgedAtKill.get(i)).as("sends were being acknowledged before kill " + (i + 1))
              .isGreaterThan(previous);
        }
        assertThat(load.acknowledged.size()).as("service resumed after the last restart")
            .isGreaterThan((int) acknowledgedAtLastRestart);
        assertThat(large).as("large (blob) messages acknowledged").isPositive();
        assertThat(acknowledged.size() - large).as("small (inline) messages acknowledged").isPositive();
        assertThat(load.otherStatuses).as("no response but 200 from a live gateway").isEmpty();
        assertThat(load.timeouts.get()).as("requests begun while the gateway was ready, never answered").isZero();
        assertThat(load.startupTimeouts.get()).as("requests begun while a restarted gateway was starting, never answered")
            .isZero();
      } finally {
        gateway.close();
      }
    }
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long left = nanoTime - System.nanoTime();
    if (left > 0) {
      TimeUnit.NANOSECONDS.sleep(left);
    }
  }

  static int setting(String property, String env, int fallback) {
    String value = System.getProperty(property, System.getenv(env));
    return value == null || value.isBlank() ? fallback : Integer.parseInt(value.trim());
  }
}
