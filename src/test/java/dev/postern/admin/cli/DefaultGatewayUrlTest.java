package dev.postern.admin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.config.ConfigLoader;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue #15 item 5: the CLI finds the admin API where the gateway serves it. */
class DefaultGatewayUrlTest {

  @Test
  void theAdminListenerWhenSeparateElseTheApiListenerWithItsScheme() {
    assertThat(AdminRequestCommand.defaultBase(ConfigLoader.load(null, Map.of())))
        .isEqualTo("http://127.0.0.1:8080");
    assertThat(AdminRequestCommand.defaultBase(ConfigLoader.load(null,
        Map.of("POSTERN_HTTP_TLS", "true", "POSTERN_HTTP_PORT", "8443"))))
        .isEqualTo("https://127.0.0.1:8443");
    assertThat(AdminRequestCommand.defaultBase(ConfigLoader.load(null,
        Map.of("POSTERN_HTTP_TLS", "true", "POSTERN_ADMIN_PORT", "8081"))))
        .isEqualTo("http://127.0.0.1:8081");
    assertThat(AdminRequestCommand.defaultBase(ConfigLoader.load(null,
        Map.of("POSTERN_ADMIN_PORT", "8081", "POSTERN_ADMIN_HOST", "::1"))))
        .isEqualTo("http://[::1]:8081");
  }
}
