package dev.postern.inbound.inbox;

import java.util.UUID;

/**
 * One entry of a mailbox's change log ({@code mail_changes}), with the message as it stands now.
 *
 * @param seq the mailbox's change sequence: the live stream's event id
 * @param kind {@code new}, {@code updated}, {@code moved} or {@code expunged}
 * @param message the message's current summary, or null when it is gone
 */
public record MailChange(UUID mailboxId, long seq, String kind, UUID messageId, String folder,
    MessageSummary message) {

  /** Where the store announces committed changes on this node (JSON {mailbox_id, seq, kind, message_id}). */
  public static final String BUS_ADDRESS = "postern.mail.changes";
  /** The NOTIFY channel that tells other nodes a mailbox changed (payload: the mailbox id). */
  public static final String NOTIFY_CHANNEL = "postern_mail";

  public boolean isNew() {
    return "new".equals(kind);
  }
}
