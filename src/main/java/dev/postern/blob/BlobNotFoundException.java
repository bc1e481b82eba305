package dev.postern.blob;

/** No object under the key. An expected outcome, so it carries no stack trace. */
public final class BlobNotFoundException extends RuntimeException {

  private final String key;

  public BlobNotFoundException(String key) {
    super("no blob under key " + key, null, false, false);
    this.key = key;
  }

  public String key() {
    return key;
  }
}
