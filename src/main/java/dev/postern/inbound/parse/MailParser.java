package dev.postern.inbound.parse;

import java.io.InputStream;

/**
 * Parses one received message (RFC 5322 / MIME) behind our caps on nesting depth, part count,
 * header count and header bytes. Blocking and CPU-bound: call it on a worker pool, never on an
 * event loop. Never throws for a hostile or broken message — it answers a {@link ParsedMail} with
 * {@code failed} set and whatever it read before giving up — so a message is never dropped for
 * failing to parse.
 */
public interface MailParser {
  ParsedMail parse(InputStream raw);
}
