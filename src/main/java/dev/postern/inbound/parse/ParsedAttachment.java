package dev.postern.inbound.parse;

import java.util.Optional;

/**
 * One attachment (or inline part that is not the message's text or html body), decoded from its
 * transfer encoding.
 *
 * @param filename safe to put in a {@code Content-Disposition} header: decoded (RFC 2231 / 2047),
 *     without path separators, control characters or quotes, at most 255 UTF-8 bytes, never empty
 *     (a name is made up from the content type when the part has none)
 * @param contentType the media type, lower case, without parameters ({@code application/octet-stream}
 *     when absent or unparsable)
 * @param disposition {@code attachment} or {@code inline}
 * @param contentId the Content-ID without angle brackets
 * @param content the decoded octets
 */
public record ParsedAttachment(String filename, String contentType, String disposition,
    Optional<String> contentId, byte[] content) {

  public long size() {
    return content.length;
  }
}
