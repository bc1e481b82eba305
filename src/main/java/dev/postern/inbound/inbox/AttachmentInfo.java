package dev.postern.inbound.inbox;

import java.util.UUID;

/**
 * An attachment's metadata.
 *
 * @param filename safe for a Content-Disposition header (the parser strips path separators,
 *     controls and quotes); the edge escapes it again all the same
 * @param contentType a media type without parameters
 * @param disposition {@code attachment} or {@code inline}
 * @param contentId the Content-ID without angle brackets, or null
 */
public record AttachmentInfo(UUID id, int position, String filename, String contentType,
    String disposition, String contentId, long size) {}
