package dev.postern.inbound.inbox;

import dev.postern.auth.AuthenticatedKey;
import dev.postern.blob.BlobStore;
import dev.postern.cache.FreshReads;
import dev.postern.refusal.Reason;
import dev.postern.refusal.Refusal;
import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The protocol-neutral inbox read side (issue #14): which mailbox a key acts on, and what it may
 * read there. Refusals are core values: another mailbox's id, an unknown id and a malformed id are
 * the same {@link Reason#NOT_FOUND} (never a hint of existence, TESTING.md REST 6); reading bodies
 * of a {@code standard}-tier mailbox (or of a message stored encrypted) is
 * {@link Reason#NOT_API_READABLE}.
 */
public final class InboxService {

  /** The most messages one thread read returns (oldest first). */
  public static final int MAX_THREAD_MESSAGES = 1000;

  private final InboxQueries queries;
  private final BlobStore blobs;
  /**
   * A mailbox-bound key's mailbox row, read once per wave of concurrent requests yet never older
   * than the request (its change sequence validates cached list pages).
   */
  private final FreshReads<UUID, Optional<InboxMailbox>> boundMailboxes;
  /** The same for a domain-bound key's named mailbox. */
  private final FreshReads<Selector, Optional<InboxMailbox>> namedMailboxes;

  private record Selector(UUID domainId, String addressOrId) {}

  public InboxService(InboxQueries queries, BlobStore blobs) {
    this.queries = queries;
    this.blobs = blobs;
    this.boundMailboxes = new FreshReads<>(queries::mailboxById);
    this.namedMailboxes = new FreshReads<>(
        selector -> queries.mailboxInDomain(selector.domainId(), selector.addressOrId()));
  }

  public InboxQueries queries() {
    return queries;
  }

  /**
   * The mailbox the key acts on: its own for a mailbox-bound key (a {@code selector} naming
   * another one is not found); for a domain-bound key the mailbox of its domain that
   * {@code selector} names by address or id (required).
   */
  public Future<InboxMailbox> mailbox(AuthenticatedKey key, String selector) {
    if (key.mailboxBound()) {
      if (selector != null && !selector.equalsIgnoreCase(key.mailboxAddress())
          && !selector.equals(key.mailboxId().toString())) {
        return Future.failedFuture(notFound("mailbox"));
      }
      return boundMailboxes.get(key.mailboxId()).map(found -> found.orElseThrow(() -> notFound("mailbox")));
    }
    if (selector == null || selector.isBlank()) {
      return Future.failedFuture(Refusal.invalid("mailbox",
          "a domain-bound key names the mailbox: ?mailbox=<address> (or ?email=)"));
    }
    if (selector.length() > 254) {
      return Future.failedFuture(notFound("mailbox"));
    }
    return namedMailboxes.get(new Selector(key.domainId(), selector.trim()))
        .map(found -> found.orElseThrow(() -> notFound("mailbox")));
  }

  public Future<MessagePage> list(InboxMailbox mailbox, ListFilter filter) {
    return mayList(mailbox, filter).compose(v -> queries.list(mailbox.id(), filter));
  }

  /**
   * Whether this listing may be served at all (a search needs readable bodies): checked before
   * any page is served, from the store or from an edge's cache.
   */
  public Future<Void> mayList(InboxMailbox mailbox, ListFilter filter) {
    if (filter.query() != null && !mailbox.bodiesReadable()) {
      return Future.failedFuture(unreadable(mailbox));
    }
    return Future.succeededFuture();
  }

  public Future<MessageDetail> message(InboxMailbox mailbox, String messageId) {
    return readable(mailbox)
        .compose(v -> queries.detail(mailbox.id(), id(messageId, "message")))
        .map(found -> found.orElseThrow(() -> notFound("message")))
        .map(detail -> {
          if (detail.summary().encrypted()) {
            throw unreadable(mailbox);
          }
          return detail;
        });
  }

  public Future<MessageThread> thread(InboxMailbox mailbox, String threadId) {
    return readable(mailbox)
        .compose(v -> queries.thread(mailbox.id(), id(threadId, "thread"), MAX_THREAD_MESSAGES))
        .map(found -> found.orElseThrow(() -> notFound("thread")));
  }

  public Future<List<AttachmentInfo>> attachments(InboxMailbox mailbox, String messageId) {
    return readable(mailbox)
        .compose(v -> queries.attachments(mailbox.id(), id(messageId, "message")))
        .map(found -> found.orElseThrow(() -> notFound("message")));
  }

  /** An attachment's octets, streamed from the blob store when not inline. */
  public Future<Download> attachment(InboxMailbox mailbox, String messageId, String attachmentId) {
    return readable(mailbox)
        .compose(v -> queries.attachment(mailbox.id(), id(messageId, "attachment"),
            id(attachmentId, "attachment")))
        .compose(found -> {
          InboxQueries.AttachmentContent a = found.orElseThrow(() -> notFound("attachment"));
          if (a.encrypted()) {
            throw unreadable(mailbox);
          }
          AttachmentInfo info = a.info();
          if (a.inline() != null) {
            return Future.succeededFuture(new Download(a.inline(), null, a.inline().length(),
                info.contentType(), info.filename()));
          }
          return blobs.open(a.blobKey()).map(stream -> new Download(null, stream, info.size(),
              info.contentType(), info.filename()));
        });
  }

  /** The original MIME as received (or as sent, for a sent copy), streamed when not inline. */
  public Future<Download> raw(InboxMailbox mailbox, String messageId) {
    return readable(mailbox)
        .compose(v -> queries.raw(mailbox.id(), id(messageId, "message")))
        .compose(found -> {
          InboxQueries.RawLocation raw = found.orElseThrow(() -> notFound("message"));
          if (raw.encrypted()) {
            throw unreadable(mailbox);
          }
          if (raw.inline() != null) {
            return Future.succeededFuture(new Download(raw.inline(), null, raw.inline().length(),
                "message/rfc822", null));
          }
          return blobs.open(raw.blobKey()).map(stream -> new Download(null, stream, raw.size(),
              "message/rfc822", null));
        });
  }

  /** A message's summary whatever the tier (PATCH and the stream answer it). */
  public Future<MessageSummary> summary(InboxMailbox mailbox, UUID messageId) {
    return queries.summary(mailbox.id(), messageId)
        .map(found -> found.orElseThrow(() -> notFound("message")));
  }

  private static Future<Void> readable(InboxMailbox mailbox) {
    return mailbox.bodiesReadable() ? Future.succeededFuture() : Future.failedFuture(unreadable(mailbox));
  }

  /** A malformed id is the same not-found as an unknown one. */
  public static UUID id(String text, String what) {
    UUID id = InboxQueries.uuidOrNull(text);
    if (id == null) {
      throw notFound(what);
    }
    return id;
  }

  public static Refusal notFound(String what) {
    return Refusal.of(Reason.NOT_FOUND, "no such " + what);
  }

  static Refusal unreadable(InboxMailbox mailbox) {
    return Refusal.of(Reason.NOT_API_READABLE, "this mailbox stores mail encrypted (standard tier):"
        + " the server cannot read bodies, only flags and folders can be changed");
  }
}
