package dev.postern.http;

import dev.postern.cache.BoundedCache;
import dev.postern.inbound.inbox.InboxMailbox;
import dev.postern.inbound.inbox.ListFilter;
import io.vertx.core.buffer.Buffer;
import java.util.UUID;

/**
 * Encoded list pages ({@code GET /v1/inbox/messages}), each kept with the mailbox change
 * sequence it was read at and served only while the mailbox still has that sequence.
 *
 * <p>Why this is exact, not "eventually consistent": every change a listing shows — a filing
 * and the thread merges it causes, flags, moves, deletes — bumps {@code mailboxes.change_seq} in
 * the transaction that makes it ({@code inbound/store}). A request reads the mailbox row (with
 * its sequence S) before the page, so a page it computes reflects at least version S; a later
 * request that reads S again started before any change after S committed, so that page is at
 * least as new as what its own query would see. Any change makes every cached page of the
 * mailbox miss. Each node keeps its own cache; the sequence comes from the database, so nodes
 * never serve each other's stale pages.
 *
 * <p>Bounded by bytes ({@code inbox.list_cache_bytes}, 0 turns it off), least recently used
 * evicted first. The octets are shared read-only between event loops (a write slices them).
 */
final class InboxPageCache {

  private record Key(UUID mailbox, ListFilter filter) {}

  private record Page(long changeSeq, Buffer body) {}

  /** At most this many pages, whatever their size (bounds the map itself). */
  private static final int MAX_PAGES = 100_000;

  private final BoundedCache<Key, Page> pages;

  InboxPageCache(long maxBytes) {
    this.pages = maxBytes <= 0 ? null
        : BoundedCache.weighted(MAX_PAGES, maxBytes, page -> page.body().length() + 200L);
  }

  /** The page encoded for this filter at the mailbox's current sequence, or null. */
  Buffer get(InboxMailbox mailbox, ListFilter filter) {
    if (pages == null) {
      return null;
    }
    Page page = pages.get(new Key(mailbox.id(), filter));
    return page != null && page.changeSeq() == mailbox.changeSeq() ? page.body() : null;
  }

  void put(InboxMailbox mailbox, ListFilter filter, Buffer body) {
    if (pages != null) {
      pages.put(new Key(mailbox.id(), filter), new Page(mailbox.changeSeq(), body));
    }
  }

  /**
   * The page's validator for {@code ETag} / {@code If-None-Match} (RFC 9110 §8.8.3): weak, as
   * the listing is the same view of the mailbox rather than the same octets by contract. The
   * request URL carries the filter; the mailbox id keeps two keys' mailboxes apart.
   */
  static String etag(InboxMailbox mailbox) {
    return "W/\"" + mailbox.id() + "-" + mailbox.changeSeq() + "\"";
  }

  /** Whether {@code ifNoneMatch} (a list of tags or {@code *}) names {@code etag} (§13.1.2). */
  static boolean matches(String ifNoneMatch, String etag) {
    if (ifNoneMatch == null) {
      return false;
    }
    String opaque = etag.substring(2);
    for (String tag : ifNoneMatch.split(",")) {
      String t = tag.trim();
      if (t.equals("*") || t.equals(etag) || t.equals(opaque)) {
        return true;
      }
    }
    return false;
  }
}
