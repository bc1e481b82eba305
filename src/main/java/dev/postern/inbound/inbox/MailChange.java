package dev.postern.inbound.inbox;

import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;

/**
 * One entry of a mailbox's change log ({@code mail_changes}), with the message as it stands now.
 * One instance is handed to every subscriber of its mailbox on this node ({@link MailChangeFeed}),
 * so what they send for it is worked out once: {@link #encoded}.
 */
public final class MailChange {

  /** Where the store announces committed changes on this node (JSON {mailbox_id, seq, kind, message_id}). */
  public static final String BUS_ADDRESS = "postern.mail.changes";
  /** The NOTIFY channel that tells other nodes a mailbox changed (payload: the mailbox id). */
  public static final String NOTIFY_CHANNEL = "postern_mail";

  private final UUID mailboxId;
  private final long seq;
  private final String kind;
  private final UUID messageId;
  private final String folder;
  private final MessageSummary message;
  /** The encoder of the one {@link #encoded} result, and the result (guarded by this). */
  private Function<MailChange, ?> encoder;
  private Object encoding;

  /**
   * @param seq the mailbox's change sequence: the live stream's event id
   * @param kind {@code new}, {@code updated}, {@code moved} or {@code expunged}
   * @param message the message's current summary, or null when it is gone
   */
  public MailChange(UUID mailboxId, long seq, String kind, UUID messageId, String folder,
      MessageSummary message) {
    this.mailboxId = mailboxId;
    this.seq = seq;
    this.kind = kind;
    this.messageId = messageId;
    this.folder = folder;
    this.message = message;
  }

  public UUID mailboxId() {
    return mailboxId;
  }

  public long seq() {
    return seq;
  }

  public String kind() {
    return kind;
  }

  public UUID messageId() {
    return messageId;
  }

  public String folder() {
    return folder;
  }

  public MessageSummary message() {
    return message;
  }

  public boolean isNew() {
    return "new".equals(kind);
  }

  /**
   * What {@code encoder} makes of this change, made once however many subscribers (on however
   * many event loops) ask: a thousand streams of one mailbox write the same bytes (issue #14's
   * fan-out encoded the event's JSON once per stream). The result must be immutable or safe to
   * share (a Vert.x {@code Buffer} is: each write takes its own slice). Asking with a different
   * encoder encodes again, unshared.
   */
  @SuppressWarnings("unchecked")
  public synchronized <T> T encoded(Function<MailChange, T> encoder) {
    if (this.encoder != encoder) {
      if (this.encoder != null) {
        return encoder.apply(this);
      }
      this.encoding = encoder.apply(this);
      this.encoder = encoder;
    }
    return (T) encoding;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MailChange c && c.seq == seq && Objects.equals(c.mailboxId, mailboxId)
        && Objects.equals(c.kind, kind) && Objects.equals(c.messageId, messageId)
        && Objects.equals(c.folder, folder)
        && Objects.equals(c.message, message);
  }

  @Override
  public int hashCode() {
    return Objects.hash(mailboxId, seq, kind, messageId, folder, message);
  }

  @Override
  public String toString() {
    return "MailChange[mailbox " + mailboxId + ", seq " + seq + ", " + kind + ", message "
        + messageId + "]";
  }
}
