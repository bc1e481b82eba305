package dev.postern.blob.s3;

import dev.postern.blob.BlobNotFoundException;
import dev.postern.blob.BlobStoreException;
import io.minio.errors.ErrorResponseException;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Turns minio and network failures into the blob store's vocabulary, in this one place. */
final class S3Failures {

  private static final Set<String> NOT_FOUND = Set.of("NoSuchKey", "NoSuchObject", "NotFound");

  private S3Failures() {}

  /**
   * @param key the object concerned, or null for bucket-level calls (then "not found" means a
   *     missing bucket: a broken store, not a missing blob)
   */
  static Throwable map(String operation, String key, Throwable err) {
    if (err instanceof BlobNotFoundException || err instanceof BlobStoreException
        || err instanceof IllegalArgumentException) {
      return err;
    }
    ErrorResponseException response = find(err, ErrorResponseException.class);
    if (response != null && key != null && NOT_FOUND.contains(code(response))) {
      return new BlobNotFoundException(key);
    }
    String reason = response != null ? "S3 error " + code(response) : describe(root(err));
    return new BlobStoreException("S3 " + operation + " failed: " + reason, err);
  }

  static boolean isCode(Throwable err, String... codes) {
    ErrorResponseException response = find(err, ErrorResponseException.class);
    return response != null && Set.of(codes).contains(code(response));
  }

  private static String code(ErrorResponseException response) {
    return response.errorResponse() == null ? "?" : response.errorResponse().code();
  }

  private static <T extends Throwable> T find(Throwable err, Class<T> type) {
    for (Throwable t = err; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  private static Throwable root(Throwable err) {
    Throwable t = err;
    while ((t instanceof CompletionException || t instanceof ExecutionException
        || t.getClass().getName().startsWith("io.minio.errors")) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static String describe(Throwable t) {
    return t.getMessage() == null ? t.getClass().getSimpleName()
        : t.getClass().getSimpleName() + ": " + t.getMessage();
  }
}
