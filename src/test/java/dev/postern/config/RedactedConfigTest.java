package dev.postern.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.ratelimit.FailureMode;
import dev.postern.ratelimit.redis.RedisRateLimiter;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue #15.7: no password of any configured service reaches a configuration's toString. */
class RedactedConfigTest {

  @Test
  void theWholeConfigurationPrintsNoPassword() {
    PosternConfig config = ConfigLoader.load(null, Map.of(
        "POSTERN_PG_URL", "postgresql://postern:pg-s3cret@db.internal:5432/postern?sslpassword=pg-ssl-s3cret",
        "POSTERN_REDIS_URL", "rediss://:redis-s3cret@cache.internal:6380/0",
        "POSTERN_RELAY_URL", "smtp+starttls://mailer:relay-s3cret@relay.internal:587",
        "POSTERN_S3_ENDPOINT", "https://s3.internal", "POSTERN_S3_ACCESS_KEY", "AKIAEXAMPLE",
        "POSTERN_S3_SECRET_KEY", "s3-s3cret",
        "POSTERN_MASTER_SECRET", "v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "POSTERN_ADMIN_TOKEN", "admin-token-s3cret"));
    String printed = config.toString();
    assertThat(printed).contains("db.internal:5432/postern", "cache.internal:6380",
        "relay.internal", "s3.internal", "postern:(redacted)@");
    for (String secret : new String[] {"pg-s3cret", "pg-ssl-s3cret", "redis-s3cret",
        "relay-s3cret", "s3-s3cret", "AAAAAAAAAAAAAAAAAAAA", "admin-token-s3cret"}) {
      assertThat(printed).as(secret).doesNotContain(secret);
    }
    assertThat(RedisRateLimiter.Settings.defaults(config.redis().url(), "p", FailureMode.FAIL_OPEN)
        .toString()).contains("cache.internal").doesNotContain("redis-s3cret");
  }

  @Test
  void urlsKeepEverythingButThePassword() {
    assertThat(Redacted.url("postgresql://u:p@ss:w/rd@h:5432/db?user=u&password=x&ssl=true"))
        .isEqualTo("postgresql://u:(redacted)@h:5432/db?user=u&password=(redacted)&ssl=true");
    assertThat(Redacted.url("redis://h:6379")).isEqualTo("redis://h:6379");
    assertThat(Redacted.url("redis://user@h:6379")).isEqualTo("redis://user@h:6379");
    assertThat(Redacted.url(null)).isNull();
  }
}
