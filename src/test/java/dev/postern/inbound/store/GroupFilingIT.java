package dev.postern.inbound.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link MailStore#fileAll}: a group of messages into one mailbox in one transaction keeps every
 * guarantee of filing them one by one — gap-free seqs, ascending UIDs and received_at, JWZ
 * threading that sees the group's earlier messages, exactly once per delivery — and a message
 * PostgreSQL refuses fails alone.
 */
class GroupFilingIT {

  private static StoreFixture f;

  @BeforeAll
  static void start() {
    f = new StoreFixture(8);
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  private static NewMessage message(UUID box, UUID raw, String folder, String id, String inReplyTo,
      String subject, long size) {
    return new NewMessage(box, folder, raw, UUID.randomUUID(), Instant.now(), size, false, false,
        "r@example.com", null, id, inReplyTo, inReplyTo == null ? List.of() : List.of(inReplyTo),
        null, "s@x", List.of(), List.of(), subject, null, null, "body", null, List.of(), Set.of());
  }

  private static List<FiledMessage> await(List<Future<FiledMessage>> outcomes) {
    Future.join(outcomes).otherwiseEmpty().await();
    return outcomes.stream().map(o -> o.succeeded() ? o.result() : null).toList();
  }

  /** The committing transaction of each of the mailbox's messages: one per group. */
  private static long transactions(UUID box) {
    return f.count("SELECT count(DISTINCT xmin::text) FROM mail_messages WHERE mailbox_id = $1", box);
  }

  @Test
  void aGroupIsOneTransactionAndAReplyThreadsWithItsParentInTheSameGroup() {
    UUID box = f.mailbox();
    UUID raw = f.raw();
    f.store.file(message(box, raw, "inbox", "<before@x>", null, "Earlier", 10)).await();
    List<NewMessage> group = List.of(
        message(box, raw, "inbox", "<root@x>", null, "Plans", 10),
        message(box, raw, "inbox", "<other@x>", null, "Unrelated", 10),
        message(box, raw, "inbox", "<reply@x>", "<root@x>", "Re: Plans", 10),
        message(box, raw, "inbox", "<reply2@x>", "<reply@x>", "Re: Re: Plans", 10),
        message(box, raw, "inbox", "<late@x>", "<before@x>", "Re: Earlier", 10));
    List<String> events = new ArrayList<>();
    List<FiledMessage> filed = await(f.store.fileAll(group, (c, messages, done) -> {
      events.add(messages.size() + "/" + done.size());
      return Future.succeededFuture();
    }));

    assertThat(events).containsExactly("5/5");
    assertThat(transactions(box)).isEqualTo(2L);
    assertThat(filed).extracting(FiledMessage::seq).containsExactly(2L, 3L, 4L, 5L, 6L);
    assertThat(filed).extracting(FiledMessage::uid).containsExactly(2L, 3L, 4L, 5L, 6L);
    assertThat(filed).extracting(FiledMessage::receivedAt).isSorted().doesNotHaveDuplicates();
    assertThat(filed.get(2).threadId()).isEqualTo(filed.get(0).threadId())
        .isEqualTo(filed.get(3).threadId()).isNotEqualTo(filed.get(1).threadId());
    assertThat(filed).extracting(FiledMessage::threadPosition).containsExactly(1, 1, 2, 3, 2);
    List<Row> rows = rowsOf(box);
    assertThat(rows).extracting(r -> r.getInteger("thread_position")).containsExactly(1, 1, 1, 2, 3, 2);
    assertThat(f.count("SELECT message_count FROM mail_threads WHERE id = $1", filed.get(0).threadId()))
        .isEqualTo(3L);
    assertThat(f.count("SELECT count(*) FROM mail_changes WHERE mailbox_id = $1", box)).isEqualTo(6L);
    assertThat(f.count("SELECT change_seq FROM mailboxes WHERE id = $1", box)).isEqualTo(6L);
    assertThat(f.count("SELECT storage_used_bytes FROM mailboxes WHERE id = $1", box)).isEqualTo(60L);
    assertThat(f.count("SELECT highestmodseq FROM mail_folders WHERE mailbox_id = $1 AND name = 'inbox'", box))
        .isEqualTo(6L);
    assertThat(f.count("""
        SELECT count(*) FROM mailboxes b WHERE id = $1
           AND last_received_at = (SELECT max(received_at) FROM mail_messages WHERE mailbox_id = b.id)""", box))
        .isEqualTo(1L);
  }

  @Test
  void aMessageThatLinksTwoThreadsOfItsGroupMergesThemAndRenumbers() {
    UUID box = f.mailbox();
    UUID raw = f.raw();
    List<FiledMessage> filed = await(f.store.fileAll(List.of(
        message(box, raw, "inbox", "<a@x>", null, "A", 1),
        message(box, raw, "inbox", "<b@x>", null, "B", 1),
        message(box, raw, "inbox", "<a2@x>", "<a@x>", "Re: A", 1),
        new NewMessage(box, "inbox", raw, UUID.randomUUID(), Instant.now(), 1, false, false,
            "r@example.com", null, "<both@x>", null, List.of("<a@x>", "<b@x>"), null, "s@x",
            List.of(), List.of(), "Re: A", null, null, null, null, List.of(), Set.of())),
        (c, m, d) -> Future.succeededFuture()));

    assertThat(f.count("SELECT count(DISTINCT thread_id) FROM mail_messages WHERE mailbox_id = $1", box))
        .isEqualTo(1L);
    assertThat(f.count("SELECT count(*) FROM mail_threads WHERE mailbox_id = $1", box)).isEqualTo(1L);
    assertThat(rowsOf(box)).extracting(r -> r.getInteger("thread_position")).containsExactly(1, 2, 3, 4);
    assertThat(filed).extracting(FiledMessage::threadId).containsOnly(filed.get(3).threadId());
    assertThat(filed).extracting(FiledMessage::threadPosition).containsExactly(1, 2, 3, 4);
    assertThat(f.count("SELECT message_count FROM mail_threads WHERE mailbox_id = $1", box)).isEqualTo(4L);
    // The group's ids are recorded once each, all with the thread they ended in after the merge
    // (not the one they were first placed in), so later mail naming any of them joins it.
    UUID merged = filed.get(3).threadId();
    assertThat(f.count("SELECT count(*) FROM mail_thread_refs WHERE mailbox_id = $1", box)).isEqualTo(4L);
    assertThat(f.count("SELECT count(*) FROM mail_thread_refs WHERE mailbox_id = $1 AND thread_id = $2",
        box, merged)).isEqualTo(4L);
    assertThat(f.store.file(message(box, raw, "inbox", "<b2@x>", "<b@x>", "Re: B", 1)).await().threadId())
        .isEqualTo(merged);
  }

  @Test
  void arrayAndJsonFieldsWithQuotesBackslashesAndBracesAreStoredAsGiven() {
    // The group's rows travel as array literals and JSON text (one statement per group): what
    // array-literal syntax gives meaning to must come back as the sender wrote it.
    UUID box = f.mailbox();
    UUID raw = f.raw();
    List<String> hostile = List.of("a\"b@x", "back\\slash@x", "{brace},comma@x", "NULL", "", "é ü");
    io.vertx.core.json.JsonArray headers = new io.vertx.core.json.JsonArray()
        .add(new io.vertx.core.json.JsonObject().put("name", "X-Odd").put("value", "\"q\" \\ {} \t"));
    List<FiledMessage> filed = await(f.store.fileAll(List.of(
        new NewMessage(box, "inbox", raw, UUID.randomUUID(), Instant.now(), 1, false, false,
            "r@example.com", null, "<odd@x>", null, List.of("<\"quoted\"@x>", "<{b}@x>"), null, "s@x",
            hostile, hostile, "S", null, headers, "text", null, List.of(), Set.of("$Label1")),
        message(box, raw, "inbox", "<plain@x>", null, "P", 1)),
        (c, m, d) -> Future.succeededFuture()));

    assertThat(filed).doesNotContainNull();
    Row row = rowsOf(box).get(0);
    assertThat(row.getArrayOfStrings("to_addresses")).containsExactlyElementsOf(hostile);
    assertThat(row.getArrayOfStrings("cc_addresses")).containsExactlyElementsOf(hostile);
    assertThat(row.getArrayOfStrings("references_ids")).containsExactly("\"quoted\"@x", "{b}@x");
    assertThat(row.getArrayOfStrings("flags")).containsExactly("$Label1");
    assertThat(row.getJsonArray("headers")).isEqualTo(headers);
    assertThat(rowsOf(box).get(1).getArrayOfStrings("to_addresses")).isEmpty();
  }

  @Test
  void aThreadWithAnExpungedMessageIsRenumberedWhenTheGroupJoinsIt() {
    UUID box = f.mailbox();
    UUID raw = f.raw();
    f.store.file(message(box, raw, "inbox", "<p@x>", null, "P", 1)).await();
    FiledMessage middle = f.store.file(message(box, raw, "inbox", "<q@x>", "<p@x>", "Re: P", 1)).await();
    f.store.file(message(box, raw, "inbox", "<r@x>", "<p@x>", "Re: P", 1)).await();
    assertThat(f.store.expunge(box, middle.id()).await()).isInstanceOf(Edit.Changed.class);
    List<FiledMessage> filed = await(f.store.fileAll(List.of(
        message(box, raw, "inbox", "<s@x>", "<p@x>", "Re: P", 1)), (c, m, d) -> Future.succeededFuture()));
    assertThat(filed.get(0).threadPosition()).isEqualTo(3);
    assertThat(rowsOf(box)).extracting(r -> r.getInteger("thread_position")).containsExactly(1, 2, 3);
  }

  @Test
  void interleavedGroupsOfTwoFoldersKeepSeqsGapFreeAndUidsAscending() {
    UUID box = f.mailbox();
    UUID raw = f.raw();
    List<Future<FiledMessage>> all = new ArrayList<>();
    for (int g = 0; g < 20; g++) {
      List<NewMessage> group = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        group.add(message(box, raw, (g + i) % 3 == 0 ? "archive" : "inbox", "<g" + g + "m" + i + "@x>",
            i > 0 ? "<g" + g + "m0@x>" : null, "G" + g, 5));
      }
      all.addAll(f.store.fileAll(group, (c, m, d) -> Future.succeededFuture()));
    }
    List<FiledMessage> filed = await(all);
    assertThat(filed).doesNotContainNull();
    assertThat(filed).extracting(FiledMessage::seq).doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(java.util.stream.LongStream.rangeClosed(1, 200).boxed().toList());
    assertThat(transactions(box)).isLessThan(200L);
    for (String folder : List.of("inbox", "archive")) {
      List<FiledMessage> inFolder = filed.stream().filter(m -> m.folder().equals(folder))
          .sorted(java.util.Comparator.comparingLong(FiledMessage::seq)).toList();
      assertThat(inFolder).extracting(FiledMessage::uid).isSorted()
          .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, inFolder.size()).boxed().toList());
      assertThat(f.count("SELECT highestmodseq FROM mail_folders WHERE mailbox_id = $1 AND name = $2", box, folder))
          .isEqualTo(inFolder.get(inFolder.size() - 1).seq());
    }
    List<FiledMessage> bySeq = filed.stream().sorted(java.util.Comparator.comparingLong(FiledMessage::seq)).toList();
    assertThat(bySeq).extracting(FiledMessage::receivedAt).isSorted().doesNotHaveDuplicates();
    assertThat(f.count("SELECT count(DISTINCT thread_id) FROM mail_messages WHERE mailbox_id = $1", box))
        .isEqualTo(20L);
    assertThat(f.count("SELECT count(*) FROM mail_changes WHERE mailbox_id = $1", box)).isEqualTo(200L);
  }

  @Test
  void aMessageThePoolRefusesFailsAloneAndADeliveryFiledBeforeIsFoundNotFiledTwice() {
    UUID box = f.mailbox();
    UUID raw = f.raw();
    NewMessage filedBefore = message(box, raw, "inbox", "<once@x>", null, "Once", 7);
    FiledMessage first = f.store.file(filedBefore).await();
    NewMessage poison = message(box, raw, "inbox", "<poison@x>", null, "Poison", -1);
    Map<UUID, Boolean> stepSaw = new ConcurrentHashMap<>();
    List<Future<FiledMessage>> outcomes = f.store.fileAll(List.of(
        message(box, raw, "inbox", "<ok1@x>", null, "Ok", 7), poison, filedBefore,
        message(box, raw, "inbox", "<ok2@x>", "<ok1@x>", "Re: Ok", 7)),
        (c, messages, done) -> {
          for (int i = 0; i < messages.size(); i++) {
            stepSaw.put(messages.get(i).deliveryId(), done.get(i).alreadyFiled());
          }
          return Future.succeededFuture();
        });
    List<FiledMessage> filed = await(outcomes);

    assertThat(outcomes.get(1).failed()).isTrue();
    assertThat(outcomes.get(1).cause()).isInstanceOf(PgException.class);
    assertThat(filed.get(2).alreadyFiled()).isTrue();
    assertThat(filed.get(2).id()).isEqualTo(first.id());
    assertThat(filed.get(0).alreadyFiled()).isFalse();
    assertThat(filed.get(3).threadId()).isEqualTo(filed.get(0).threadId());
    // The step ran in the refused group too (rolled back with it), then with each alone.
    assertThat(stepSaw).containsEntry(filedBefore.deliveryId(), true);
    assertThat(f.count("SELECT count(*) FROM mail_messages WHERE mailbox_id = $1", box)).isEqualTo(3L);
    assertThat(f.count("SELECT count(*) FROM mail_messages WHERE delivery_id = $1", filedBefore.deliveryId()))
        .isEqualTo(1L);
    // Gap-free: the refused group used no seq.
    assertThat(f.count("SELECT change_seq FROM mailboxes WHERE id = $1", box)).isEqualTo(3L);
    assertThat(filed.get(0).seq()).isEqualTo(2L);
    assertThat(filed.get(3).seq()).isEqualTo(3L);
  }

  private static List<Row> rowsOf(UUID box) {
    List<Row> rows = new ArrayList<>();
    f.pool.preparedQuery("SELECT * FROM mail_messages WHERE mailbox_id = $1 ORDER BY modseq")
        .execute(Tuple.of(box)).await().forEach(rows::add);
    return rows;
  }
}
