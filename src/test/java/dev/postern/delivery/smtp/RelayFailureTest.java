package dev.postern.delivery.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Issue #15.7: the public reason of a relay failure names its kind, never its details. */
class RelayFailureTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "cannot connect to smtp.internal:587: Connection refused | relay unreachable",
      "AUTH refused: 535 5.7.8 bad credentials for ops@corp.internal | relay authentication failed",
      "refusing to send credentials without TLS to 10.0.0.5 | relay authentication failed",
      "relay offers neither AUTH PLAIN nor LOGIN | relay authentication failed",
      "STARTTLS refused: 454 4.7.0 TLS not available | relay TLS failed",
      "relay does not offer STARTTLS | relay TLS failed",
      "PKIX path building failed: unable to find valid certification path | relay TLS failed",
      "javax.net.ssl.SSLHandshakeException: Received fatal alert | relay TLS failed",
      "timeout: no reply within 2000 ms | relay timeout",
      "connection closed by relay | relay connection closed",
      "greeting refused: 554 5.3.2 smtp.internal busy | relay error"})
  void publicReasonNamesTheKindOnly(String message, String kind) {
    String reason = RelayFailure.before(message).publicReason();
    assertThat(reason).isEqualTo(kind + " (details in the server log)");
  }
}
