package dev.postern.bench;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Where inbox-fanout's latency goes, per message (issue #14), from timestamps the gateway keeps
 * anyway and the client's own: the accept transaction's start ({@code inbound_deliveries
 * .created_at}, the MX's commit before its 250), the client reading the 250, the filing
 * transaction's start ({@code mail_changes.occurred_at} of the message's {@code new} change:
 * after the wake-up, the claim and the parse), then the first, median and last stream's event.
 * PostgreSQL's {@code now()} is its transaction's start, and the client and the server share this
 * machine's clock; each stage is printed as median and max over the messages.
 */
final class FanoutBreakdown {

  /** One message: wall-clock epoch nanoseconds of the 250, and each stream's event. */
  record Message(String messageId, long ackNanos, long[] arrivalNanos) {}

  private FanoutBreakdown() {}

  /** Prints the stages; failures only print why (the breakdown is a diagnosis, not the figure). */
  static void print(Path pgData, List<Message> messages) {
    if (messages.isEmpty()) {
      return;
    }
    Vertx vertx = Vertx.vertx();
    try {
      PostmasterPid postmaster = PostmasterPid.read(pgData);
      PgConnection db = PgConnection.connect(vertx, new PgConnectOptions()
          .setHost(postmaster.host()).setPort(postmaster.port()).setUser("postgres")
          .setDatabase("postgres").setPassword("")).await(30, TimeUnit.SECONDS);
      Map<String, long[]> server = new HashMap<>();
      String[] ids = messages.stream().map(Message::messageId).toArray(String[]::new);
      for (Row row : db.preparedQuery("""
          SELECT btrim(m.message_id_header, '<>') AS id,
                 (extract(epoch FROM d.created_at) * 1e9)::bigint AS accepted,
                 (extract(epoch FROM c.occurred_at) * 1e9)::bigint AS filed
            FROM mail_messages m
            JOIN inbound_deliveries d ON d.id = m.delivery_id
            JOIN mail_changes c ON c.mailbox_id = m.mailbox_id AND c.message_id = m.id
                               AND c.kind = 'new'
           WHERE btrim(m.message_id_header, '<>') = ANY($1)""")
          .execute(Tuple.of(ids)).await(30, TimeUnit.SECONDS)) {
        server.put(row.getString("id"), new long[] {row.getLong("accepted"), row.getLong("filed")});
      }
      db.close().await(10, TimeUnit.SECONDS);
      Stages stages = new Stages();
      for (Message m : messages) {
        long[] s = server.get(m.messageId());
        if (s == null || m.arrivalNanos().length == 0) {
          continue;
        }
        long[] arrivals = m.arrivalNanos().clone();
        Arrays.sort(arrivals);
        long first = arrivals[0];
        stages.add("MX accept tx start → client read 250", m.ackNanos() - s[0]);
        stages.add("250 → filing tx start (wake, claim, parse)", s[1] - m.ackNanos());
        stages.add("filing tx start → first stream event (commit, feed read, write)", first - s[1]);
        stages.add("first → median stream event", arrivals[arrivals.length / 2] - first);
        stages.add("first → last stream event (fan-out spread)", arrivals[arrivals.length - 1] - first);
      }
      System.out.printf(Locale.ROOT, "breakdown over %d messages (median / max ms):%n",
          stages.count());
      stages.print();
    } catch (Exception e) {
      System.err.println("[fanout] no breakdown: " + e);
    } finally {
      vertx.close();
    }
  }

  private static final class Stages {
    private final Map<String, List<Long>> byName = new java.util.LinkedHashMap<>();

    void add(String name, long nanos) {
      byName.computeIfAbsent(name, n -> new ArrayList<>()).add(nanos);
    }

    int count() {
      return byName.values().stream().mapToInt(List::size).max().orElse(0);
    }

    void print() {
      byName.forEach((name, values) -> {
        long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf(Locale.ROOT, "  %-66s %8.1f / %8.1f%n", name,
            sorted[sorted.length / 2] / 1e6, sorted[sorted.length - 1] / 1e6);
      });
    }
  }
}
