package dev.postern.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tunables the composition root once hard-coded: their defaults, overrides and ranges. */
class WiringSettingsTest {

  @Test
  void defaultsAreTheValuesTheWiringUsedToHardCode() {
    PosternConfig config = ConfigLoader.load(null, Map.of());
    assertThat(config.cpuThreads()).isZero();
    assertThat(config.redis().keyPrefix()).isEqualTo("postern:rl");
    assertThat(config.blobs().orphanMinAge()).isEqualTo(Duration.ofHours(1));
    assertThat(config.blobs().orphanSweepInterval()).isEqualTo(Duration.ofMinutes(15));
    assertThat(config.keys().lastUsedFlush()).isEqualTo(Duration.ofSeconds(15));
    assertThat(config.delivery().wakeupCoalesce()).isEqualTo(Duration.ofMillis(20));
    assertThat(config.delivery().dkimCacheSize()).isEqualTo(1_000);
    assertThat(config.delivery().dkimCacheTtl()).isEqualTo(Duration.ofMinutes(10));
    assertThat(config.dns().timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.webhooks()).isEqualTo(new PosternConfig.Webhooks(Duration.ofSeconds(10),
        Duration.ofSeconds(5), Duration.ofHours(2), 15, Duration.ofHours(24),
        Duration.ofSeconds(5), 16, 16, 6, 10_000, Duration.ofSeconds(5), false));
    // Issue #10's last literals: DeliveryWebhooks' 5 s, WebhookSecrets' 10 000, the 6× back-off,
    // AuditLog's 2000 rows / 500 ms / 100 000 queued, the readiness bound; and #15.9's sweep.
    assertThat(config.audit()).isEqualTo(new PosternConfig.Audit(2_000, Duration.ofMillis(500), 100_000, 25));
    assertThat(config.http().readinessTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.housekeeping()).isEqualTo(
        new PosternConfig.Housekeeping(Duration.ofMinutes(5), 1_000));
  }

  @Test
  void theLastLiteralsAreSettingsToo(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("postern.json"), """
        {"webhooks": {"retry_multiplier": 3, "secret_cache_size": 50, "subscriptions_ttl_ms": 250},
         "audit": {"batch_size": 10, "flush_interval_ms": 40, "max_queued": 99, "max_attempts": 3},
         "http": {"readiness_timeout_ms": 700},
         "housekeeping": {"idempotency_sweep_interval_seconds": 1, "idempotency_sweep_batch": 7}}""");
    PosternConfig config = ConfigLoader.load(file, Map.of());
    assertThat(config.webhooks().retryMultiplier()).isEqualTo(3);
    assertThat(config.webhooks().secretCacheSize()).isEqualTo(50);
    assertThat(config.webhooks().subscriptionsTtl()).isEqualTo(Duration.ofMillis(250));
    assertThat(config.audit()).isEqualTo(new PosternConfig.Audit(10, Duration.ofMillis(40), 99, 3));
    assertThat(config.http().readinessTimeout()).isEqualTo(Duration.ofMillis(700));
    assertThat(config.housekeeping()).isEqualTo(
        new PosternConfig.Housekeeping(Duration.ofSeconds(1), 7));
  }

  @Test
  void anOperatorFileSetsThem(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("postern.json"), """
        {"cpu_threads": 3, "dns": {"timeout_ms": 800},
         "keys": {"last_used_flush_seconds": 60},
         "webhooks": {"max_attempts": 3, "concurrency": 4}}""");
    PosternConfig config = ConfigLoader.load(file, Map.of());
    assertThat(config.cpuThreads()).isEqualTo(3);
    assertThat(config.dns().timeout()).isEqualTo(Duration.ofMillis(800));
    assertThat(config.keys().lastUsedFlush()).isEqualTo(Duration.ofMinutes(1));
    assertThat(config.webhooks().maxAttempts()).isEqualTo(3);
    assertThat(config.webhooks().concurrency()).isEqualTo(4);
  }

  @Test
  void outOfRangeValuesAreReportedTogether(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("postern.json"), """
        {"delivery": {"wakeup_coalesce_ms": 0}, "webhooks": {"max_attempts": 0},
         "dns": {"timeout_ms": 99}}""");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .isInstanceOfSatisfying(ConfigError.class, e -> assertThat(e.problems()).hasSize(3)
            .anySatisfy(p -> assertThat(p).startsWith("delivery.wakeup_coalesce_ms"))
            .anySatisfy(p -> assertThat(p).startsWith("webhooks.max_attempts"))
            .anySatisfy(p -> assertThat(p).startsWith("dns.timeout_ms")));
  }
}
