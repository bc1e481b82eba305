package dev.postern.send;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.db.Database;
import dev.postern.queue.PgOutboundQueue;
import org.junit.jupiter.api.Test;

/**
 * The accept statements stay prepared: the client keeps a connection's prepared statement only
 * for SQL up to {@link Database#PREPARED_STATEMENT_SQL_LIMIT} characters; a longer one would be
 * parsed and planned again for every batch (half a millisecond of PostgreSQL CPU per commit,
 * measured in session 8), silently.
 */
class OutboundInsertSqlTest {

  @Test
  void theSendPathsOneStatementFitsThePreparedStatementCache() {
    String sql = new OutboundInsert(new PgOutboundQueue(null, "node"), true).sql(true);
    assertThat(sql.length())
        .as("longer than the client's default limit (2 048): why the limit was raised")
        .isGreaterThan(2048)
        .isLessThanOrEqualTo(Database.PREPARED_STATEMENT_SQL_LIMIT);
  }

}
