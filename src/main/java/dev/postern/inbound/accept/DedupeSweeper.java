package dev.postern.inbound.accept;

import dev.postern.db.ExpirySweeper;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

/**
 * The MX's retry memories older than a day ({@code inbound_dedupe}, V007): a memory only counts
 * for 24 hours ({@link InboundInsert}). The table has no index on its age (one less to write per
 * accept): the oldest rows are first in the heap, where the limited scan finds them. The age is
 * checked again on the row, against a memory the accept path refreshes meanwhile.
 */
public final class DedupeSweeper {

  private DedupeSweeper() {}

  public static ExpirySweeper create(Vertx vertx, Pool pool, int batch) {
    return new ExpirySweeper(vertx, pool, "expired inbound retry memories", """
        DELETE FROM inbound_dedupe s
         USING (SELECT mailbox_id, dedupe_key FROM inbound_dedupe
                 WHERE created_at < now() - interval '24 hours' LIMIT $1) d
         WHERE s.mailbox_id = d.mailbox_id AND s.dedupe_key = d.dedupe_key
           AND s.created_at < now() - interval '24 hours'""", batch);
  }
}
