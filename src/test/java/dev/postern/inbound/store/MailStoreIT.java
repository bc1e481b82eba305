package dev.postern.inbound.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.inbound.parse.ParsedAttachment;
import io.vertx.core.Future;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** UIDs, modseqs, flags, moves and expunges of the mail store, on real PostgreSQL. */
class MailStoreIT {

  private static StoreFixture f;

  @BeforeAll
  static void start() {
    f = new StoreFixture(4);
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  private FiledMessage file(UUID mailbox, String folder) {
    return f.store.file(f.message(mailbox, folder, null, null, null, List.of(), "s", List.of())).await();
  }

  private MailChange changed(Edit edit) {
    assertThat(edit).isInstanceOf(Edit.Changed.class);
    return ((Edit.Changed) edit).change();
  }

  @Test
  void uidsAscendInEachFolderAndAreNeverReusedAfterAMove() {
    UUID box = f.mailbox();
    FiledMessage a = file(box, "inbox");
    FiledMessage b = file(box, "inbox");
    FiledMessage c = file(box, "inbox");
    assertThat(List.of(a.uid(), b.uid(), c.uid())).containsExactly(1L, 2L, 3L);

    MailChange moved = changed(f.store.move(box, c.id(), "archive").await());
    assertThat(moved.kind()).isEqualTo(MailChange.Kind.MOVED);
    assertThat(moved.folder()).isEqualTo("archive");
    assertThat(moved.uid()).isEqualTo(1L);
    assertThat(moved.priorFolder()).isEqualTo("inbox");
    assertThat(moved.priorUid()).isEqualTo(3L);

    FiledMessage d = file(box, "inbox");
    assertThat(d.uid()).as("UID 3 was expunged from inbox by the move, never reused").isEqualTo(4L);
    MailChange back = changed(f.store.move(box, c.id(), "inbox").await());
    assertThat(back.uid()).isEqualTo(5L);
    assertThat(back.priorUid()).isEqualTo(1L);

    FolderStatus inbox = f.store.folderStatus(box, "inbox").await().orElseThrow();
    assertThat(inbox.uidnext()).isEqualTo(6L);
    assertThat(inbox.messages()).isEqualTo(4L);
    assertThat(inbox.highestmodseq()).isEqualTo(back.seq());
    FolderStatus archive = f.store.folderStatus(box, "archive").await().orElseThrow();
    assertThat(archive.uidnext()).isEqualTo(2L);
    assertThat(archive.messages()).isZero();
    assertThat(archive.highestmodseq()).as("the move out is an expunge there (RFC 7162)").isEqualTo(back.seq());
    assertThat(archive.uidvalidity()).isBetween(1L, 4294967295L);
    assertThat(f.store.folderStatus(box, "never").await()).isEmpty();
  }

  @Test
  void everyChangeBumpsTheModseqAndIsLoggedInSeqOrder() {
    UUID box = f.mailbox();
    FiledMessage m = file(box, "inbox");
    MailChange seen = changed(f.store.addFlags(box, m.id(), List.of("\\seen", "$Important")).await());
    assertThat(seen.seq()).isGreaterThan(m.seq());
    assertThat(flags(m.id())).containsExactly("$Important", "\\Seen");
    MailChange starred = changed(f.store.addFlags(box, m.id(), List.of("\\Flagged")).await());
    MailChange unread = changed(f.store.removeFlags(box, m.id(), List.of("\\Seen")).await());
    assertThat(modseq(m.id())).isEqualTo(unread.seq());

    List<MailChange> log = f.store.changesSince(box, 0, 100).await();
    assertThat(log).extracting(MailChange::seq)
        .containsExactly(m.seq(), seen.seq(), starred.seq(), unread.seq());
    assertThat(log).extracting(MailChange::kind).containsExactly(MailChange.Kind.NEW,
        MailChange.Kind.UPDATED, MailChange.Kind.UPDATED, MailChange.Kind.UPDATED);
    assertThat(log.get(0).seq()).isEqualTo(1L);
    assertThat(f.store.changesSince(box, seen.seq(), 1).await()).extracting(MailChange::seq)
        .containsExactly(starred.seq());
    assertThat(f.store.lastSeq(box).await()).contains(unread.seq());
  }

  @Test
  void aChangeThatChangesNothingIsNotLogged() {
    UUID box = f.mailbox();
    FiledMessage m = file(box, "inbox");
    changed(f.store.setFlags(box, m.id(), Set.of("\\Seen")).await());
    long before = f.store.lastSeq(box).await().orElseThrow();
    assertThat(f.store.addFlags(box, m.id(), List.of("\\SEEN")).await()).isInstanceOf(Edit.Unchanged.class);
    assertThat(f.store.setFlags(box, m.id(), Set.of("\\Seen")).await()).isInstanceOf(Edit.Unchanged.class);
    assertThat(f.store.move(box, m.id(), "inbox").await()).isInstanceOf(Edit.Unchanged.class);
    assertThat(f.store.lastSeq(box).await()).contains(before);
    assertThat(f.store.changesSince(box, before, 10).await()).isEmpty();
    // The next change still takes the very next seq: nothing was used up.
    assertThat(changed(f.store.setFlags(box, m.id(), Set.of()).await()).seq()).isEqualTo(before + 1);
  }

  @Test
  void anotherMailboxsMessageIsNotFound() {
    UUID mine = f.mailbox();
    UUID theirs = f.mailbox();
    FiledMessage m = file(theirs, "inbox");
    assertThat(f.store.addFlags(mine, m.id(), List.of("\\Seen")).await()).isInstanceOf(Edit.NotFound.class);
    assertThat(f.store.move(mine, m.id(), "trash").await()).isInstanceOf(Edit.NotFound.class);
    assertThat(f.store.expunge(mine, m.id()).await()).isInstanceOf(Edit.NotFound.class);
    assertThat(f.store.expunge(mine, UUID.randomUUID()).await()).isInstanceOf(Edit.NotFound.class);
    assertThat(flags(m.id())).isEmpty();
  }

  @Test
  void anExpungeIsLoggedWithWhereTheMessageWasAndFreesItsStorage() {
    UUID box = f.mailbox();
    FiledMessage m = file(box, "inbox");
    assertThat(f.count("SELECT storage_used_bytes FROM mailboxes WHERE id = $1", box)).isEqualTo(100L);
    MailChange gone = changed(f.store.expunge(box, m.id()).await());
    assertThat(gone.kind()).isEqualTo(MailChange.Kind.EXPUNGED);
    assertThat(gone.uid()).isNull();
    assertThat(gone.priorFolder()).isEqualTo("inbox");
    assertThat(gone.priorUid()).isEqualTo(m.uid());
    assertThat(f.count("SELECT count(*) FROM mail_messages WHERE id = $1", m.id())).isZero();
    assertThat(f.count("SELECT storage_used_bytes FROM mailboxes WHERE id = $1", box)).isZero();
    assertThat(f.store.folderStatus(box, "inbox").await().orElseThrow().highestmodseq()).isEqualTo(gone.seq());
  }

  @Test
  void aDeliveryIsFiledOnceWhateverTheNumberOfRuns() {
    UUID box = f.mailbox();
    UUID delivery = UUID.randomUUID();
    NewMessage m = f.message(box, "inbox", delivery, "once@x", null, List.of(), "s", List.of());
    FiledMessage first = f.store.file(m).await();
    FiledMessage again = f.store.file(m).await();
    assertThat(first.alreadyFiled()).isFalse();
    assertThat(again.alreadyFiled()).isTrue();
    assertThat(again.id()).isEqualTo(first.id());
    assertThat(again.uid()).isEqualTo(first.uid());
    assertThat(f.count("SELECT count(*) FROM mail_messages WHERE delivery_id = $1", delivery)).isEqualTo(1L);
    assertThat(f.count("SELECT count(*) FROM mail_changes WHERE mailbox_id = $1", box)).isEqualTo(1L);
    assertThat(f.store.lastSeq(box).await()).contains(first.seq());
  }

  @Test
  void smallAttachmentsAreKeptInTheRowAndLargeOnesInTheBlobStore() {
    UUID box = f.mailbox();
    byte[] small = new byte[StoredAttachments.INLINE_LIMIT];
    byte[] large = new byte[StoredAttachments.INLINE_LIMIT + 1];
    large[0] = 42;
    FiledMessage m = f.store.file(f.message(box, "inbox", null, null, null, List.of(), "s", List.of(
        new ParsedAttachment("a.bin", "application/octet-stream", "attachment", Optional.empty(), small),
        new ParsedAttachment("b\u0000.png", "image/png", "inline", Optional.of("cid1"), large)))).await();
    var rows = f.pool.preparedQuery("""
            SELECT position, filename, size, content IS NOT NULL AS inline, blob_key, content_id
              FROM mail_attachments WHERE message_id = $1 ORDER BY position""")
        .execute(Tuple.of(m.id())).await();
    List<String> seen = new ArrayList<>();
    rows.forEach(r -> seen.add(r.getInteger("position") + " " + r.getString("filename") + " "
        + r.getLong("size") + " " + r.getBoolean("inline") + " " + r.getString("content_id")));
    assertThat(seen).containsExactly("1 a.bin 65536 true null", "2 b.png 65537 false cid1");
    String key = rows.iterator().next() == null ? null : null;
    for (var r : rows) {
      key = r.getString("blob_key") != null ? r.getString("blob_key") : key;
    }
    assertThat(key).startsWith("in/att/");
    assertThat(f.blobs.get(key).await().getBytes()).isEqualTo(large);
    assertThat(f.count("SELECT count(*) FROM mail_messages WHERE id = $1 AND has_attachments", m.id())).isEqualTo(1L);
  }

  @Test
  void aBadFolderNameOrFlagIsRefusedBeforeAnythingIsWritten() {
    UUID box = f.mailbox();
    FiledMessage m = file(box, "inbox");
    long before = f.store.lastSeq(box).await().orElseThrow();
    Future<Edit> longName = f.store.move(box, m.id(), "x".repeat(65));
    Future<Edit> badFlag = f.store.addFlags(box, m.id(), List.of("\\Bogus"));
    Future<Edit> badKeyword = f.store.addFlags(box, m.id(), List.of("two words"));
    for (Future<Edit> refused : List.of(longName, badFlag, badKeyword)) {
      assertThat(refused.transform(r -> Future.succeededFuture(r.cause())).await())
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(f.store.lastSeq(box).await()).contains(before);
  }

  private List<String> flags(UUID id) {
    return List.of(f.pool.preparedQuery("SELECT flags FROM mail_messages WHERE id = $1")
        .execute(Tuple.of(id)).await().iterator().next().getArrayOfStrings("flags"));
  }

  private long modseq(UUID id) {
    return f.count("SELECT modseq FROM mail_messages WHERE id = $1", id);
  }
}
