package dev.postern.send;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.send.AcknowledgedSendLoad.Senders;
import dev.postern.send.AcknowledgedSendLoad.Sent;
import dev.postern.support.DeliveryLedger;
import dev.postern.support.Eventually;
import dev.postern.support.FaultRelay;
import dev.postern.support.FreePort;
import dev.postern.support.GatewayProcess;
import dev.postern.support.RestartablePostgres;
import io.vertx.pgclient.PgConnectOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue #15 item 10 / TESTING.md "Faults": the packaged gateway runs against a PostgreSQL it does
 * not own, which is restarted again and again under a concurrent send load — by turns a fast
 * shutdown (open sessions terminated, a checkpoint) and a crash (SIGKILL of the postmaster: crash
 * recovery from the WAL at the next start). Each round has acknowledged sends before its outage
 * and refusals during it; every refusal is {@code 503 unavailable} (docs/contract.md), never
 * another status, and no request goes unanswered. Afterwards, as after the kill -9 rounds
 * ({@link KillDuringSendLoadIT}): every acknowledged id is found by GET, its stored MIME reads back
 * as sent, and it is delivered to a recording relay with its stored MIME, duplicates counted.
 *
 * <p>Tuning (system properties, or the environment variables in brackets):
 * {@code postern.pgrestart.restarts} [POSTERN_PG_RESTARTS] outages, default 2 (one of each kind);
 * {@code postern.pgrestart.senders} [POSTERN_PG_RESTART_SENDERS] concurrent senders, default 8;
 * {@code postern.pgrestart.liveMillis} [POSTERN_PG_RESTART_LIVE_MS] up to this long of load
 * between outages once a send was acknowledged, default 1500; {@code postern.pgrestart.seed}
 * [POSTERN_PG_RESTART_SEED]. Long runs: {@code scripts/pg-restart-durability.sh}.
 */
class PostgresRestartDuringSendLoadIT {

  private static final Logger log = LoggerFactory.getLogger(PostgresRestartDuringSendLoadIT.class);

  @TempDir Path work;

  @Test
  void everyAcknowledgedSendSurvivesPostgresRestartsUnderLoadAndIsDeliveredAsStored() throws Exception {
    int restarts = KillDuringSendLoadIT.setting("postern.pgrestart.restarts", "POSTERN_PG_RESTARTS", 2);
    int senders = KillDuringSendLoadIT.setting("postern.pgrestart.senders", "POSTERN_PG_RESTART_SENDERS", 8);
    int liveMillis = KillDuringSendLoadIT.setting("postern.pgrestart.liveMillis", "POSTERN_PG_RESTART_LIVE_MS", 1500);
    long seed = KillDuringSendLoadIT.setting("postern.pgrestart.seed", "POSTERN_PG_RESTART_SEED", (int) System.nanoTime());
    Random moments = new Random(seed);
    log.info("PostgreSQL restart durability: {} restarts, {} senders, up to {} ms of load between, seed {}",
        restarts, senders, liveMillis, seed);

    Path data = work.resolve("data");
    Path logs = Path.of("target", "pg-restart-logs", Long.toString(System.currentTimeMillis()));
    String adminToken = "admin-" + UUID.randomUUID();
    DeliveryLedger ledger = new DeliveryLedger();
    try (RestartablePostgres postgres = RestartablePostgres.start();
        FaultRelay relay = FaultRelay.start().handOver(ledger)) {
      Map<String, String> env = Map.of(
          "POSTERN_DATA_DIR", data.toString(),
          "POSTERN_HTTP_HOST", "127.0.0.1",
          "POSTERN_HTTP_PORT", Integer.toString(FreePort.next()),
          "POSTERN_ADMIN_TOKEN", adminToken,
          "POSTERN_PG_URL", postgres.url(),
          "POSTERN_RELAY_URL", relay.relayUrl());
      try (GatewayProcess gateway = GatewayProcess.start(logs, env, AcknowledgedChecks.quickRedeliveryConfig(work))) {
        gateway.awaitReady(Duration.ofSeconds(120));
        String key = AcknowledgedChecks.createMailboxAndKey(gateway.baseUrl(), adminToken);
        Senders load = new Senders(gateway.baseUrl(), key, senders);
        List<Double> downToServing = new ArrayList<>();
        List<Double> serverRestart = new ArrayList<>();
        for (int i = 0; i < restarts; i++) {
          long serving = System.nanoTime();
          long atUp = load.acknowledged.size();
          Eventually.until(Duration.ofSeconds(60), () -> load.acknowledged.size() > atUp,
              () -> "no send acknowledged since PostgreSQL came back: " + load.refusals);
          Thread.sleep((long) (liveMillis * moments.nextDouble())); // a slice of load, not a wait
          boolean crash = i % 2 == 1;
          long refusedBefore = load.refusals.getOrDefault("503 unavailable", 0L);
          long down = System.nanoTime();
          if (crash) {
            postgres.crash();
          } else {
            postgres.stop();
          }
          Eventually.until(Duration.ofSeconds(30),
              () -> load.refusals.getOrDefault("503 unavailable", 0L) > refusedBefore,
              () -> "no 503 while PostgreSQL is down: " + load.refusals);
          long starting = System.nanoTime();
          postgres.startAgain();
          long started = System.nanoTime();
          long atRestart = load.acknowledged.size();
          Eventually.until(Duration.ofSeconds(60), () -> load.acknowledged.size() > atRestart,
              () -> "no send acknowledged after PostgreSQL restarted: " + load.refusals);
          serverRestart.add((started - starting) / 1e9);
          downToServing.add((System.nanoTime() - down) / 1e9);
          log.info("restart {} ({}): {} s of load before, {} acknowledged so far; server start {} s, "
              + "outage to the first 200 after it {} s", i + 1, crash ? "SIGKILL of the postmaster" : "fast shutdown",
              String.format("%.1f", (down - serving) / 1e9), atRestart,
              String.format("%.1f", (started - starting) / 1e9), String.format("%.1f", (System.nanoTime() - down) / 1e9));
        }
        long atLastRestart = load.acknowledged.size();
        Eventually.until(Duration.ofSeconds(60), () -> load.acknowledged.size() > atLastRestart,
            () -> "service after the last restart");
        load.stop();

        Map<UUID, Sent> acknowledged = Map.copyOf(load.acknowledged);
        log.info("load done: {} attempts, {} acknowledged, answers other than 200 {}, {} unanswered, {} connection "
            + "failures", load.attempts.get(), acknowledged.size(), load.refusals, load.timeouts.get(),
            load.connectionFailures.get());
        List<String> notFound = AcknowledgedChecks.idsNotFoundByTheApi(gateway.baseUrl(), key, acknowledged);
        log.info("GET /v1/emails/:id of every acknowledged id: {} not found {}", notFound.size(),
            notFound.stream().limit(10).toList());
        PgConnectOptions database = PgConnectOptions.fromUri(postgres.url());
        long stored = AcknowledgedChecks.assertEveryStoredMimeReadsBackAsSent(database, data, acknowledged,
            load.timings);
        assertThat(notFound).as("acknowledged ids not found by GET /v1/emails/:id").isEmpty();
        DeliveryLedger.Verdict delivered = AcknowledgedChecks.assertEveryAcknowledgedSendDelivered(database, ledger,
            acknowledged, AcknowledgedChecks.drainBound(acknowledged));
        log.info("PostgreSQL restart durability result: {} restarts ({} fast, {} SIGKILL), {} acknowledged, 0 lost, "
            + "{} delivered, {} duplicate copies, {} stored in all; server start {}, outage to serving again {}",
            restarts, (restarts + 1) / 2, restarts / 2, acknowledged.size(), delivered.delivered(),
            delivered.duplicates(), stored, AcknowledgedChecks.spread(serverRestart),
            AcknowledgedChecks.spread(downToServing));

        assertThat(load.refusals.keySet()).as("every answer but 200 is 503 unavailable: %s", load.refusals)
            .allMatch("503 unavailable"::equals);
        assertThat(load.timeouts.get()).as("requests never answered").isZero();
        assertThat(load.connectionFailures.get()).as("connections the gateway refused or reset").isZero();
      }
    }
  }
}
