package dev.postern.inbound.accept;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.db.Database;
import org.junit.jupiter.api.Test;

/** The MX's one statement stays prepared (see send.OutboundInsertSqlTest for why it matters). */
class InboundInsertSqlTest {

  @Test
  void theMxsOneStatementFitsThePreparedStatementCache() {
    assertThat(InboundInsert.SQL.length()).isLessThanOrEqualTo(Database.PREPARED_STATEMENT_SQL_LIMIT);
  }
}
