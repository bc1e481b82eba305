package dev.postern.smtp.session;

import java.util.List;

/**
 * The SMTP envelope of one message (RFC 5321 §2.3.1).
 *
 * @param mailFrom the reverse-path address ({@code local@domain}); for submission never empty
 * @param recipients forward-path addresses in RCPT order, without duplicates; the envelope, not
 *     the To/Cc/Bcc headers, decides who receives the message
 */
public record Envelope(String mailFrom, List<String> recipients) {
  public Envelope {
    recipients = List.copyOf(recipients);
  }
}
