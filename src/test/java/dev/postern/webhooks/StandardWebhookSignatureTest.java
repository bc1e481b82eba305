package dev.postern.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class StandardWebhookSignatureTest {

  private static final String VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

  @Test
  void reproducesThePublishedStandardWebhooksTestVector() {
    // The vector every Standard Webhooks / Svix library tests against.
    String signature = StandardWebhookSignature.fromSecret(VECTOR_SECRET.getBytes(StandardCharsets.US_ASCII))
        .sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330L,
            "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8));
    assertThat(signature).isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  }

  @Test
  void malformedSecretsAreRefusedWithoutEchoingThem() {
    assertThatThrownBy(() -> StandardWebhookSignature.fromSecret("sk_abc".getBytes(StandardCharsets.US_ASCII)))
        .hasMessageNotContaining("sk_abc");
    assertThatThrownBy(() -> StandardWebhookSignature.fromSecret("whsec_!!notbase64".getBytes(StandardCharsets.US_ASCII)))
        .hasMessageNotContaining("notbase64");
    assertThat(StandardWebhookSignature.fromSecret(VECTOR_SECRET.getBytes(StandardCharsets.US_ASCII)).toString())
        .doesNotContain("MfKQ");
  }

  @Test
  void retryDelaysGrowExponentiallyWithJitterUpToTheCap() {
    WebhookSettings settings = WebhookSettings.defaults();
    assertThat(settings.retryDelay(1, 0.5)).isEqualTo(Duration.ofSeconds(5));
    assertThat(settings.retryDelay(2, 0.5)).isEqualTo(Duration.ofSeconds(30));
    assertThat(settings.retryDelay(3, 0.5)).isEqualTo(Duration.ofMinutes(3));
    assertThat(settings.retryDelay(12, 0.5)).isEqualTo(Duration.ofHours(2));
    assertThat(settings.retryDelay(1, 0.0)).isEqualTo(Duration.ofSeconds(4));
    assertThat(settings.retryDelay(1, 0.999)).isBetween(Duration.ofMillis(5_990), Duration.ofSeconds(6));
    assertThat(settings.lease()).isGreaterThan(settings.requestTimeout());
  }
}
