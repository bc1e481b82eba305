package dev.postern.config;

import dev.postern.config.PosternConfig.Blobs;
import dev.postern.config.PosternConfig.Delivery;
import dev.postern.config.PosternConfig.Deployment;
import dev.postern.config.PosternConfig.Http;
import dev.postern.config.PosternConfig.Keys;
import dev.postern.config.PosternConfig.Postgres;
import dev.postern.config.PosternConfig.Redis;
import dev.postern.config.PosternConfig.Relay;
import dev.postern.config.PosternConfig.RelayTls;
import dev.postern.config.PosternConfig.Secrets;
import dev.postern.config.PosternConfig.Smtp;
import dev.postern.ratelimit.FailureMode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns the raw tree from {@link ConfigSource} into a validated {@link PosternConfig}, or throws
 * one {@link ConfigError} listing every invalid setting.
 */
public final class ConfigLoader {

  private ConfigLoader() {}

  public static PosternConfig load(Path file, Map<String, String> env) {
    ConfigSource.Loaded loaded = ConfigSource.load(file, env);
    ConfigReader r = new ConfigReader(loaded.tree(), loaded.origins());
    PosternConfig config = read(r);
    if (!r.problems().isEmpty()) {
      throw new ConfigError(r.problems());
    }
    return config;
  }

  private static PosternConfig read(ConfigReader r) {
    Deployment deployment = r.choice("deployment", Deployment.class, Deployment.EMBEDDED);
    Path dataDir = Path.of(r.string("data_dir", "./data"));

    Http http = new Http(
        r.string("http.host", "0.0.0.0"),
        r.port("http.port", 8080, false),
        r.integer("http.instances", 0, 0, 256),
        r.integer("http.max_body_bytes", 41_943_040, 1024, Integer.MAX_VALUE),
        Duration.ofSeconds(r.integer("http.idle_timeout_seconds", 30, 1, 3600)),
        Duration.ofSeconds(r.integer("http.shutdown_grace_seconds", 10, 0, 600)),
        Duration.ofMillis(r.integer("http.readiness_timeout_ms", 2_000, 10, 60_000)),
        r.integer("http.max_connections", 4096, 1, 1_000_000),
        r.integer("http.max_connections_per_address", 1024, 1, 1_000_000),
        r.integer("http.max_body_bytes_in_flight", 268_435_456, 1024, Integer.MAX_VALUE),
        r.integer("http.max_body_bytes_in_flight_per_address", 134_217_728, 1024, Integer.MAX_VALUE),
        Duration.ofSeconds(r.integer("http.request_timeout_seconds", 120, 1, 3600)),
        r.integer("http.max_auth_failures_per_minute", 30, 1, 1_000_000));

    if (http.maxBodyBytesInFlightPerAddress() < http.maxBodyBytes()
        || http.maxBodyBytesInFlight() < http.maxBodyBytesInFlightPerAddress()) {
      r.problem("http.max_body_bytes_in_flight_per_address",
          "must be at least http.max_body_bytes and at most http.max_body_bytes_in_flight");
    }

    Smtp smtp = SmtpConfig.read(r, deployment);

    String pgUrl = r.optionalString("postgres.url");
    if (pgUrl != null && !pgUrl.matches("(?i)^postgres(ql)?://.+")) {
      r.problem("postgres.url", "must be a postgresql://user:password@host:port/database URL");
    }
    Postgres postgres = new Postgres(pgUrl,
        r.integer("postgres.pool_size", 16, 1, 1000),
        Duration.ofSeconds(r.integer("postgres.connect_timeout_seconds", 10, 1, 300)),
        new PosternConfig.GroupCommit(
            r.integer("postgres.group_commit.max_messages", 256, 1, 10_000),
            r.integer("postgres.group_commit.max_bytes", 4 * 1024 * 1024, 1, 256 * 1024 * 1024),
            Duration.ofMillis(r.integer("postgres.group_commit.max_wait_ms", 1, 0, 100)),
            r.integer("postgres.group_commit.max_in_flight", 1, 1, 64)));

    String redisUrl = r.optionalString("redis.url");
    if (redisUrl != null && !redisUrl.matches("(?i)^rediss?://.+")) {
      r.problem("redis.url", "must be a redis:// or rediss:// URL");
    }
    Redis redis = new Redis(redisUrl,
        Duration.ofMillis(r.integer("redis.timeout_ms", 250, 10, 60_000)),
        r.choice("redis.failure_mode", FailureMode.class, FailureMode.FAIL_OPEN),
        r.string("redis.key_prefix", "postern:rl"));

    Blobs blobs = readBlobs(r);

    Secrets secrets = new Secrets(
        r.optionalString("secrets.master_secret"),
        r.optionalString("secrets.admin_token"));
    if (secrets.adminToken() != null && secrets.adminToken().length() < 16) {
      r.problem("secrets.admin_token", "must be at least 16 characters");
    }
    if (deployment == Deployment.PRODUCTION) {
      if (secrets.masterSecret() == null) {
        r.problem("secrets.master_secret", "is required in production (set POSTERN_MASTER_SECRET)");
      }
      if (secrets.adminToken() == null) {
        r.problem("secrets.admin_token", "is required in production (set POSTERN_ADMIN_TOKEN)");
      }
    }

    String prefix = r.string("keys.prefix", "pst");
    if (!prefix.matches("[a-z][a-z0-9]{1,15}")) {
      r.problem("keys.prefix", "must be 2–16 lowercase letters or digits, starting with a letter");
    }
    Keys keys = new Keys(prefix,
        r.integer("keys.default_rate_limit_per_hour", 1000, 1, Integer.MAX_VALUE),
        r.integer("keys.inbox_reads_per_hour", 3600, 1, Integer.MAX_VALUE),
        r.integer("keys.cache_size", 10_000, 16, 10_000_000),
        Duration.ofSeconds(r.integer("keys.cache_ttl_seconds", 60, 1, 86_400)),
        Duration.ofSeconds(r.integer("keys.last_used_flush_seconds", 15, 1, 3600)));

    Delivery delivery = new Delivery(readRelays(r),
        Duration.ofHours(r.integer("delivery.retry_horizon_hours", 48, 1, 24 * 30)),
        r.integer("delivery.workers", 2, 1, 64),
        Duration.ofMillis(r.integer("delivery.poll_interval_ms", 5_000, 50, 3_600_000)),
        Duration.ofSeconds(r.integer("delivery.lease_seconds", 60, 2, 3600)),
        Duration.ofMillis(r.integer("delivery.retry_base_ms", 60_000, 10, 86_400_000)),
        Duration.ofMillis(r.integer("delivery.retry_max_ms", 3_600_000, 10, 86_400_000)),
        Duration.ofSeconds(r.integer("delivery.connect_timeout_seconds", 30, 1, 600)),
        Duration.ofSeconds(r.integer("delivery.reply_timeout_seconds", 300, 1, 3600)),
        Duration.ofSeconds(r.integer("delivery.data_timeout_seconds", 600, 1, 3600)),
        Duration.ofSeconds(r.integer("delivery.idle_timeout_seconds", 30, 1, 3600)),
        Duration.ofSeconds(r.integer("delivery.shutdown_grace_seconds", 10, 0, 600)),
        r.optionalString("delivery.tls_ca_file"),
        r.string("delivery.helo_name", "localhost"),
        Duration.ofMillis(r.integer("delivery.wakeup_coalesce_ms", 20, 1, 10_000)),
        r.integer("delivery.dkim_cache_size", 1_000, 1, 1_000_000),
        Duration.ofSeconds(r.integer("delivery.dkim_cache_ttl_seconds", 600, 1, 86_400)));

    return new PosternConfig(deployment, dataDir, http, smtp, postgres, redis, blobs, secrets,
        keys, delivery, readWebhooks(r), readInbound(r), readDns(r), readAudit(r),
        readHousekeeping(r), r.integer("cpu_threads", 0, 0, 256), readInbox(r),
        HttpExposureConfig.readTls(r, deployment, http.host()), HttpExposureConfig.readAdmin(r));
  }

  private static PosternConfig.Inbox readInbox(ConfigReader r) {
    return new PosternConfig.Inbox(
        Duration.ofSeconds(r.integer("inbox.stream_heartbeat_seconds", 30, 1, 3600)),
        r.integer("inbox.stream_max_per_key", 10, 1, 100_000),
        r.integer("inbox.stream_max_per_node", 10_000, 1, 1_000_000),
        r.integer("inbox.stream_buffer_bytes", 1_048_576, 4096, 1_073_741_824),
        r.integer("inbox.list_cache_bytes", 64 * 1_048_576, 0, Integer.MAX_VALUE));
  }

  private static PosternConfig.Webhooks readWebhooks(ConfigReader r) {
    return new PosternConfig.Webhooks(
        Duration.ofSeconds(r.integer("webhooks.request_timeout_seconds", 10, 1, 300)),
        Duration.ofSeconds(r.integer("webhooks.first_retry_seconds", 5, 1, 86_400)),
        Duration.ofSeconds(r.integer("webhooks.max_retry_seconds", 7_200, 1, 86_400)),
        r.integer("webhooks.max_attempts", 15, 1, 100),
        Duration.ofHours(r.integer("webhooks.horizon_hours", 24, 1, 24 * 30)),
        Duration.ofMillis(r.integer("webhooks.poll_interval_ms", 5_000, 50, 3_600_000)),
        r.integer("webhooks.concurrency", 16, 1, 1024),
        r.integer("webhooks.batch_size", 16, 1, 1000),
        r.integer("webhooks.retry_multiplier", 6, 1, 100),
        r.integer("webhooks.secret_cache_size", 10_000, 1, 10_000_000),
        Duration.ofMillis(r.integer("webhooks.subscriptions_ttl_ms", 5_000, 0, 3_600_000)),
        r.bool("webhooks.allow_private_targets", false));
  }

  private static PosternConfig.Audit readAudit(ConfigReader r) {
    return new PosternConfig.Audit(
        r.integer("audit.batch_size", 2_000, 1, 100_000),
        Duration.ofMillis(r.integer("audit.flush_interval_ms", 500, 10, 60_000)),
        r.integer("audit.max_queued", 100_000, 1, 10_000_000),
        r.integer("audit.max_attempts", 25, 1, 10_000));
  }

  private static PosternConfig.Housekeeping readHousekeeping(ConfigReader r) {
    return new PosternConfig.Housekeeping(
        Duration.ofSeconds(r.integer("housekeeping.idempotency_sweep_interval_seconds", 300, 1, 86_400)),
        r.integer("housekeeping.idempotency_sweep_batch", 1_000, 1, 100_000));
  }

  private static PosternConfig.Inbound readInbound(ConfigReader r) {
    return new PosternConfig.Inbound(
        r.integer("inbound.filing_concurrency", 256, 1, 4096),
        r.integer("inbound.filing_batch_size", 128, 1, 1000),
        r.integer("inbound.filing_group_messages", 256, 1, 10_000),
        r.longInteger("inbound.filing_group_bytes", 16L << 20, 1, 1L << 40),
        Duration.ofSeconds(r.integer("inbound.filing_lease_seconds", 60, 2, 3600)),
        Duration.ofMillis(r.integer("inbound.filing_poll_interval_ms", 5_000, 50, 3_600_000)),
        r.integer("inbound.filing_max_attempts", 10, 1, 1000),
        Duration.ofMillis(r.integer("inbound.filing_retry_base_ms", 1_000, 10, 86_400_000)),
        Duration.ofMillis(r.integer("inbound.filing_retry_max_ms", 600_000, 10, 86_400_000)),
        Duration.ofSeconds(r.integer("inbound.shutdown_grace_seconds", 10, 0, 600)),
        Duration.ofMillis(r.integer("inbound.changes_coalesce_ms", 20, 1, 10_000)),
        r.longInteger("inbound.mailbox_quota_bytes", 0, 0, Long.MAX_VALUE));
  }

  /** {@code host[:port]} or {@code [v6]:port}; unset = first nameserver of /etc/resolv.conf. */
  private static PosternConfig.Dns readDns(ConfigReader r) {
    Duration timeout = Duration.ofMillis(r.integer("dns.timeout_ms", 5_000, 100, 60_000));
    String server = r.optionalString("dns.server");
    if (server == null) {
      return new PosternConfig.Dns(ResolvConf.firstNameserver(Path.of("/etc/resolv.conf"))
          .orElse("127.0.0.53"), 53, timeout);
    }
    java.util.regex.Matcher m = java.util.regex.Pattern
        .compile("^(?:\\[([0-9a-fA-F:.]+)\\]|([^\\s:\\[\\]]+))(?::(\\d{1,5}))?$").matcher(server.trim());
    int port = m.matches() && m.group(3) != null ? Integer.parseInt(m.group(3)) : 53;
    if (!m.matches() || port < 1 || port > 65535) {
      r.problem("dns.server", "must be host or host:port (e.g. 1.1.1.1:53), got \"" + server + "\"");
      return new PosternConfig.Dns("127.0.0.53", 53, timeout);
    }
    return new PosternConfig.Dns(m.group(1) != null ? m.group(1) : m.group(2), port, timeout);
  }

  private static Blobs readBlobs(ConfigReader r) {
    String endpoint = r.optionalString("blobs.s3_endpoint");
    String access = r.optionalString("blobs.s3_access_key");
    String secret = r.optionalString("blobs.s3_secret_key");
    if (endpoint != null) {
      try {
        URI uri = new URI(endpoint);
        if (uri.getScheme() == null || uri.getHost() == null
            || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
          r.problem("blobs.s3_endpoint", "must be an http:// or https:// URL");
        }
      } catch (Exception e) {
        r.problem("blobs.s3_endpoint", "must be an http:// or https:// URL");
      }
      if (access == null) {
        r.problem("blobs.s3_access_key", "is required when blobs.s3_endpoint is set");
      }
      if (secret == null) {
        r.problem("blobs.s3_secret_key", "is required when blobs.s3_endpoint is set");
      }
    }
    String bucket = r.string("blobs.s3_bucket", "postern");
    if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
      r.problem("blobs.s3_bucket", "must be a valid S3 bucket name (3–63 lowercase letters, digits, dots, hyphens)");
    }
    return new Blobs(endpoint, bucket, r.string("blobs.s3_region", "us-east-1"), access, secret,
        Duration.ofSeconds(r.integer("blobs.timeout_seconds", 10, 1, 600)),
        Duration.ofMinutes(r.integer("blobs.orphan_min_age_minutes", 60, 1, 7 * 24 * 60)),
        Duration.ofMinutes(r.integer("blobs.orphan_sweep_interval_minutes", 15, 1, 24 * 60)));
  }

  private static List<Relay> readRelays(ConfigReader r) {
    List<Relay> relays = new ArrayList<>();
    String url = r.optionalString("delivery.relay_url");
    if (url != null) {
      relays.addAll(RelayUrls.parse(url, r, "delivery.relay_url"));
    }
    int[] index = {0};
    relays.addAll(r.objects("delivery.relays", object -> {
      int i = index[0]++;
      String path = "delivery.relays[" + i + "]";
      String host = object.getString("host");
      if (host == null || host.isBlank()) {
        r.problem(path + ".host", "is required");
      }
      Object port = object.getValue("port", 25);
      int portNumber = port instanceof Number n ? n.intValue() : -1;
      if (portNumber < 1 || portNumber > 65535) {
        r.problem(path + ".port", "must be between 1 and 65535");
      }
      RelayTls tls;
      try {
        tls = RelayTls.valueOf(object.getString("tls", "none").toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        r.problem(path + ".tls", "must be one of [none, starttls, implicit]");
        tls = RelayTls.NONE;
      }
      return new Relay(object.getString("name", "relay-conf-" + (i + 1)), host, portNumber, tls,
          object.getString("username"), object.getString("password"),
          Math.max(1, object.getInteger("weight", 1)),
          Math.max(1, object.getInteger("max_connections", 16)));
    }));
    return relays;
  }
}
