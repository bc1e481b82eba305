package dev.postern.blob;

/**
 * The store could not do its job: unreachable, timed out, refused our credentials, out of space.
 * The HTTP layer answers 502 {@code storage_unavailable} and SMTP 451 for it; the operation may
 * succeed if retried later.
 */
public final class BlobStoreException extends RuntimeException {

  public BlobStoreException(String message, Throwable cause) {
    super(message, cause);
  }

  public BlobStoreException(String message) {
    super(message);
  }
}
