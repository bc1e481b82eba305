package dev.postern.inbound.store;

/** The outcome of changing a message: what changed, nothing to change, or no such message. */
public sealed interface Edit {

  /** Logged as {@code change} (its seq is the message's new modseq). */
  record Changed(MailChange change) implements Edit {}

  /** The message already was as asked: nothing written, no change logged, modseq unchanged. */
  record Unchanged() implements Edit {}

  /** No message with that id in that mailbox (another mailbox's id included). */
  record NotFound() implements Edit {}
}
