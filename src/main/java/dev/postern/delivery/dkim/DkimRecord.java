package dev.postern.delivery.dkim;

import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;

/**
 * The DNS TXT record a domain publishes so receivers can verify Postern's signatures
 * (RFC 6376 §3.6.2.2): name {@code <selector>._domainkey.<domain>}, value
 * {@code v=DKIM1; k=rsa; p=<base64 SubjectPublicKeyInfo>}. For ed25519 (RFC 8463 §4) {@code p=}
 * is the bare 32-byte public key, not the SubjectPublicKeyInfo.
 *
 * <p>A value longer than 255 octets must be published as several character-strings of one TXT
 * record (RFC 7208 §3.3 style); {@link #dnsStrings()} gives them.
 */
public record DkimRecord(String name, String value) {

  /** Ed25519 SubjectPublicKeyInfo = a fixed 12-byte prefix and the 32-byte key (RFC 8410). */
  private static final int ED25519_SPKI_PREFIX = 12;

  /**
   * @param spkiBase64 {@code domains.dkim_public_key}: base64 X.509 SubjectPublicKeyInfo
   */
  public static DkimRecord of(String selector, String domain, DkimAlgorithm algorithm,
      String spkiBase64) {
    byte[] spki = Base64.getDecoder().decode(spkiBase64.trim());
    byte[] published = algorithm == DkimAlgorithm.ED25519_SHA256
        ? Arrays.copyOfRange(spki, ED25519_SPKI_PREFIX, spki.length)
        : spki;
    return new DkimRecord(name(selector, domain),
        "v=DKIM1; k=" + algorithm.keyType() + "; p=" + Base64.getEncoder().encodeToString(published));
  }

  public static String name(String selector, String domain) {
    return selector + "._domainkey." + domain.toLowerCase(Locale.ROOT);
  }

  /** The value split into character-strings of at most 255 octets, for a zone file. */
  public String[] dnsStrings() {
    int n = (value.length() + 254) / 255;
    String[] parts = new String[n];
    for (int i = 0; i < n; i++) {
      parts[i] = value.substring(i * 255, Math.min(value.length(), (i + 1) * 255));
    }
    return parts;
  }
}
