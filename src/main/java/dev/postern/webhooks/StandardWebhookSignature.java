package dev.postern.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signing per the Standard Webhooks specification (standardwebhooks.com): the signed content is
 * {@code <webhook-id>.<webhook-timestamp>.<body>}, the key is the base64-decoded part of the
 * secret after {@code whsec_}, and {@code webhook-signature} is {@code v1,<base64 HMAC-SHA256>}.
 * The message id stays the same on every retry so receivers can deduplicate; the timestamp is
 * that of the attempt (receivers reject old ones to stop replays).
 */
public final class StandardWebhookSignature {

  public static final String SECRET_PREFIX = "whsec_";
  public static final String ID_HEADER = "webhook-id";
  public static final String TIMESTAMP_HEADER = "webhook-timestamp";
  public static final String SIGNATURE_HEADER = "webhook-signature";

  private final byte[] key;

  private StandardWebhookSignature(byte[] key) {
    this.key = key;
  }

  /**
   * @param secret the webhook's plaintext secret, {@code whsec_<base64>}
   * @throws IllegalArgumentException if it is not of that form (the message names no secret)
   */
  public static StandardWebhookSignature fromSecret(byte[] secret) {
    String text = new String(secret, StandardCharsets.US_ASCII);
    if (!text.startsWith(SECRET_PREFIX)) {
      throw new IllegalArgumentException("webhook secret does not start with " + SECRET_PREFIX);
    }
    try {
      byte[] key = Base64.getDecoder().decode(text.substring(SECRET_PREFIX.length()));
      if (key.length == 0) {
        throw new IllegalArgumentException("webhook secret is empty");
      }
      return new StandardWebhookSignature(key);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("webhook secret is not whsec_<base64>");
    }
  }

  /** The {@code webhook-signature} header value for one attempt. */
  public String sign(String messageId, long timestampSeconds, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update((messageId + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8));
      return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
    } catch (GeneralSecurityException impossible) {
      throw new IllegalStateException("HmacSHA256 unavailable", impossible);
    }
  }

  /** Same key, for the secret cache. */
  boolean sameKey(StandardWebhookSignature other) {
    return Arrays.equals(key, other.key);
  }

  @Override
  public String toString() {
    return "StandardWebhookSignature[(redacted)]";
  }
}
