package dev.postern.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SmtpTlsLoadTest {

  @Test
  void payloadIsSmtpSourcesShapeOfExactlyTheLength() {
    String text = new String(SmtpTlsLoad.payload(2048), StandardCharsets.US_ASCII);

    assertThat(text).hasSize(2048).endsWith("\r\n");
    for (String line : text.split("\r\n")) {
      assertThat(line).hasSizeBetween(1, 78).doesNotStartWith(".").doesNotContain("\r", "\n");
    }
  }

  @Test
  void onlyLoopbackIsLoaded() {
    assertThatThrownBy(() -> new SmtpTlsLoad("192.0.2.1", 465, "postern", "pk_x",
        "a@bench.test", "b@bench.test", 1, 100)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("non-loopback");
  }
}
