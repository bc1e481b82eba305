package dev.postern.send;

import java.util.List;
import java.util.Objects;

/**
 * The SMTP envelope of one transaction (RFC 5321 §3.3) as the edge accepted it.
 *
 * @param mailFrom the MAIL FROM reverse-path without angle brackets; empty for the null path
 * @param recipients the RCPT TO forward-paths without angle brackets, in order
 */
public record SmtpEnvelope(String mailFrom, List<String> recipients) {

  public SmtpEnvelope {
    Objects.requireNonNull(mailFrom, "mailFrom");
    recipients = List.copyOf(recipients);
  }
}
