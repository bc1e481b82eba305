package dev.postern.keys;

import java.util.Optional;

/**
 * Outcome of {@link KeyFormat#parse}: a well-formed key, or the first reason it is not. The
 * reason is for metrics and tests; the HTTP layer answers every invalid key with the same 401.
 */
public sealed interface KeyParse permits KeyParse.Valid, KeyParse.Invalid {

  /** Why a presented string is not a key, in the order the checks run. */
  enum Reason {
    /** Null, or not exactly the length of a key (checked first, so huge input costs O(1)). */
    LENGTH,
    /** Does not start with the configured {@code <prefix>_}. */
    PREFIX,
    /** Not {@code live_} or {@code test_} after the prefix. */
    MODE,
    /** The 48 characters after the mode are not all lowercase hex. */
    CHARACTERS,
    /** Well-formed but the CRC32 does not match: mistyped, truncated-and-padded or forged. */
    CHECKSUM
  }

  record Valid(ApiKeySecret secret) implements KeyParse {}

  record Invalid(Reason reason) implements KeyParse {}

  /** The key when valid, otherwise empty. */
  default Optional<ApiKeySecret> key() {
    return this instanceof Valid valid ? Optional.of(valid.secret()) : Optional.empty();
  }

  default boolean isValid() {
    return this instanceof Valid;
  }
}
