package dev.postern.send;

/**
 * Where a submission's MIME comes from. Today: composed by the core from a REST body. The SMTP
 * edge (issue #12) adds a streamed source — its DATA phase stored as it arrives, inline under the
 * inline limit, else straight into the blob store — as a second case of this interface.
 */
public sealed interface MimeSource {

  /** Composed by the core from a REST body (Message-ID and Date stamped at accept). */
  record Composed(SendRequest request) implements MimeSource {}
}
