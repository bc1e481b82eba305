package dev.postern.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postern.config.PosternConfig.RelayTls;
import dev.postern.ratelimit.FailureMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @Test
  void builtInDefaultsMatchTheSpec() {
    PosternConfig config = ConfigLoader.load(null, Map.of());
    assertThat(config.deployment()).isEqualTo(PosternConfig.Deployment.EMBEDDED);
    assertThat(config.dataDir()).isEqualTo(Path.of("./data"));
    assertThat(config.http().port()).isEqualTo(8080);
    assertThat(config.smtp().submissionPort()).isEqualTo(2587);
    assertThat(config.smtp().smtpsPort()).isEqualTo(2465);
    assertThat(config.smtp().lanPort()).isZero();
    assertThat(config.smtp().mxPort()).isEqualTo(2525);
    assertThat(config.postgres().embedded()).isTrue();
    assertThat(config.redis().url()).isNull();
    assertThat(config.blobs().s3()).isFalse();
    assertThat(config.keys().prefix()).isEqualTo("pst");
    assertThat(config.keys().defaultRateLimitPerHour()).isEqualTo(1000);
    assertThat(config.delivery().relays()).isEmpty();
    assertThat(config.delivery().retryHorizon()).isEqualTo(Duration.ofHours(48));
  }

  @Test
  void environmentOverridesEverySpecSetting() {
    PosternConfig config = ConfigLoader.load(null, Map.ofEntries(
        Map.entry("POSTERN_DATA_DIR", "/srv/p"),
        Map.entry("POSTERN_HTTP_PORT", "9090"),
        Map.entry("POSTERN_SMTP_PORT", "587"),
        Map.entry("POSTERN_SMTPS_PORT", "465"),
        Map.entry("POSTERN_SMTP_LAN_PORT", "2526"),
        Map.entry("POSTERN_MX_PORT", "25"),
        Map.entry("POSTERN_PG_URL", "postgresql://u:p@db:5432/postern"),
        Map.entry("POSTERN_REDIS_URL", "redis://cache:6379"),
        Map.entry("POSTERN_S3_ENDPOINT", "http://minio:9000"),
        Map.entry("POSTERN_S3_BUCKET", "mail"),
        Map.entry("POSTERN_S3_ACCESS_KEY", "ak"),
        Map.entry("POSTERN_S3_SECRET_KEY", "sk"),
        Map.entry("POSTERN_RELAY_URL", "smtps://user:p%40ss@relay.example:465,smtp+starttls://backup.example"),
        Map.entry("POSTERN_MASTER_SECRET", "v1:abc"),
        Map.entry("POSTERN_ADMIN_TOKEN", "0123456789abcdef0123")));
    assertThat(config.dataDir()).isEqualTo(Path.of("/srv/p"));
    assertThat(config.http().port()).isEqualTo(9090);
    assertThat(config.smtp().submissionPort()).isEqualTo(587);
    assertThat(config.smtp().lanPort()).isEqualTo(2526);
    assertThat(config.smtp().mxPort()).isEqualTo(25);
    assertThat(config.postgres().url()).isEqualTo("postgresql://u:p@db:5432/postern");
    assertThat(config.redis().url()).isEqualTo("redis://cache:6379");
    assertThat(config.blobs().s3()).isTrue();
    assertThat(config.blobs().s3Bucket()).isEqualTo("mail");
    assertThat(config.delivery().relays()).hasSize(2);
    PosternConfig.Relay first = config.delivery().relays().get(0);
    assertThat(first.tls()).isEqualTo(RelayTls.IMPLICIT);
    assertThat(first.host()).isEqualTo("relay.example");
    assertThat(first.port()).isEqualTo(465);
    assertThat(first.username()).isEqualTo("user");
    assertThat(first.password()).isEqualTo("p@ss");
    PosternConfig.Relay second = config.delivery().relays().get(1);
    assertThat(second.tls()).isEqualTo(RelayTls.STARTTLS);
    assertThat(second.port()).isEqualTo(587);
    assertThat(first.weight()).isGreaterThan(second.weight());
  }

  @Test
  void reportsEveryInvalidSettingAtOnceNamingKeyAndVariable() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(
            "POSTERN_HTTP_PORT", "abc",
            "POSTERN_MX_PORT", "70000",
            "POSTERN_PG_URL", "mysql://x",
            "POSTERN_REDIS_FAILURE_MODE", "sometimes",
            "POSTERN_RELAY_URL", "ftp://relay")))
        .isInstanceOfSatisfying(ConfigError.class, e -> assertThat(e.problems()).containsExactly(
            "http.port (POSTERN_HTTP_PORT): must be an integer, got \"abc\"",
            "smtp.mx_port (POSTERN_MX_PORT): must be between 0 and 65535, got 70000",
            "postgres.url (POSTERN_PG_URL): must be a postgresql://user:password@host:port/database URL",
            "redis.failure_mode (POSTERN_REDIS_FAILURE_MODE): must be one of [fail_open, fail_closed], got \"sometimes\"",
            "delivery.relay_url (POSTERN_RELAY_URL): relay 1 must use smtp://, smtp+starttls:// or smtps://"));
  }

  @Test
  void productionRequiresSecretsAndNeverEchoesThem() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("POSTERN_DEPLOYMENT", "production")))
        .isInstanceOfSatisfying(ConfigError.class, e -> assertThat(e.problems()).containsExactly(
            "smtp.tls_cert_file: is required in production while a submission port is on"
                + " (set POSTERN_SMTP_TLS_CERT_FILE and POSTERN_SMTP_TLS_KEY_FILE, PEM)",
            "secrets.master_secret: is required in production (set POSTERN_MASTER_SECRET)",
            "secrets.admin_token: is required in production (set POSTERN_ADMIN_TOKEN)",
            "http.tls: is required in production unless http.host is a loopback address (set"
                + " POSTERN_HTTP_TLS=true with POSTERN_HTTP_TLS_CERT_FILE and"
                + " POSTERN_HTTP_TLS_KEY_FILE, PEM)"));
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("POSTERN_ADMIN_TOKEN", "short-secret")))
        .isInstanceOfSatisfying(ConfigError.class, e -> assertThat(e.problems().get(0))
            .contains("secrets.admin_token").doesNotContain("short-secret"));
  }

  @Test
  void s3NeedsCredentials() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("POSTERN_S3_ENDPOINT", "http://minio:9000")))
        .isInstanceOfSatisfying(ConfigError.class, e -> assertThat(e.problems()).containsExactly(
            "blobs.s3_access_key: is required when blobs.s3_endpoint is set",
            "blobs.s3_secret_key: is required when blobs.s3_endpoint is set"));
  }

  @Test
  void operatorFileIsMergedOverDefaultsAndEnvironmentWins(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("site.json");
    Files.writeString(file, """
        {"http": {"port": 8181}, "redis": {"failure_mode": "fail_closed"},
         "delivery": {"relays": [{"host": "relay.lan", "port": 2525, "tls": "starttls", "weight": 5}]}}""");
    PosternConfig config = ConfigLoader.load(file, Map.of("POSTERN_HTTP_PORT", "8282"));
    assertThat(config.http().port()).isEqualTo(8282);
    assertThat(config.http().host()).isEqualTo("0.0.0.0");
    assertThat(config.redis().failureMode()).isEqualTo(FailureMode.FAIL_CLOSED);
    assertThat(config.delivery().relays()).singleElement()
        .satisfies(r -> assertThat(r.host()).isEqualTo("relay.lan"))
        .satisfies(r -> assertThat(r.tls()).isEqualTo(RelayTls.STARTTLS));
  }

  @Test
  void unreadableOrMalformedFileIsOneClearProblem(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("bad.json");
    Files.writeString(file, "{\"http\": ");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .isInstanceOfSatisfying(ConfigError.class, e -> assertThat(e.problems()).singleElement()
            .asString().startsWith("config file " + file + ": not valid JSON"));
    assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("missing.json"), Map.of()))
        .isInstanceOfSatisfying(ConfigError.class, e -> assertThat(e.problems()).singleElement()
            .asString().contains("cannot be read"));
  }

  @Test
  void productionConfFileMovesPortsToPrivilegedOnes() {
    PosternConfig config = ConfigLoader.load(Path.of("conf/production.json"), Map.of(
        "POSTERN_MASTER_SECRET", "v1:x", "POSTERN_ADMIN_TOKEN", "0123456789abcdef0123"));
    assertThat(config.smtp().submissionPort()).isEqualTo(587);
    assertThat(config.smtp().smtpsPort()).isEqualTo(465);
    assertThat(config.smtp().mxPort()).isEqualTo(25);
    assertThat(config.deployment()).isEqualTo(PosternConfig.Deployment.PRODUCTION);
    // Issue #15 item 5: HTTPS from the operator's PEM; the admin API on a loopback listener.
    assertThat(config.httpTls()).isEqualTo(new PosternConfig.HttpTls(true,
        "/etc/postern/tls/fullchain.pem", "/etc/postern/tls/privkey.pem"));
    assertThat(config.admin()).isEqualTo(new PosternConfig.AdminListener("127.0.0.1", 8081));
  }

  @Test
  void httpsAndTheAdminListenerAreConfigurable() {
    PosternConfig embedded = ConfigLoader.load(null, Map.of());
    assertThat(embedded.httpTls()).isEqualTo(new PosternConfig.HttpTls(false, null, null));
    assertThat(embedded.admin().separate()).isFalse();

    PosternConfig set = ConfigLoader.load(null, Map.of("POSTERN_HTTP_TLS", "true",
        "POSTERN_HTTP_TLS_CERT_FILE", "/c.pem", "POSTERN_HTTP_TLS_KEY_FILE", "/k.pem",
        "POSTERN_ADMIN_PORT", "9090", "POSTERN_ADMIN_HOST", "::1"));
    assertThat(set.httpTls()).isEqualTo(new PosternConfig.HttpTls(true, "/c.pem", "/k.pem"));
    assertThat(set.admin()).isEqualTo(new PosternConfig.AdminListener("::1", 9090));

    // Production without HTTPS is allowed only behind a local proxy (a loopback bind).
    assertThat(ConfigLoader.load(null, Map.of("POSTERN_DEPLOYMENT", "production",
        "POSTERN_HTTP_HOST", "127.0.0.1", "POSTERN_SMTP_PORT", "0", "POSTERN_SMTPS_PORT", "0",
        "POSTERN_MASTER_SECRET", "v1:x", "POSTERN_ADMIN_TOKEN", "0123456789abcdef0123"))
        .httpTls().enabled()).isFalse();
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("POSTERN_DEPLOYMENT", "production",
        "POSTERN_HTTP_TLS", "true", "POSTERN_SMTP_PORT", "0", "POSTERN_SMTPS_PORT", "0",
        "POSTERN_MASTER_SECRET", "v1:x", "POSTERN_ADMIN_TOKEN", "0123456789abcdef0123")))
        .isInstanceOfSatisfying(ConfigError.class, e -> assertThat(e.problems()).containsExactly(
            "http.tls_cert_file: is required in production while http.tls is on (set"
                + " POSTERN_HTTP_TLS_CERT_FILE and POSTERN_HTTP_TLS_KEY_FILE, PEM)"));
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("POSTERN_ADMIN_PORT", "9090",
        "POSTERN_ADMIN_HOST", "0.0.0.0", "POSTERN_HTTP_TLS_CERT_FILE", "/c.pem")))
        .isInstanceOfSatisfying(ConfigError.class, e -> assertThat(e.problems()).containsExactly(
            "http.tls_key_file: tls_cert_file and tls_key_file are"
                + " set together or not at all",
            "admin.host (POSTERN_ADMIN_HOST): must be a loopback address (127.0.0.1, ::1,"
                + " localhost): the admin listener is plain HTTP; got \"0.0.0.0\""));
  }

  @Test
  void smtpListenersTlsAndLanShimAreConfigurable() {
    PosternConfig config = ConfigLoader.load(null, Map.of(
        "POSTERN_SMTP_LAN_PORT", "2526",
        "POSTERN_SMTP_LAN_NETWORKS", "192.168.1.0/24=0b5f6b4e-4a4c-4b44-9a43-0d8a7c1e2f10, 10.0.0.0/8=k2",
        "POSTERN_SMTP_LAN_REWRITE_FROM", "true",
        "POSTERN_SMTP_LAN_BARE_NEWLINES", "normalize"));
    PosternConfig.Smtp smtp = config.smtp();
    assertThat(smtp.lanPort()).isEqualTo(2526);
    assertThat(smtp.lan().networks()).containsExactly(
        new PosternConfig.LanNetwork("192.168.1.0/24", "0b5f6b4e-4a4c-4b44-9a43-0d8a7c1e2f10"),
        new PosternConfig.LanNetwork("10.0.0.0/8", "k2"));
    assertThat(smtp.lan().rewriteFrom()).isTrue();
    assertThat(smtp.lan().bareNewlines()).isEqualTo(PosternConfig.BareNewlines.NORMALIZE);
    assertThat(smtp.idleTimeout()).hasSeconds(300);
    assertThat(smtp.maxConnectionsPerAddress()).isEqualTo(20);
    assertThat(smtp.tlsCertFile()).isNull();

    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(
        "POSTERN_SMTP_TLS_CERT_FILE", "/etc/cert.pem", "POSTERN_SMTP_LAN_REWRITE_FROM", "maybe")))
        .isInstanceOfSatisfying(ConfigError.class, e -> assertThat(e.problems()).containsExactly(
            "smtp.tls_key_file: tls_cert_file and tls_key_file are set together or not at all",
            "smtp.lan.rewrite_from (POSTERN_SMTP_LAN_REWRITE_FROM): must be true or false, got \"maybe\""));
  }
}
