package dev.postern.config;

import dev.postern.ratelimit.FailureMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The whole configuration, typed and validated, built once at start-up by {@link ConfigLoader}.
 * Nothing below the composition root reads files or the environment.
 */
public record PosternConfig(
    Deployment deployment,
    Path dataDir,
    Http http,
    Smtp smtp,
    Postgres postgres,
    Redis redis,
    Blobs blobs,
    Secrets secrets,
    Keys keys,
    Delivery delivery,
    Dns dns) {

  public enum Deployment { EMBEDDED, PRODUCTION }

  /** @param instances HTTP verticle instances; 0 means one per core */
  public record Http(String host, int port, int instances, long maxBodyBytes,
      Duration idleTimeout, Duration shutdownGrace) {}

  /** Ports of 0 are listeners that are off. */
  public record Smtp(int submissionPort, int smtpsPort, int lanPort, String lanHost, int mxPort,
      long maxMessageBytes, int maxRecipients) {}

  /** @param url null selects the embedded PostgreSQL in the data directory */
  public record Postgres(String url, int poolSize, Duration connectTimeout) {
    public boolean embedded() {
      return url == null;
    }
  }

  /** @param url null selects the in-process rate limiter */
  public record Redis(String url, Duration timeout, FailureMode failureMode) {}

  /** @param s3Endpoint null selects the filesystem blob store under the data directory */
  public record Blobs(String s3Endpoint, String s3Bucket, String s3Region, String s3AccessKey,
      String s3SecretKey, Duration timeout) {
    public boolean s3() {
      return s3Endpoint != null;
    }

    @Override
    public String toString() {
      return "Blobs[s3Endpoint=" + s3Endpoint + ", s3Bucket=" + s3Bucket + ", credentials=(redacted)]";
    }
  }

  /** Null values are generated into the data directory (embedded deployment only). */
  public record Secrets(String masterSecret, String adminToken) {
    @Override
    public String toString() {
      return "Secrets[(redacted)]";
    }
  }

  public record Keys(String prefix, int defaultRateLimitPerHour, int inboxReadsPerHour,
      int cacheSize, Duration cacheTtl) {}

  /**
   * @param workers delivery verticle instances per node
   * @param pollInterval backstop poll when no wake-up arrives
   * @param lease how long a claim is held before another node may take it (renewed while busy)
   * @param retryBase first back-off after a transient failure, doubled per attempt up to retryMax
   * @param tlsCaFile PEM bundle to verify relay certificates with instead of the JDK's, or null
   * @param heloName the name this node gives in EHLO
   */
  public record Delivery(List<Relay> relays, Duration retryHorizon, int workers,
      Duration pollInterval, Duration lease, Duration retryBase, Duration retryMax,
      Duration connectTimeout, Duration replyTimeout, Duration dataTimeout, Duration idleTimeout,
      Duration shutdownGrace, String tlsCaFile, String heloName) {}

  /** The DNS server used for domain verification lookups. */
  public record Dns(String host, int port) {}

  public enum RelayTls { NONE, STARTTLS, IMPLICIT }

  public record Relay(String name, String host, int port, RelayTls tls, String username,
      String password, int weight, int maxConnections) {
    @Override
    public String toString() {
      return "Relay[" + name + " " + host + ":" + port + " tls=" + tls + "]";
    }
  }
}
