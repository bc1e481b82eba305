package dev.postern.smtp.session;

import java.util.Optional;
import java.util.UUID;

/**
 * A message durably committed by the sink.
 *
 * @param id the email id ({@code GET /v1/emails/:id})
 * @param replayed the same message (Message-ID and bytes, same key, within 24 h) was accepted
 *     before: {@code id} is the first acceptance's, nothing is sent twice
 * @param actor the message's {@code X-Postern-Actor} header, for the audit row
 */
public record Queued(UUID id, boolean replayed, Optional<String> actor) {
  public Queued {
    actor = actor == null ? Optional.empty() : actor;
  }
}
