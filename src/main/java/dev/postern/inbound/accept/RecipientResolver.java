package dev.postern.inbound.accept;

import dev.postern.cache.BoundedCache;
import dev.postern.cache.SharedFutures;
import dev.postern.mailboxes.EncryptionTier;
import dev.postern.refusal.Reason;
import dev.postern.refusal.Refusal;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Which hosted mailbox receives mail for an address (SPEC §5 "Inbound MX"), in this order:
 * <ol>
 *   <li>a mailbox with exactly that address, compared case-insensitively;</li>
 *   <li>{@code bot+tag@domain}: the mailbox {@code bot@domain}, the tag kept (RFC 5233
 *       sub-addressing; the first {@code +} separates it);</li>
 *   <li>another local part of a hosted domain: the domain's catch-all mailbox
 *       ({@code domains.catch_all_mailbox_id}) when set, else {@link Reason#RECIPIENT_UNKNOWN};</li>
 *   <li>a domain we do not host: {@link Reason#RELAY_DENIED} — never an open relay.</li>
 * </ol>
 * A mailbox whose storage is used up ({@code storage_used_bytes >= coalesce(storage_quota_bytes,
 * default)}, the default 0 meaning no limit) is {@link Reason#MAILBOX_FULL}. The database
 * unreachable fails the future with its own failure (the edges' dependency classification).
 *
 * <p>Answers (refusals included) are cached for a few seconds: the MX asks at RCPT and again when
 * the data has arrived, and a dictionary attack should not cost one query per guess. A changed
 * mailbox or catch-all is therefore seen within {@code ttl}. Used from several event loops.
 */
public final class RecipientResolver {

  /** One query: the domain, and the first of exact address, base address, catch-all. */
  private static final String RESOLVE = "SELECT d.id AS domain_id, m.id, m.address,"
      + " m.encryption_tier, m.pgp_public_key, m.storage_used_bytes, m.storage_quota_bytes, m.via"
      + " FROM domains d LEFT JOIN LATERAL ("
      + "   SELECT mb.id, mb.address, mb.encryption_tier, mb.pgp_public_key, mb.storage_used_bytes,"
      + "     mb.storage_quota_bytes, c.via"
      + "   FROM (VALUES"
      + "     (1, (SELECT id FROM mailboxes WHERE lower(address) = lower($2))),"
      + "     (2, (SELECT id FROM mailboxes WHERE lower(address) = lower($3::text))),"
      + "     (3, d.catch_all_mailbox_id)) AS c(via, id)"
      + "   JOIN mailboxes mb ON mb.id = c.id ORDER BY c.via LIMIT 1) m ON true"
      + " WHERE d.name = $1";

  private final Pool pool;
  private final long defaultQuotaBytes;
  private final BoundedCache<String, Future<ResolvedRecipient>> cache;

  /**
   * @param defaultQuotaBytes a mailbox's storage limit when it has none of its own; 0: no limit
   * @param ttl how long an answer is reused
   */
  public RecipientResolver(Pool pool, long defaultQuotaBytes, Duration ttl, int maxEntries,
      Clock clock) {
    this.pool = pool;
    this.defaultQuotaBytes = defaultQuotaBytes;
    this.cache = new BoundedCache<>(maxEntries, ttl.toMillis(), clock);
  }

  /** The defaults: answers kept 5 s, at most 10 000 of them. */
  public static RecipientResolver of(Pool pool, long defaultQuotaBytes, Clock clock) {
    return new RecipientResolver(pool, defaultQuotaBytes, Duration.ofSeconds(5), 10_000, clock);
  }

  /**
   * The mailbox for {@code recipient} (a bare {@code local@domain}, as the SMTP path parser gives
   * it); fails with a {@link Refusal} or a database failure.
   */
  public Future<ResolvedRecipient> resolve(String recipient) {
    String key = recipient.toLowerCase(Locale.ROOT);
    Future<ResolvedRecipient> cached = cache.getOrPut(key, k -> lookup(recipient));
    // A refusal is an answer worth keeping; an unreachable database is not.
    cached.onFailure(e -> {
      if (!(e instanceof Refusal)) {
        cache.remove(key, cached);
      }
    });
    return SharedFutures.onCallersContext(cached);
  }

  /** {@link #resolve} without the answer: the MX's RCPT check. */
  public Future<Void> check(String recipient) {
    return resolve(recipient).mapEmpty();
  }

  /** Forgets every answer (an operator changed mailboxes or a catch-all on this node). */
  public void invalidateAll() {
    cache.clear();
  }

  private Future<ResolvedRecipient> lookup(String recipient) {
    int at = recipient.lastIndexOf('@');
    if (at <= 0 || at == recipient.length() - 1) {
      return Future.failedFuture(Refusal.of(Reason.RECIPIENT_UNKNOWN, "not a mailbox address"));
    }
    String local = recipient.substring(0, at);
    String domain = stripRootDot(recipient.substring(at + 1).toLowerCase(Locale.ROOT));
    Optional<String> tag = subAddress(local);
    String base = tag.map(t -> local.substring(0, local.indexOf('+')) + "@" + domain).orElse(null);
    return pool.preparedQuery(RESOLVE)
        .execute(Tuple.of(domain, local + "@" + domain, base))
        .compose(rows -> answer(recipient, rows, tag));
  }

  private Future<ResolvedRecipient> answer(String recipient, RowSet<Row> rows, Optional<String> tag) {
    if (rows.size() == 0) {
      return Future.failedFuture(Refusal.of(Reason.RELAY_DENIED, "the domain is not hosted here"));
    }
    Row row = rows.iterator().next();
    if (row.getUUID("id") == null) {
      return Future.failedFuture(Refusal.of(Reason.RECIPIENT_UNKNOWN, "no such mailbox"));
    }
    Long own = row.getLong("storage_quota_bytes");
    long quota = own != null ? own : defaultQuotaBytes;
    if (quota > 0 && row.getLong("storage_used_bytes") >= quota) {
      return Future.failedFuture(Refusal.of(Reason.MAILBOX_FULL, "the mailbox is full"));
    }
    int via = row.getInteger("via");
    return Future.succeededFuture(new ResolvedRecipient(recipient, row.getUUID("id"),
        row.getString("address"),
        EncryptionTier.fromWire(row.getString("encryption_tier")).orElseThrow(),
        row.getString("pgp_public_key"), via == 2 ? tag.orElse(null) : null, via == 3));
  }

  /** The tag of {@code base+tag} (RFC 5233), when both sides are non-empty. */
  static Optional<String> subAddress(String local) {
    int plus = local.indexOf('+');
    if (plus <= 0 || plus == local.length() - 1 || local.startsWith("\"")) {
      return Optional.empty();
    }
    return Optional.of(local.substring(plus + 1));
  }

  /** {@code example.com.} names the same domain as {@code example.com} (RFC 1034 §3.1). */
  private static String stripRootDot(String domain) {
    return domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
  }
}
