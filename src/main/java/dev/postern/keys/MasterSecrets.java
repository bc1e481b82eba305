package dev.postern.keys;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The versioned master secrets that {@link KeyVault} derives row keys from (SPEC §2, rotation).
 *
 * <p>Configuration form ({@code POSTERN_MASTER_SECRET}): comma-separated {@code v<N>:<base64>}
 * entries, e.g. {@code v2:AAAA…,v1:BBBB…}. The first entry is current and seals new rows; every
 * entry can open rows sealed under its version. Each secret is standard base64 of 32 to 1024
 * bytes. Parse errors name the entry by position and the rule it broke, never its text, since a
 * malformed entry may well be a secret pasted without its {@code v<N>:}.
 *
 * <p>Immutable; secret bytes never leave this package and {@link #toString()} shows versions only.
 */
public final class MasterSecrets {

  static final int MIN_SECRET_BYTES = 32;
  private static final int MAX_SECRET_BYTES = 1024;
  private static final int MAX_CONFIG_LENGTH = 64 * 1024;
  private static final Pattern VERSION = Pattern.compile("v([1-9][0-9]{0,8})");

  private final int currentVersion;
  /** Insertion order = configuration order; values are private copies. */
  private final Map<Integer, byte[]> secrets;

  private MasterSecrets(int currentVersion, Map<Integer, byte[]> secrets) {
    this.currentVersion = currentVersion;
    this.secrets = secrets;
  }

  /**
   * Parses the configuration form; reports every bad entry at once.
   *
   * @throws InvalidMasterSecretException naming each problem, without any secret text
   */
  public static MasterSecrets parse(String config) {
    if (config == null || config.isBlank()) {
      throw new InvalidMasterSecretException(List.of("master secret is empty"));
    }
    if (config.length() > MAX_CONFIG_LENGTH) {
      throw new InvalidMasterSecretException(
          List.of("master secret configuration is longer than " + MAX_CONFIG_LENGTH + " chars"));
    }
    List<String> problems = new ArrayList<>();
    Map<Integer, byte[]> secrets = new LinkedHashMap<>();
    String[] entries = config.split(",", -1);
    for (int i = 0; i < entries.length; i++) {
      String where = "entry " + (i + 1);
      String entry = entries[i].strip();
      int colon = entry.indexOf(':');
      if (colon < 0) {
        problems.add(where + ": expected v<number>:<base64>");
        continue;
      }
      var version = VERSION.matcher(entry.substring(0, colon));
      if (!version.matches()) {
        problems.add(where + ": version must be v followed by a positive number");
        continue;
      }
      int number = Integer.parseInt(version.group(1));
      where += " (v" + number + ")";
      byte[] secret;
      try {
        secret = Base64.getDecoder().decode(entry.substring(colon + 1));
      } catch (IllegalArgumentException notBase64) {
        problems.add(where + ": secret is not valid base64");
        continue;
      }
      if (secret.length < MIN_SECRET_BYTES || secret.length > MAX_SECRET_BYTES) {
        problems.add(where + ": secret must decode to " + MIN_SECRET_BYTES + " to "
            + MAX_SECRET_BYTES + " bytes, got " + secret.length);
        continue;
      }
      if (secrets.putIfAbsent(number, secret) != null) {
        problems.add(where + ": version v" + number + " appears more than once");
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidMasterSecretException(problems);
    }
    int current = secrets.keySet().iterator().next();
    return new MasterSecrets(current, secrets);
  }

  /** A fresh configuration string {@code v1:<base64 of 32 random bytes>} for a new data dir. */
  public static String generate() {
    return generate(new SecureRandom());
  }

  /** As {@link #generate()}, with the caller's randomness source. */
  public static String generate(SecureRandom random) {
    byte[] secret = new byte[MIN_SECRET_BYTES];
    random.nextBytes(secret);
    return "v1:" + Base64.getEncoder().encodeToString(secret);
  }

  /** The version new seals are made under. */
  public int currentVersion() {
    return currentVersion;
  }

  /** Every configured version, current first. */
  public List<Integer> versions() {
    return List.copyOf(secrets.keySet());
  }

  public boolean has(int version) {
    return secrets.containsKey(version);
  }

  /** A copy of the secret of that version; the caller should wipe it after use. */
  Optional<byte[]> secret(int version) {
    return Optional.ofNullable(secrets.get(version)).map(byte[]::clone);
  }

  @Override
  public String toString() {
    return "MasterSecrets[current=v" + currentVersion + ", versions="
        + versions().stream().map(v -> "v" + v).toList() + "]";
  }

  /** A {@code POSTERN_MASTER_SECRET} that cannot be used; the message lists every problem. */
  public static final class InvalidMasterSecretException extends IllegalArgumentException {
    private final List<String> problems;

    InvalidMasterSecretException(List<String> problems) {
      super("invalid master secret: " + String.join("; ", problems));
      this.problems = List.copyOf(Objects.requireNonNull(problems));
    }

    public List<String> problems() {
      return problems;
    }
  }
}
