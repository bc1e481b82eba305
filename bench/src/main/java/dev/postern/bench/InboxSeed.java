package dev.postern.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Seeds inbox-list's mailbox (bench/RECEIVING.md). The first {@code --pipeline} messages are
 * filed by the gateway's own pipeline: each committed as the MX commits one (an
 * {@code inbound_raw} row with the MIME inline and an {@code inbound_deliveries} row, pending),
 * but in batches of {@code --batch} per statement instead of one SMTP transaction each; then
 * {@code NOTIFY postern_inbound} wakes the filing loop, which parses, threads and files every one
 * of them as it would mail from the MX, until none is pending. The rest of {@code --messages} are
 * SQL copies of those ({@link InboxSeedCopies}), so a 100 000-message mailbox does not wait for
 * filing's rate. Seeding ends when the mailbox holds them all.
 *
 * <p>Message i (0-based) is received at {@code base + i} seconds (one second apart, distinct,
 * oldest first, the newest a second before the seed started), from one of 50 senders, ~2 KB of
 * text, and replies to message i-1 unless i is a multiple of 4 (threads of four). The list API's
 * cursor is {@code received_at}, so {@code --paths-out} gets {@code --cursors} list targets whose
 * {@code before} falls at random between the 51st message and the newest: every one a full page.
 */
@Command(name = "InboxSeed", mixinStandardHelpOptions = true,
    description = "Files N messages into a mailbox through the gateway's filing pipeline.")
public final class InboxSeed implements Callable<Integer> {

  private static final String SEED_BATCH = """
      WITH raw AS (
        INSERT INTO inbound_raw (id, source, received_at, remote_addr, helo, envelope_from,
                                 encrypted, mime_inline, mime_size)
        SELECT gen_random_uuid(), 'mx', $1::timestamptz + i * interval '1 second', '127.0.0.1',
               'seed.bench.test', 'sender' || (i % 50) || '@senders.test', false, m.mime,
               octet_length(m.mime)
          FROM generate_series($2::int, $3::int) AS i,
          LATERAL (SELECT convert_to(
            'From: Sender ' || (i % 50) || ' <sender' || (i % 50) || '@senders.test>' || E'\\r\\n'
            || 'To: <' || $5 || '>' || E'\\r\\n'
            || 'Subject: ' || CASE WHEN i % 4 = 0 THEN '' ELSE 'Re: ' END || 'Seeded thread '
               || (i / 4) || E'\\r\\n'
            || 'Date: ' || to_char(($1::timestamptz + i * interval '1 second') AT TIME ZONE 'UTC',
               'Dy, DD Mon YYYY HH24:MI:SS') || ' +0000' || E'\\r\\n'
            || 'Message-ID: <seed-' || i || '-' || $6 || '@senders.test>' || E'\\r\\n'
            || CASE WHEN i % 4 = 0 THEN ''
               ELSE 'In-Reply-To: <seed-' || (i - 1) || '-' || $6 || '@senders.test>' || E'\\r\\n' END
            || 'MIME-Version: 1.0' || E'\\r\\nContent-Type: text/plain; charset=utf-8\\r\\n\\r\\n'
            || 'Message ' || i || E' of the inbox-list seed.\\r\\n'
            || repeat(E'The quick brown fox jumps over the lazy dog while the bench counts.\\r\\n', 28),
            'UTF8') AS mime) AS m
        RETURNING id)
      INSERT INTO inbound_deliveries (id, raw_id, mailbox_id, recipient)
      SELECT gen_random_uuid(), raw.id, $4, $5 FROM raw""";

  @Option(names = "--pg-data", required = true,
      description = "the gateway's PostgreSQL data directory (embedded: <POSTERN_DATA_DIR>/pg)")
  Path pgData;

  @Option(names = "--pg-user", defaultValue = "postgres")
  String user;

  @Option(names = "--pg-database", defaultValue = "postgres")
  String database;

  @Option(names = "--mailbox", required = true, description = "the hosted mailbox's address")
  String mailbox;

  @Option(names = "--messages", defaultValue = "100000")
  int messages;

  @Option(names = "--batch", defaultValue = "5000", description = "messages per INSERT statement")
  int batch;

  @Option(names = "--pipeline", defaultValue = "2000", description = "messages filed by the"
      + " gateway's pipeline; the rest are SQL copies of them (InboxSeedCopies)")
  int pipeline;

  @Option(names = "--cursors", defaultValue = "1000", description = "list targets written")
  int cursors;

  @Option(names = "--paths-out", description = "file for the list targets (LoadGenerator --paths-file)")
  Path pathsOut;

  @Option(names = "--drain-stall", defaultValue = "120",
      description = "seconds without filing progress after which seeding fails")
  double drainStall;

  public static void main(String[] args) {
    System.exit(new CommandLine(new InboxSeed()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (messages < 51) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--messages must be > 50");
    }
    PostmasterPid postmaster = PostmasterPid.read(pgData);
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    try {
      PgConnection db = PgConnection.connect(vertx, new PgConnectOptions()
          .setHost(postmaster.host()).setPort(postmaster.port()).setUser(user)
          .setDatabase(database).setPassword("")).await(30, TimeUnit.SECONDS);
      UUID mailboxId = db.preparedQuery("SELECT id FROM mailboxes WHERE lower(address) = lower($1)")
          .execute(Tuple.of(mailbox)).await(30, TimeUnit.SECONDS).iterator().next().getUUID(0);
      long filedBefore = filed(db, mailboxId);
      // Whole seconds, so every received_at (and every cursor) is exact.
      Instant base = Instant.now().minusSeconds(messages).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
      String run = Long.toHexString(System.currentTimeMillis());
      long t0 = System.nanoTime();
      int filedByPipeline = Math.max(51, Math.min(pipeline, messages));
      for (int from = 0; from < filedByPipeline; from += batch) {
        int to = Math.min(filedByPipeline, from + batch) - 1;
        db.preparedQuery(SEED_BATCH).execute(Tuple.of(base.atOffset(ZoneOffset.UTC), from, to,
            mailboxId, mailbox, run)).await(10, TimeUnit.MINUTES);
        db.query("NOTIFY postern_inbound").execute().await(30, TimeUnit.SECONDS);
      }
      double insertSeconds = (System.nanoTime() - t0) / 1e9;
      System.err.printf(Locale.ROOT, "[seed] %d messages committed in %.1f s; filing...%n",
          filedByPipeline, insertSeconds);
      FilingBacklog.Drain drain = FilingBacklog.drain(() -> pending(db, mailboxId), drainStall);
      double filingSeconds = (drain.drainedNanos() - t0) / 1e9 - insertSeconds;
      long copyStart = System.nanoTime();
      InboxSeedCopies.copy(db, mailboxId, run, filedByPipeline, messages);
      double copySeconds = (System.nanoTime() - copyStart) / 1e9;
      double total = (System.nanoTime() - t0) / 1e9;
      long filed = filed(db, mailboxId) - filedBefore;
      if (filed != messages) {
        System.err.printf("[seed] FAILED: %d messages seeded, %d filed (failed deliveries: see"
            + " inbound_deliveries.last_error)%n", messages, filed);
        return 3;
      }
      System.out.printf(Locale.ROOT, "seed: %s messages in %s in %.1f s (%s filed by the pipeline:"
          + " %.1f s to commit them, then %.1f s until it had filed the last, %s msg/s; %s SQL"
          + " copies of them in %.1f s)%n", BenchUnits.grouped(messages), mailbox, total,
          BenchUnits.grouped(filedByPipeline), insertSeconds, filingSeconds,
          BenchUnits.grouped(filedByPipeline / (insertSeconds + filingSeconds)),
          BenchUnits.grouped(messages - filedByPipeline), copySeconds);
      if (pathsOut != null) {
        Files.write(pathsOut, listTargets(base, messages, cursors, new Random(42)));
      }
      db.close().await(10, TimeUnit.SECONDS);
      return 0;
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /**
   * {@code count} list targets, each {@code before} a random seeded instant after at least 50
   * older messages (a full page), at the half second so no message sits on the cursor itself.
   */
  static List<String> listTargets(Instant base, int messages, int count, Random random) {
    List<String> targets = new ArrayList<>(count);
    for (int k = 0; k < count; k++) {
      int newerThan = 50 + random.nextInt(messages - 50); // messages 0 .. newerThan-1 are older
      Instant before = base.plusSeconds(newerThan - 1).plusMillis(500);
      targets.add("/v1/inbox/messages?limit=50&before=" + before);
    }
    return targets;
  }

  private static long pending(PgConnection db, UUID mailboxId) throws Exception {
    return db.preparedQuery("SELECT count(*) FROM inbound_deliveries WHERE mailbox_id = $1"
            + " AND state = 'pending'").execute(Tuple.of(mailboxId)).await(30, TimeUnit.SECONDS)
        .iterator().next().getLong(0);
  }

  private static long filed(PgConnection db, UUID mailboxId) throws Exception {
    return db.preparedQuery("SELECT count(*) FROM mail_messages WHERE mailbox_id = $1")
        .execute(Tuple.of(mailboxId)).await(30, TimeUnit.SECONDS).iterator().next().getLong(0);
  }
}
