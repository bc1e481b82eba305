package dev.postern.inbound.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The threading of a group of messages filed into one mailbox in one transaction, decided in
 * memory in filing order from what the database knew when the group took the mailbox lock
 * ({@link Threader#refs}, {@link Threader#threads}): each message sees the ones placed before it,
 * so a reply filed in the same group as its parent joins its thread, and a merge moves the
 * group's earlier messages along. Every decision is the one {@link Threader#decide} would have
 * made filing the messages one transaction each.
 *
 * <p>Positions: a new message has the latest received_at of its mailbox (V006), so its position
 * is the number of messages its thread already has, plus one. A thread that absorbed others, or
 * whose stored positions had a hole (an expunge), is renumbered after the inserts
 * ({@link #toRenumber}).
 */
final class GroupThreads {

  /** Where a message goes: the decision to write, and its position when it was placed. */
  record Placement(Threader.Decision decision, int position) {}

  private static final class State {
    final int count;
    final String subject;
    final Instant firstAt;
    final long present;
    final boolean renumber;

    State(int count, String subject, Instant firstAt, long present, boolean renumber) {
      this.count = count;
      this.subject = subject;
      this.firstAt = firstAt;
      this.present = present;
      this.renumber = renumber;
    }
  }

  private final Map<String, UUID> refs;
  private final Map<UUID, State> threads = new HashMap<>();
  private final List<UUID> threadOf = new ArrayList<>();

  GroupThreads(Map<String, UUID> refs, List<Threader.Existing> existing) {
    this.refs = new HashMap<>(refs);
    for (Threader.Existing e : existing) {
      Threader.Known k = e.known();
      threads.put(k.id(), new State(k.messageCount(), k.subject(), k.firstAt(), e.present(),
          e.lastPosition() != e.present()));
    }
  }

  /** Places the next message of the group (call in filing order). */
  Placement place(List<String> keys, String subject, Instant receivedAt) {
    Set<UUID> knownIds = new LinkedHashSet<>();
    for (String key : keys) {
      UUID thread = refs.get(key);
      if (thread != null && threads.containsKey(thread)) {
        knownIds.add(thread);
      }
    }
    List<Threader.Known> known = new ArrayList<>();
    long present = 0;
    boolean renumber = false;
    Instant first = receivedAt;
    for (UUID id : knownIds) {
      State s = threads.get(id);
      known.add(new Threader.Known(id, s.count, s.subject, s.firstAt));
      present += s.present;
      renumber |= s.renumber;
      if (s.firstAt != null && s.firstAt.isBefore(first)) {
        first = s.firstAt;
      }
    }
    Threader.Decision d = Threader.decide(known, subject, receivedAt);
    if (!d.absorbed().isEmpty()) {
      renumber = true;
      Set<UUID> absorbed = Set.copyOf(d.absorbed());
      absorbed.forEach(threads::remove);
      refs.replaceAll((ref, thread) -> absorbed.contains(thread) ? d.threadId() : thread);
      threadOf.replaceAll(thread -> absorbed.contains(thread) ? d.threadId() : thread);
    }
    threads.put(d.threadId(), new State(d.messageCount(), d.subject(), first, present + 1, renumber));
    keys.forEach(key -> refs.put(key, d.threadId()));
    threadOf.add(d.threadId());
    return new Placement(d, Math.toIntExact(present + 1));
  }

  /** The thread the i-th placed message is in after the whole group (merges move messages). */
  UUID threadOf(int i) {
    return threadOf.get(i);
  }

  /** The thread a key of a placed message ends in after the whole group. */
  UUID threadOfKey(String key) {
    return refs.get(key);
  }

  /** Threads whose positions must be recomputed once the group's messages are in. */
  List<UUID> toRenumber() {
    List<UUID> ids = new ArrayList<>();
    threads.forEach((id, s) -> {
      if (s.renumber) {
        ids.add(id);
      }
    });
    return ids;
  }
}
