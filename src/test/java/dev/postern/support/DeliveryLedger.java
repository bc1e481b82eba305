package dev.postern.support;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * What a {@link FaultRelay} received in a long durability run, as digests (the relay keeps no
 * content: {@link FaultRelay#handOver}). Each delivered copy is filed under its Message-ID
 * header, which the gateway stamps once at accept and stores ({@code message_id_header}), so a
 * second delivery of one email files under the same key. The MIME digest leaves out the header
 * fields delivery may put first (a DKIM-Signature, RFC 6376 §3.5; a Received field), so it must
 * equal the stored {@code mime_sha256}: what was delivered is exactly what was accepted.
 */
public final class DeliveryLedger implements Consumer<FaultRelay.Received> {

  /** One delivered copy: digests of the whole DATA content and of the MIME after the added head. */
  public record Copy(String wholeSha256, String mimeSha256) {}

  /** What the gateway stored for an acknowledged id. */
  public record Stored(String messageIdHeader, String mimeSha256) {}

  /**
   * The end check: acknowledged ids never delivered, or delivered with other MIME than stored;
   * duplicates (copies beyond the first, allowed across a kill: at-least-once); duplicates whose
   * whole content (with the added head) differs from the first copy's.
   */
  public record Verdict(int acknowledged, int delivered, List<String> undelivered, List<String> altered,
      long duplicates, long duplicatesReSigned, long deliveriesOfUnacknowledged) {
    public String summary() {
      return acknowledged + " acknowledged, " + delivered + " of them delivered, " + undelivered.size()
          + " undelivered, " + altered.size() + " delivered altered, " + duplicates + " duplicate copies ("
          + duplicatesReSigned + " with a different added head), " + deliveriesOfUnacknowledged
          + " deliveries of stored but unacknowledged messages";
    }
  }

  private final Map<String, List<Copy>> byMessageId = new ConcurrentHashMap<>();
  private final AtomicLong deliveries = new AtomicLong();

  /** Digests are taken here, not on the relay's event loop (300 KB messages, many at once). */
  private final java.util.concurrent.ExecutorService digester = java.util.concurrent.Executors
      .newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "delivery-ledger-digests");
        thread.setDaemon(true);
        return thread;
      });

  /** Files the copy once its digests are taken ({@link #deliveredOf} and {@link #verify} see it then). */
  @Override
  public void accept(FaultRelay.Received received) {
    digester.execute(() -> file(received));
  }

  private void file(FaultRelay.Received received) {
    byte[] whole = received.content().getBytes(StandardCharsets.UTF_8);
    int mimeStart = addedHeadLength(received.content());
    byte[] mime = received.content().substring(mimeStart).getBytes(StandardCharsets.UTF_8);
    String messageId = received.messageId();
    byMessageId.computeIfAbsent(messageId == null ? "(none)" : messageId, k -> new CopyOnWriteArrayList<>())
        .add(new Copy(sha256(whole), sha256(mime)));
    deliveries.incrementAndGet();
  }

  public long deliveries() {
    return deliveries.get();
  }

  /** How many of {@code expected} (Message-ID headers) have arrived at least once. */
  public long deliveredOf(Collection<Stored> expected) {
    return expected.stream().filter(s -> byMessageId.containsKey(s.messageIdHeader())).count();
  }

  public Verdict verify(Map<UUID, Stored> acknowledged) {
    List<String> undelivered = new ArrayList<>();
    List<String> altered = new ArrayList<>();
    long duplicates = 0;
    long reSigned = 0;
    int delivered = 0;
    Set<String> acknowledgedHeaders = new java.util.HashSet<>();
    for (Map.Entry<UUID, Stored> e : acknowledged.entrySet()) {
      Stored stored = e.getValue();
      acknowledgedHeaders.add(stored.messageIdHeader());
      List<Copy> copies = byMessageId.getOrDefault(stored.messageIdHeader(), List.of());
      if (copies.isEmpty()) {
        undelivered.add(e.getKey() + " " + stored.messageIdHeader());
        continue;
      }
      delivered++;
      duplicates += copies.size() - 1;
      for (Copy copy : copies) {
        if (!copy.mimeSha256().equals(stored.mimeSha256())) {
          altered.add(e.getKey() + " " + stored.messageIdHeader() + ": delivered MIME sha256 "
              + copy.mimeSha256() + ", stored " + stored.mimeSha256());
        }
        if (!copy.wholeSha256().equals(copies.get(0).wholeSha256())) {
          reSigned++;
        }
      }
    }
    long others = byMessageId.entrySet().stream().filter(e -> !acknowledgedHeaders.contains(e.getKey()))
        .mapToLong(e -> e.getValue().size()).sum();
    return new Verdict(acknowledged.size(), delivered, undelivered, altered, duplicates, reSigned, others);
  }

  /** The Message-ID header and MIME digest the gateway stored for each id that has a row. */
  public static Map<UUID, Stored> stored(PgConnectOptions database, Collection<UUID> ids) {
    Vertx vertx = Vertx.vertx();
    try {
      Pool db = PgBuilder.pool().connectingTo(database).using(vertx).build();
      Map<UUID, Stored> stored = new HashMap<>();
      List<UUID> all = List.copyOf(ids);
      for (int from = 0; from < all.size(); from += 500) {
        UUID[] chunk = all.subList(from, Math.min(all.size(), from + 500)).toArray(UUID[]::new);
        for (Row row : db.preparedQuery("SELECT id, message_id_header, mime_sha256 FROM outbound_messages "
            + "WHERE id = ANY($1::uuid[])").execute(Tuple.of((Object) chunk)).await()) {
          stored.put(row.getUUID("id"), new Stored(row.getString("message_id_header"),
              HexFormat.of().formatHex(row.getBuffer("mime_sha256").getBytes())));
        }
      }
      db.close().await();
      return stored;
    } finally {
      vertx.close().await();
    }
  }

  /** Length of the header fields delivery puts before the stored MIME (with their folded lines). */
  static int addedHeadLength(String content) {
    int at = 0;
    while (startsWithField(content, at, "DKIM-Signature:") || startsWithField(content, at, "Received:")) {
      do {
        int end = content.indexOf("\r\n", at);
        at = end < 0 ? content.length() : end + 2;
      } while (at < content.length() && (content.charAt(at) == ' ' || content.charAt(at) == '\t'));
    }
    return at;
  }

  private static boolean startsWithField(String content, int at, String name) {
    return content.regionMatches(true, at, name, 0, name.length());
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
