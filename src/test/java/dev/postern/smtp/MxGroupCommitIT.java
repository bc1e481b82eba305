package dev.postern.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.FreePort;
import dev.postern.support.SmtpWire;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The MX's group commit (issue #13, bench mx-accept): transactions ending DATA at the same time
 * share a commit, and every one of them is still answered 250 only with its raw and delivery
 * committed. Commits are counted by the transaction ids that wrote the {@code inbound_raw} rows
 * ({@code xmin}; filing never rewrites those rows): exact, unlike the statistics counters, which
 * every other transaction of the gateway (filing, housekeeping) also moves.
 */
class MxGroupCommitIT {

  private static final int SESSIONS = 24;

  private TestGateway gateway;
  private SmtpKit kit;

  @AfterEach
  void stop() {
    if (kit != null) {
      kit.close();
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void concurrentTransactionsCommitInFewerCommitsThanMessages() throws Exception {
    int mx = FreePort.next();
    gateway = TestGateway.start(Map.of("POSTERN_MX_PORT", Integer.toString(mx),
        "POSTERN_SMTP_HOST", "127.0.0.1"),
        new JsonObject().put("smtp", new JsonObject().put("max_connections_per_address", 100)));
    kit = new SmtpKit(gateway);
    kit.mailbox("a@hosted.example");
    kit.mailbox("b@hosted.example");

    List<SmtpWire> sessions = new ArrayList<>();
    ExecutorService senders = Executors.newFixedThreadPool(SESSIONS);
    try {
      // Every session waits at 354; then all final dots go at once.
      for (int i = 0; i < SESSIONS; i++) {
        SmtpWire smtp = MxKit.greeted(mx);
        sessions.add(smtp);
        assertThat(smtp.command("MAIL FROM:<sender@elsewhere.example>").code()).isEqualTo(250);
        for (String to : i % 3 == 0 ? List.of("a@hosted.example", "b@hosted.example")
            : List.of("a@hosted.example")) {
          assertThat(smtp.command("RCPT TO:<" + to + ">").code()).isEqualTo(250);
        }
        assertThat(smtp.command("DATA").code()).isEqualTo(354);
      }
      CountDownLatch go = new CountDownLatch(1);
      List<Future<SmtpWire.Reply>> replies = new ArrayList<>();
      for (int i = 0; i < SESSIONS; i++) {
        SmtpWire smtp = sessions.get(i);
        String message = MxKit.message("together " + i, UUID.randomUUID() + "@elsewhere.example");
        replies.add(senders.submit(() -> {
          go.await();
          return smtp.command(message + "\r\n.");
        }));
      }
      go.countDown();
      Set<String> ids = new HashSet<>();
      for (int i = 0; i < SESSIONS; i++) {
        String id = SmtpKit.queuedId(replies.get(i).get(60, TimeUnit.SECONDS));
        ids.add(id);
        // Acknowledged means committed: the raw and its deliveries are there now.
        assertThat(MxKit.deliveredTo(kit, id)).as("deliveries of message %d", i)
            .isEqualTo(i % 3 == 0 ? List.of("a@hosted.example", "b@hosted.example")
                : List.of("a@hosted.example"));
      }
      assertThat(ids).hasSize(SESSIONS);
    } finally {
      senders.shutdownNow();
      for (SmtpWire smtp : sessions) {
        smtp.close();
      }
    }
    long raws = kit.count("SELECT count(*) FROM inbound_raw");
    long commits = kit.count("SELECT count(DISTINCT xmin::text) FROM inbound_raw");
    assertThat(raws).isEqualTo(SESSIONS);
    assertThat(commits).as("commits for %d messages ending DATA together", SESSIONS)
        .isLessThan(SESSIONS);
    System.out.printf("MxGroupCommitIT: %d messages ending DATA together, %d commits%n",
        SESSIONS, commits);
  }
}
