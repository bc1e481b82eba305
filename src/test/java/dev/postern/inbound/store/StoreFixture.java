package dev.postern.inbound.store;

import dev.postern.blob.BlobStore;
import dev.postern.blob.filesystem.FilesystemBlobStore;
import dev.postern.db.Migrations;
import dev.postern.inbound.parse.ParsedAttachment;
import dev.postern.support.PgFixture;
import dev.postern.support.SqlSeed;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** A mail store on a fresh, migrated database with a filesystem blob store; rows to file. */
public final class StoreFixture implements AutoCloseable {

  public final Vertx vertx = Vertx.vertx();
  public final String pgUrl = PgFixture.freshDatabaseUrl();
  public final Pool pool;
  public final BlobStore blobs;
  public final MailStore store;

  public StoreFixture(int poolSize) {
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(poolSize)).connectingTo(pgUrl)
        .using(vertx).build();
    Migrations.fromClasspath().apply(pool).await();
    try {
      blobs = FilesystemBlobStore.create(vertx, Files.createTempDirectory("postern-store-")).await();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    store = new MailStore(pool, blobs, new MailChangeEvents(vertx, pool, 5));
  }

  /** A plaintext-tier mailbox at a fresh address on {@code example.com}. */
  public UUID mailbox() {
    return SqlSeed.mailbox(pgUrl, "box-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com");
  }

  /** An inline raw row (what the acceptor commits before 250). */
  public UUID raw() {
    UUID id = UUID.randomUUID();
    pool.preparedQuery("""
            INSERT INTO inbound_raw (id, source, encrypted, mime_inline, mime_size)
            VALUES ($1, 'mx', false, '\\x00', 1)""").execute(Tuple.of(id)).await();
    return id;
  }

  /** A message for {@code mailbox}'s inbox with these threading headers. */
  public NewMessage message(UUID mailbox, String messageId, String inReplyTo, List<String> references,
      String subject) {
    return message(mailbox, "inbox", null, messageId, inReplyTo, references, subject, List.of());
  }

  public NewMessage message(UUID mailbox, String folder, UUID deliveryId, String messageId,
      String inReplyTo, List<String> references, String subject, List<ParsedAttachment> attachments) {
    return new NewMessage(mailbox, folder, raw(), deliveryId, Instant.now(), 100, false, false,
        "rcpt@example.com", null, messageId, inReplyTo, references, "Sender", "s@example.net",
        List.of("rcpt@example.com"), List.of(), subject, Instant.now(), null, "hello", null,
        attachments, Set.of());
  }

  public long count(String sql, Object... args) {
    return pool.preparedQuery(sql).execute(Tuple.from(args)).await().iterator().next().getLong(0);
  }

  @Override
  public void close() {
    pool.close().await();
    vertx.close().await();
  }
}
