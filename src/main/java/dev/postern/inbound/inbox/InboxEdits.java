package dev.postern.inbound.inbox;

import dev.postern.inbound.store.Edit;
import dev.postern.inbound.store.MailStore;
import dev.postern.inbound.store.MessageFlags;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The protocol-neutral inbox write side (issue #14 "Act"): flag changes and moves through the one
 * {@link MailStore}, so every change takes the mailbox's next change seq, is logged in
 * {@code mail_changes} and reaches the live stream as {@code email_updated} (from any node).
 * Only flags and the folder change, so a {@code standard}-tier mailbox is edited like any other.
 * Another mailbox's message, an unknown id and a malformed id are the same not-found.
 */
public final class InboxEdits {

  /**
   * What a PATCH asks; a null field is left as it is.
   *
   * @param read {@code \Seen} set (true) or cleared (false)
   * @param starred {@code \Flagged} set or cleared
   * @param folder move there (1–64 characters, {@link Folders#valid}); created on demand
   */
  public record Change(Boolean read, Boolean starred, String folder) {

    public static final Change NONE = new Change(null, null, null);

    public boolean isEmpty() {
      return read == null && starred == null && folder == null;
    }
  }

  private final MailStore store;
  private final InboxQueries queries;

  public InboxEdits(MailStore store, InboxQueries queries) {
    this.store = store;
    this.queries = queries;
  }

  /**
   * Applies {@code change} (one transaction in the store) and answers the message as it is
   * afterwards. An empty change only checks that the message exists.
   */
  public Future<MessageSummary> apply(InboxMailbox mailbox, String messageId, Change change) {
    UUID id = InboxService.id(messageId, "message");
    if (change.isEmpty()) {
      return summary(mailbox, id);
    }
    List<String> add = new ArrayList<>();
    List<String> remove = new ArrayList<>();
    flag(change.read(), MessageFlags.SEEN, add, remove);
    flag(change.starred(), MessageFlags.FLAGGED, add, remove);
    return store.update(mailbox.id(), id, add, remove, change.folder())
        .compose(edit -> edit instanceof Edit.NotFound
            ? Future.failedFuture(InboxService.notFound("message"))
            : summary(mailbox, id));
  }

  /** DELETE: moves the message to {@code trash} (a message already there stays as it is). */
  public Future<MessageSummary> trash(InboxMailbox mailbox, String messageId) {
    return apply(mailbox, messageId, new Change(null, null, Folders.TRASH));
  }

  private Future<MessageSummary> summary(InboxMailbox mailbox, UUID id) {
    return queries.summary(mailbox.id(), id)
        .map(found -> found.orElseThrow(() -> InboxService.notFound("message")));
  }

  private static void flag(Boolean on, String flag, List<String> add, List<String> remove) {
    if (on != null) {
      (on ? add : remove).add(flag);
    }
  }
}
