package dev.postern.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds the raw configuration tree: the built-in defaults (conf/default.json, packaged in the
 * jar) deep-merged with an optional operator file, then the environment overrides of SPEC §4a.
 * Runs once, at start-up, before any event loop exists.
 */
public final class ConfigSource {

  /** Environment variable → configuration key path (dot separated). */
  static final Map<String, String> ENV_OVERRIDES = Map.ofEntries(
      Map.entry("POSTERN_DEPLOYMENT", "deployment"),
      Map.entry("POSTERN_DATA_DIR", "data_dir"),
      Map.entry("POSTERN_HTTP_HOST", "http.host"),
      Map.entry("POSTERN_HTTP_PORT", "http.port"),
      Map.entry("POSTERN_HTTP_INSTANCES", "http.instances"),
      Map.entry("POSTERN_HTTP_MAX_AUTH_FAILURES_PER_MINUTE", "http.max_auth_failures_per_minute"),
      Map.entry("POSTERN_HTTP_TLS", "http.tls"),
      Map.entry("POSTERN_HTTP_TLS_CERT_FILE", "http.tls_cert_file"),
      Map.entry("POSTERN_HTTP_TLS_KEY_FILE", "http.tls_key_file"),
      Map.entry("POSTERN_ADMIN_HOST", "admin.host"),
      Map.entry("POSTERN_ADMIN_PORT", "admin.port"),
      Map.entry("POSTERN_SMTP_PORT", "smtp.submission_port"),
      Map.entry("POSTERN_SMTPS_PORT", "smtp.smtps_port"),
      Map.entry("POSTERN_SMTP_LAN_PORT", "smtp.lan_port"),
      Map.entry("POSTERN_SMTP_LAN_HOST", "smtp.lan_host"),
      Map.entry("POSTERN_MX_PORT", "smtp.mx_port"),
      Map.entry("POSTERN_MAILBOX_QUOTA_BYTES", "inbound.mailbox_quota_bytes"),
      Map.entry("POSTERN_SMTP_HOST", "smtp.host"),
      Map.entry("POSTERN_SMTP_SERVER_NAME", "smtp.server_name"),
      Map.entry("POSTERN_SMTP_TLS_CERT_FILE", "smtp.tls_cert_file"),
      Map.entry("POSTERN_SMTP_TLS_KEY_FILE", "smtp.tls_key_file"),
      Map.entry("POSTERN_SMTP_LAN_NETWORKS", "smtp.lan.networks"),
      Map.entry("POSTERN_SMTP_LAN_REWRITE_FROM", "smtp.lan.rewrite_from"),
      Map.entry("POSTERN_SMTP_LAN_BARE_NEWLINES", "smtp.lan.bare_newlines"),
      Map.entry("POSTERN_PG_URL", "postgres.url"),
      Map.entry("POSTERN_PG_POOL_SIZE", "postgres.pool_size"),
      Map.entry("POSTERN_REDIS_URL", "redis.url"),
      Map.entry("POSTERN_REDIS_FAILURE_MODE", "redis.failure_mode"),
      Map.entry("POSTERN_S3_ENDPOINT", "blobs.s3_endpoint"),
      Map.entry("POSTERN_S3_BUCKET", "blobs.s3_bucket"),
      Map.entry("POSTERN_S3_REGION", "blobs.s3_region"),
      Map.entry("POSTERN_S3_ACCESS_KEY", "blobs.s3_access_key"),
      Map.entry("POSTERN_S3_SECRET_KEY", "blobs.s3_secret_key"),
      Map.entry("POSTERN_RELAY_URL", "delivery.relay_url"),
      Map.entry("POSTERN_DELIVERY_WORKERS", "delivery.workers"),
      Map.entry("POSTERN_HELO_NAME", "delivery.helo_name"),
      Map.entry("POSTERN_WEBHOOKS_ALLOW_PRIVATE_TARGETS", "webhooks.allow_private_targets"),
      Map.entry("POSTERN_MASTER_SECRET", "secrets.master_secret"),
      Map.entry("POSTERN_ADMIN_TOKEN", "secrets.admin_token"),
      Map.entry("POSTERN_KEY_PREFIX", "keys.prefix"),
      Map.entry("POSTERN_DNS_SERVER", "dns.server"));

  private static final String DEFAULTS_RESOURCE = "/postern/default.json";

  private ConfigSource() {}

  /**
   * @param file an operator configuration file, or null for the built-in defaults only
   * @param env the process environment (a parameter so tests pass their own)
   * @return the merged tree and the origin (env var name) of every overridden key
   */
  public static Loaded load(Path file, Map<String, String> env) {
    List<String> problems = new ArrayList<>();
    JsonObject tree = defaults();
    if (file != null) {
      try {
        tree.mergeIn(new JsonObject(Files.readString(file, StandardCharsets.UTF_8)), true);
      } catch (IOException e) {
        problems.add("config file " + file + ": cannot be read (" + e.getClass().getSimpleName() + ")");
      } catch (DecodeException e) {
        problems.add("config file " + file + ": not valid JSON (" + firstLine(e.getMessage()) + ")");
      }
    }
    Map<String, String> origins = new java.util.HashMap<>();
    ENV_OVERRIDES.forEach((variable, path) -> {
      String value = env.get(variable);
      if (value != null && !value.isEmpty()) {
        put(tree, path, value);
        origins.put(path, variable);
      }
    });
    if (!problems.isEmpty()) {
      throw new ConfigError(problems);
    }
    return new Loaded(tree, Map.copyOf(origins));
  }

  /** The raw tree plus where each environment-supplied value came from. */
  public record Loaded(JsonObject tree, Map<String, String> origins) {}

  private static JsonObject defaults() {
    try (InputStream in = ConfigSource.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("built-in defaults missing from the jar: " + DEFAULTS_RESOURCE);
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("built-in defaults unreadable", e);
    }
  }

  private static void put(JsonObject tree, String path, String value) {
    String[] parts = path.split("\\.");
    JsonObject node = tree;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonObject child = node.getValue(parts[i]) instanceof JsonObject o ? o : null;
      if (child == null) {
        child = new JsonObject();
        node.put(parts[i], child);
      }
      node = child;
    }
    node.put(parts[parts.length - 1], value);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unparseable";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
