package dev.postern.inbound.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The mailbox row lock that filings and edits hold to their commit: it serialises them (V005's
 * gap-free change seq) but must not hold up accepts, whose inserts reference the mailbox and so
 * take a KEY SHARE lock on its row for the foreign-key check. With {@code FOR UPDATE} every MX
 * accept waited for the filing transaction in flight (bench mx-accept, session 10).
 */
class MailboxLockIT {

  private static StoreFixture f;

  @BeforeAll
  static void start() {
    f = new StoreFixture(4);
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  @Test
  void anAcceptIsNotHeldBehindAFilingButAnotherFilingIs() {
    for (String lock : new String[] {MessageFiling.LOCK, MessageEdits.LOCK}) {
      UUID box = f.mailbox();
      UUID raw = f.raw();
      SqlConnection filing = f.pool.getConnection().await();
      SqlConnection other = f.pool.getConnection().await();
      try {
        Transaction tx = filing.begin().await();
        assertThat(filing.preparedQuery(lock).execute(Tuple.of(box)).await().size()).isEqualTo(1);
        // Waiting at all would be the bug: 2 s is ages for one insert on an idle database.
        other.query("SET lock_timeout = '2s'").execute().await();
        other.preparedQuery("""
                INSERT INTO inbound_deliveries (id, raw_id, mailbox_id, recipient)
                VALUES ($1, $2, $3, 'r@example.com')""")
            .execute(Tuple.of(UUID.randomUUID(), raw, box)).await();

        // The positive control: a second filing of the mailbox does wait for the first.
        other.query("SET lock_timeout = '200ms'").execute().await();
        assertThatThrownBy(() -> other.preparedQuery(lock).execute(Tuple.of(box)).await())
            .isInstanceOfSatisfying(PgException.class,
                e -> assertThat(e.getSqlState()).as(lock).isEqualTo("55P03"));
        tx.rollback().await();
      } finally {
        filing.close().await();
        other.close().await();
      }
    }
  }
}
