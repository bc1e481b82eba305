package dev.postern.inbound.store;

import dev.postern.blob.BlobStore;
import dev.postern.db.TimeOrderedIds;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The mail store (SPEC §2 "Stored message"): what the REST inbox, the live stream and, later,
 * IMAP and POP3 read. Per mailbox and folder a uidvalidity, uidnext and highestmodseq; per
 * message a UID never reused in its folder, a modseq bumped on every change, flags as a set; a
 * per-mailbox change sequence, gap-free for readers, that orders every change.
 *
 * <p>Each operation is one transaction; every change takes the mailbox's next change seq with
 * the mailbox row locked until commit, so changes commit in seq order: a reader that has seen
 * seq n and then reads {@link #changesSince} never misses one committed in between. After the
 * commit each change is announced through {@link MailChangeEvents}.
 *
 * <p>Per-message operations take the mailbox id with the message id: a message of another
 * mailbox is {@link Edit.NotFound}, as is an unknown one.
 */
public final class MailStore {

  /** A step the caller adds to the filing transaction (e.g. marking its delivery filed). */
  @FunctionalInterface
  public interface InTransaction {
    Future<Void> run(SqlConnection connection, UUID messageId);

    InTransaction NOTHING = (c, id) -> Future.succeededFuture();
  }

  /**
   * A step the caller adds to a group's filing transaction, given the group's messages and, at
   * the same index, how each was filed (those with {@code alreadyFiled} were filed by an earlier
   * run: nothing new was written). After a refused group it runs once per message alone.
   */
  @FunctionalInterface
  public interface OnFiled {
    Future<Void> run(SqlConnection connection, List<NewMessage> messages, List<FiledMessage> filed);
  }

  private static final String CHANGES = """
      SELECT * FROM mail_changes WHERE mailbox_id = $1 AND seq > $2 ORDER BY seq LIMIT $3""";
  private static final String LAST_SEQ = "SELECT change_seq FROM mailboxes WHERE id = $1";
  private static final String STATUS = """
      SELECT f.name, f.uidvalidity, f.uidnext, f.highestmodseq,
             (SELECT count(*) FROM mail_messages m WHERE m.mailbox_id = f.mailbox_id AND m.folder = f.name) AS messages,
             (SELECT count(*) FROM mail_messages m WHERE m.mailbox_id = f.mailbox_id AND m.folder = f.name
                 AND NOT ('\\Seen' = ANY (m.flags))) AS unseen
        FROM mail_folders f WHERE f.mailbox_id = $1 AND f.name = $2""";

  /** Bounds of a group coalesced from concurrent {@link #file} calls. */
  private static final int GROUP_MESSAGES = 256;
  private static final long GROUP_BYTES = 16L << 20;

  private record Waiting(NewMessage message, InTransaction also, Promise<FiledMessage> filed) {}

  /** A mailbox's {@link #file} calls waiting, and whether a group of it is being filed. */
  private static final class Line {
    final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    boolean filing;
  }

  private final Pool pool;
  private final BlobStore blobs;
  private final MailChangeEvents events;
  private final Map<UUID, Line> lines = new HashMap<>();

  public MailStore(Pool pool, BlobStore blobs, MailChangeEvents events) {
    this.pool = pool;
    this.blobs = blobs;
    this.events = events;
  }

  /** Where this store announces its commits (and relays other nodes' NOTIFYs as hints). */
  public MailChangeEvents events() {
    return events;
  }

  public Future<FiledMessage> file(NewMessage message) {
    return file(message, InTransaction.NOTHING);
  }

  /**
   * Files a message: folder row on demand, the folder's next UID, the mailbox's next change seq
   * (= the message's modseq), thread joined or created, attachments, the {@code new} change, the
   * mailbox's storage use, and {@code also} — all one transaction. Large attachments are put into
   * the blob store first. Idempotent per delivery: when {@code deliveryId} was filed already
   * nothing new is written, {@code also} runs again, and the result says {@code alreadyFiled}.
   * Concurrent calls for one mailbox share transactions ({@link #fileNextGroup}).
   */
  public Future<FiledMessage> file(NewMessage message, InTransaction also) {
    Waiting w = new Waiting(message, also, Promise.promise());
    boolean start;
    synchronized (lines) {
      Line line = lines.computeIfAbsent(message.mailboxId(), id -> new Line());
      line.waiting.add(w);
      start = !line.filing;
      line.filing = true;
    }
    if (start) {
      fileNextGroup(message.mailboxId());
    }
    return w.filed().future();
  }

  /**
   * Concurrent {@link #file} calls for one mailbox coalesce: while a group of the mailbox is
   * being filed, the next calls wait, and go together as the next group ({@link #fileAll}),
   * each with its own step. The mailbox row lock serialises the mailbox's filings anyway; this
   * makes them one commit per group instead of one per message.
   */
  private void fileNextGroup(UUID mailboxId) {
    List<Waiting> group = new ArrayList<>();
    // The same message object twice goes in two groups: steps are matched to messages by identity.
    Map<NewMessage, Waiting> byMessage = new IdentityHashMap<>();
    synchronized (lines) {
      Line line = lines.get(mailboxId);
      long bytes = 0;
      while (!line.waiting.isEmpty() && group.size() < GROUP_MESSAGES
          && !byMessage.containsKey(line.waiting.peek().message()) && (group.isEmpty()
          || bytes + line.waiting.peek().message().sizeBytes() <= GROUP_BYTES)) {
        Waiting w = line.waiting.poll();
        bytes += w.message().sizeBytes();
        group.add(w);
        byMessage.put(w.message(), w);
      }
      if (group.isEmpty()) {
        lines.remove(mailboxId);
        return;
      }
    }
    List<Future<FiledMessage>> outcomes = fileAll(group.stream().map(Waiting::message).toList(),
        (c, messages, filed) -> {
          List<Future<Void>> steps = new ArrayList<>(messages.size());
          for (int i = 0; i < messages.size(); i++) {
            steps.add(byMessage.get(messages.get(i)).also().run(c, filed.get(i).id()));
          }
          return Future.all(steps).mapEmpty();
        });
    for (int i = 0; i < group.size(); i++) {
      outcomes.get(i).onComplete(group.get(i).filed());
    }
    Future.join(outcomes).onComplete(done -> fileNextGroup(mailboxId));
  }

  /**
   * Files messages of ONE mailbox as {@link #file} does each, in one transaction (one commit):
   * change seqs, UIDs and received_at ascend in list order, and a message threads with those
   * before it in the list. {@code also} runs in that transaction with all of them. When
   * PostgreSQL refuses the group (a statement error: nothing of it was committed), each message
   * is filed alone, in order, in its own transaction with {@code also}: only a guilty one fails,
   * and a delivery filed before is found ({@code alreadyFiled}) rather than filed twice (the
   * group's rule of {@code db/Batcher}). A message whose attachments cannot be stored, or that
   * is invalid, fails alone before the group starts.
   *
   * @return one future per message, in order; each completes once its message committed
   */
  public List<Future<FiledMessage>> fileAll(List<NewMessage> messages, OnFiled also) {
    if (messages.isEmpty()) {
      return List.of();
    }
    UUID mailboxId = messages.get(0).mailboxId();
    List<Promise<FiledMessage>> outcomes = new ArrayList<>(messages.size());
    List<Future<MessageFiling.Item>> ready = new ArrayList<>(messages.size());
    for (NewMessage message : messages) {
      outcomes.add(Promise.promise());
      ready.add(prepare(message, mailboxId));
    }
    Future.join(ready).onComplete(v -> {
      List<MessageFiling.Item> items = new ArrayList<>();
      List<Promise<FiledMessage>> waiting = new ArrayList<>();
      for (int i = 0; i < ready.size(); i++) {
        if (ready.get(i).succeeded()) {
          items.add(ready.get(i).result());
          waiting.add(outcomes.get(i));
        } else {
          outcomes.get(i).fail(ready.get(i).cause());
        }
      }
      if (!items.isEmpty()) {
        fileGroup(mailboxId, items, also, waiting);
      }
    });
    return outcomes.stream().map(Promise::future).toList();
  }

  private Future<MessageFiling.Item> prepare(NewMessage message, UUID mailboxId) {
    try {
      requireFolder(message.folder());
      MessageFlags.normalize(message.flags() == null ? Set.of() : message.flags());
      if (!mailboxId.equals(message.mailboxId())) {
        throw new IllegalArgumentException("a group is filed into one mailbox");
      }
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    UUID id = TimeOrderedIds.next();
    return StoredAttachments.upload(blobs, message.attachments() == null ? List.of() : message.attachments())
        .map(parts -> new MessageFiling.Item(id, message, parts));
  }

  private void fileGroup(UUID mailboxId, List<MessageFiling.Item> items, OnFiled also,
      List<Promise<FiledMessage>> outcomes) {
    pool.withTransaction(c -> MessageFiling.file(c, mailboxId, items, also)).onComplete(r -> {
      if (r.succeeded()) {
        for (int i = 0; i < items.size(); i++) {
          announceNew(r.result().get(i));
          outcomes.get(i).complete(r.result().get(i));
        }
      } else if (items.size() > 1 && r.cause() instanceof PgException) {
        fileAlone(mailboxId, items, 0, also, outcomes);
      } else if (items.size() == 1 && items.get(0).message().deliveryId() != null
          && deliveryFiledBefore(r.cause())) {
        pool.withTransaction(c -> MessageFiling.earlier(c, items.get(0).message(), also))
            .onComplete(outcomes.get(0));
      } else {
        outcomes.forEach(o -> o.fail(r.cause()));
      }
    });
  }

  /** After a refused group: each message in its own transaction, one after the other. */
  private void fileAlone(UUID mailboxId, List<MessageFiling.Item> items, int next, OnFiled also,
      List<Promise<FiledMessage>> outcomes) {
    if (next == items.size()) {
      return;
    }
    Promise<FiledMessage> alone = Promise.promise();
    alone.future().onComplete(outcomes.get(next)).onComplete(r ->
        fileAlone(mailboxId, items, next + 1, also, outcomes));
    fileGroup(mailboxId, List.of(items.get(next)), also, List.of(alone));
  }

  private void announceNew(FiledMessage filed) {
    events.announce(new MailChange(filed.mailboxId(), filed.seq(), MailChange.Kind.NEW,
        filed.id(), filed.folder(), filed.uid(), null, null, null));
  }

  /** Replaces the message's flags. */
  public Future<Edit> setFlags(UUID mailboxId, UUID messageId, Collection<String> flags) {
    return edit(c -> MessageEdits.flags(c, mailboxId, messageId, current -> Set.copyOf(flags)));
  }

  public Future<Edit> addFlags(UUID mailboxId, UUID messageId, Collection<String> flags) {
    return edit(c -> MessageEdits.flags(c, mailboxId, messageId, current -> {
      current.addAll(MessageFlags.normalize(flags));
      return current;
    }));
  }

  public Future<Edit> removeFlags(UUID mailboxId, UUID messageId, Collection<String> flags) {
    return edit(c -> MessageEdits.flags(c, mailboxId, messageId, current -> {
      current.removeAll(MessageFlags.normalize(flags));
      return current;
    }));
  }

  /**
   * What the REST PATCH asks, in one transaction: {@code add} and {@code remove} applied to the
   * flags (one {@code updated} change when they differ), then a move to {@code folder} when it is
   * not null and not where the message is (one {@code moved} change). Each change is announced
   * after the commit, in seq order. {@link Edit.NotFound} when there is no such message in the
   * mailbox; {@link Edit.Unchanged} when nothing differed; else {@link Edit.Changed} with the
   * last change.
   */
  public Future<Edit> update(UUID mailboxId, UUID messageId, Collection<String> add,
      Collection<String> remove, String folder) {
    Set<String> adding;
    Set<String> removing;
    try {
      adding = MessageFlags.normalize(add);
      removing = MessageFlags.normalize(remove);
      if (folder != null) {
        requireFolder(folder);
      }
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    return pool.withTransaction(c -> MessageEdits.flags(c, mailboxId, messageId, current -> {
          current.addAll(adding);
          current.removeAll(removing);
          return current;
        }).compose(flags -> folder == null || flags instanceof Edit.NotFound
            ? Future.succeededFuture(List.of(flags))
            : MessageEdits.move(c, mailboxId, messageId, folder).map(moved -> List.of(flags, moved))))
        .map(edits -> {
          Edit outcome = edits.get(0) instanceof Edit.NotFound ? edits.get(0) : new Edit.Unchanged();
          for (Edit edit : edits) {
            if (edit instanceof Edit.Changed changed) {
              events.announce(changed.change());
              outcome = changed;
            }
          }
          return outcome;
        });
  }

  /**
   * Moves the message (RFC 6851 semantics): a new UID in {@code folder}, created on demand; the
   * change logs the prior folder and UID, which is the expunge from the source (RFC 7162 VANISHED).
   */
  public Future<Edit> move(UUID mailboxId, UUID messageId, String folder) {
    try {
      requireFolder(folder);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    return edit(c -> MessageEdits.move(c, mailboxId, messageId, folder));
  }

  /** Removes the message for good (its raw MIME stays: other deliveries may share it). */
  public Future<Edit> expunge(UUID mailboxId, UUID messageId) {
    return edit(c -> MessageEdits.expunge(c, mailboxId, messageId));
  }

  /** Changes with seq greater than {@code afterSeq}, in seq order, at most {@code limit}. */
  public Future<List<MailChange>> changesSince(UUID mailboxId, long afterSeq, int limit) {
    return pool.preparedQuery(CHANGES).execute(Tuple.of(mailboxId, afterSeq, limit)).map(rows -> {
      List<MailChange> out = new ArrayList<>(rows.size());
      rows.forEach(r -> out.add(change(r)));
      return out;
    });
  }

  /** The mailbox's last change seq (0 before any), where a new live stream starts; empty if no mailbox. */
  public Future<Optional<Long>> lastSeq(UUID mailboxId) {
    return pool.preparedQuery(LAST_SEQ).execute(Tuple.of(mailboxId)).map(rows -> rows.size() == 0
        ? Optional.empty() : Optional.of(rows.iterator().next().getLong(0)));
  }

  /** The folder's IMAP status; empty when nothing was ever filed into it. */
  public Future<Optional<FolderStatus>> folderStatus(UUID mailboxId, String folder) {
    return pool.preparedQuery(STATUS).execute(Tuple.of(mailboxId, folder)).map(rows -> {
      if (rows.size() == 0) {
        return Optional.empty();
      }
      Row r = rows.iterator().next();
      return Optional.of(new FolderStatus(r.getString("name"), r.getLong("uidvalidity"),
          r.getLong("uidnext"), r.getLong("highestmodseq"), r.getLong("messages"), r.getLong("unseen")));
    });
  }

  private Future<Edit> edit(java.util.function.Function<SqlConnection, Future<Edit>> work) {
    return pool.withTransaction(work::apply).onSuccess(edit -> {
      if (edit instanceof Edit.Changed changed) {
        events.announce(changed.change());
      }
    });
  }

  static MailChange change(Row r) {
    OffsetDateTime at = r.getOffsetDateTime("occurred_at");
    return new MailChange(r.getUUID("mailbox_id"), r.getLong("seq"),
        MailChange.Kind.fromWire(r.getString("kind")), r.getUUID("message_id"),
        r.getString("folder"), r.getLong("uid"), r.getString("prior_folder"),
        r.getLong("prior_uid"), at == null ? null : at.toInstant());
  }

  /** Folder names: 1–64 characters (code points), no control characters. */
  static void requireFolder(String folder) {
    if (folder == null || folder.isEmpty() || folder.codePointCount(0, folder.length()) > 64
        || folder.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("folder names are 1–64 characters without control characters");
    }
  }

  private static boolean deliveryFiledBefore(Throwable e) {
    return e instanceof PgException pg && "23505".equals(pg.getSqlState())
        && "mail_messages_delivery".equals(pg.getConstraint());
  }
}
