package dev.postern.queue;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * A {@link WorkQueue} over a PostgreSQL table with an id, a due time and
 * {@code lease_owner}/{@code lease_until} columns: claim, renew, release and next-due are the
 * same for every kind of work; an adapter names its table and reads its claimed rows. Claims use
 * {@code FOR UPDATE SKIP LOCKED}, so concurrent claimers on any node never take the same row,
 * and an expired lease makes a row claimable again. Each call is one statement (one round trip)
 * over any number of rows.
 */
public abstract class PgWorkQueue<W> implements WorkQueue<W> {

  /**
   * Where a kind of work lives.
   *
   * @param waiting SQL condition (on the table's own columns) of rows still to be worked on,
   *     {@code TRUE} when finished rows are deleted
   * @param onClaim extra {@code , col = …} assignments when a row is claimed (alias {@code q})
   * @param onRelease extra assignments when a row is given back unattempted (alias {@code q})
   */
  public record Table(String name, String id, String due, String waiting, String onClaim,
      String onRelease) {}

  /** Claim texts kept built, for limits up to this. */
  private static final int MAX_CACHED_LIMITS = 256;

  private final Pool pool;
  private final String owner;
  /**
   * The claim with its limit and lease written into the text ({@code {limit}}, {@code {lease}}),
   * over this node's owner name as a literal: a statement without parameters, so PostgreSQL plans
   * it once per connection and reuses that plan ({@code choose_custom_plan}: no parameters, no
   * custom plan). With {@code LIMIT $2} bound, every claim was planned anew: a generic plan
   * costs {@code LIMIT $n} as 10 % of the table and is compared with the average cost of the
   * custom plans so far, which the queue's growth and shrinking kept out of reach
   * (pg_stat_statements in e2e-relay, session 17: 16 872 plans in 17 269 claims, 0.28 ms of
   * planning per 0.14 ms of execution). One prepared statement per limit.
   */
  private final String claimTemplate;
  private final ClaimText[] claims = new ClaimText[MAX_CACHED_LIMITS + 1];

  private record ClaimText(long leaseMillis, String sql) {}

  private final String renew;
  private final String release;
  private final String nextDue;
  private final String expireAll;

  /**
   * @param owner this node's lease owner name, unique among live nodes
   * @param readClaimed the query that reads what a worker needs of the leased rows, over the CTE
   *     {@code claimed} (every column of the leased rows)
   */
  protected PgWorkQueue(Pool pool, String owner, Table t, String readClaimed) {
    this.pool = pool;
    this.owner = owner;
    String free = "(lease_until IS NULL OR lease_until < now())";
    this.claimTemplate = """
        WITH due AS (
          SELECT %2$s FROM %1$s
          WHERE %4$s AND %3$s <= now() AND %5$s
          ORDER BY %3$s
          LIMIT {limit}
          FOR UPDATE SKIP LOCKED),
        claimed AS (
          UPDATE %1$s q
          SET lease_owner = %8$s, lease_until = now() + interval '{lease} milliseconds'%6$s
          FROM due WHERE q.%2$s = due.%2$s
          RETURNING q.*)
        %7$s""".formatted(t.name(), t.id(), t.due(), t.waiting(), free, t.onClaim(), readClaimed,
        quoted(owner));
    this.renew = """
        UPDATE %s SET lease_until = now() + $3::bigint * interval '1 millisecond'
        WHERE lease_owner = $1 AND %s = ANY($2) AND %s""".formatted(t.name(), t.id(), t.waiting());
    this.release = """
        UPDATE %1$s q SET lease_owner = NULL, lease_until = NULL,
            %3$s = CASE WHEN $3::bigint > 0 THEN greatest(q.%3$s, now() + $3::bigint * interval '1 millisecond')
                        ELSE q.%3$s END%5$s
        WHERE lease_owner = $1 AND %2$s = ANY($2) AND %4$s"""
        .formatted(t.name(), t.id(), t.due(), t.waiting(), t.onRelease());
    // Not GREATEST(0, …) over the bare min: GREATEST skips NULLs, so an empty table would read
    // as "due now" and an idle claim loop would query in a tight circle.
    this.nextDue = """
        SELECT (EXTRACT(EPOCH FROM (min(greatest(%1$s, coalesce(lease_until, %1$s))) - now())) * 1000)::bigint
        FROM %2$s WHERE %3$s""".formatted(t.due(), t.name(), t.waiting());
    // now() is the statement's transaction start: any later claim's now() is past it, so the
    // claim's "lease_until < now()" holds for every row this touched.
    this.expireAll = """
        UPDATE %s SET lease_until = now() WHERE lease_until > now() AND %s"""
        .formatted(t.name(), t.waiting());
  }

  /** This node's lease owner name. */
  protected final String owner() {
    return owner;
  }

  protected final Pool pool() {
    return pool;
  }

  /** One row of the {@code readClaimed} query as a unit of work. */
  protected abstract W read(Row row);

  @Override
  public final Future<List<W>> claim(int max, Duration lease) {
    return pool.preparedQuery(claimSql(max, lease.toMillis()))
        .execute(Tuple.tuple())
        .map(rows -> {
          List<W> claimed = new ArrayList<>(rows.size());
          rows.forEach(row -> claimed.add(read(row)));
          return claimed;
        });
  }

  /** The claim statement for at most {@code max} rows (package-private: QueuePlansIT explains it). */
  final String claimSql(int max, long leaseMillis) {
    int limit = Math.max(1, max);
    ClaimText cached = limit <= MAX_CACHED_LIMITS ? claims[limit] : null;
    if (cached != null && cached.leaseMillis() == leaseMillis) {
      return cached.sql();
    }
    String sql = claimTemplate.replace("{limit}", Integer.toString(limit))
        .replace("{lease}", Long.toString(Math.max(0, leaseMillis)));
    if (limit <= MAX_CACHED_LIMITS) {
      claims[limit] = new ClaimText(leaseMillis, sql); // a benign race: same immutable text
    }
    return sql;
  }

  /**
   * The owner name as a SQL string literal. Printable ASCII without a backslash, so the literal
   * reads the same whatever a server's standard_conforming_strings says.
   */
  private static String quoted(String owner) {
    for (int i = 0; i < owner.length(); i++) {
      char c = owner.charAt(i);
      if (c < 0x20 || c > 0x7e || c == '\\') {
        throw new IllegalArgumentException("lease owner name must be printable ASCII without a"
            + " backslash: " + owner);
      }
    }
    return "'" + owner.replace("'", "''") + "'";
  }

  @Override
  public final Future<Void> renew(Collection<UUID> ids, Duration lease) {
    if (ids.isEmpty()) {
      return Future.succeededFuture();
    }
    return pool.preparedQuery(renew).execute(idsTuple(ids).addValue(lease.toMillis())).mapEmpty();
  }

  @Override
  public final Future<Void> release(Collection<UUID> ids, Duration backoff) {
    if (ids.isEmpty()) {
      return Future.succeededFuture();
    }
    return pool.preparedQuery(release).execute(idsTuple(ids).addValue(backoff.toMillis())).mapEmpty();
  }

  /**
   * Prepared although it has no parameters: a claim loop asks after every claim that left slots
   * free (mx-accept: ~200 a second), and as a simple query each was parsed and planned again
   * (0.11 ms of planning per 0.03 ms of execution, pg_stat_statements, session 17).
   */
  @Override
  public final Future<Duration> nextDue() {
    return pool.preparedQuery(nextDue).execute().map(rows -> {
      Long ms = rows.iterator().next().getLong(0);
      return ms == null ? null : Duration.ofMillis(Math.max(0, ms));
    });
  }

  @Override
  public final Future<Integer> expireAllLeases() {
    return pool.query(expireAll).execute().map(rows -> rows.rowCount());
  }

  /** addValue, not Tuple.of(owner, array): varargs would spread the array into parameters. */
  private Tuple idsTuple(Collection<UUID> ids) {
    return Tuple.tuple().addValue(owner).addValue(ids.toArray(UUID[]::new));
  }
}
