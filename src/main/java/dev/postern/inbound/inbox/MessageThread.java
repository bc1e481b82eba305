package dev.postern.inbound.inbox;

import java.util.List;
import java.util.UUID;

/** A conversation within one mailbox, received and sent messages in arrival order. */
public record MessageThread(UUID id, String subject, List<MessageDetail> messages) {}
