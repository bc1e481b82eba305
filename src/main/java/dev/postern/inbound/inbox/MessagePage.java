package dev.postern.inbound.inbox;

import java.time.Instant;
import java.util.List;

/**
 * One page of a listing, newest first. {@code nextCursor} is the {@code received_at} of the last
 * message when more follow (pass it as {@code before} for the next page), null on the last page.
 */
public record MessagePage(List<MessageSummary> messages, Instant nextCursor) {}
