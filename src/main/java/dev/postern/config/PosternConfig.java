package dev.postern.config;

import dev.postern.ratelimit.FailureMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The whole configuration, typed and validated, built once at start-up by {@link ConfigLoader}.
 * Nothing below the composition root reads files or the environment.
 *
 * @param cpuThreads threads of the pool for CPU-bound work (key decryption, DKIM, large MIME);
 *     0 means one per core, at least two
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
    Webhooks webhooks,
    Inbound inbound,
    Dns dns,
    Audit audit,
    Housekeeping housekeeping,
    int cpuThreads,
    Inbox inbox,
    HttpTls httpTls,
    AdminListener admin) {

  public enum Deployment { EMBEDDED, PRODUCTION }

  /**
   * HTTPS on the API listener (issue #15 item 5).
   *
   * @param enabled serve HTTPS (TLS 1.2 and 1.3) instead of plain HTTP
   * @param certFile PEM certificate chain; null with {@code keyFile} null and {@code enabled}
   *     serves a self-signed pair generated into {@code <data>/tls/http-*.pem}
   */
  public record HttpTls(boolean enabled, String certFile, String keyFile) {}

  /**
   * A separate plain-HTTP listener, bound to a loopback address, for {@code /admin/v1},
   * {@code /metrics} and {@code /readyz} with its per-check detail; with it on, the API listener
   * answers {@code /readyz} with {@code {ready}} only and serves neither of the others.
   *
   * @param port 0 = off: everything is served on the API listener
   */
  public record AdminListener(String host, int port) {
    public boolean separate() {
      return port != 0;
    }
  }

  /**
   * @param instances HTTP verticle instances; 0 means one per core
   * @param readinessTimeout how long {@code /readyz} waits for each dependency's answer
   * @param maxConnections open HTTP connections of the process, beyond which new ones are closed
   * @param maxConnectionsPerAddress the same, per client address
   * @param maxBodyBytesInFlight bytes of request bodies held at once (declared lengths; a chunked
   *     body counts {@code maxBodyBytes}), beyond which an authenticated request gets 503 before
   *     its body is read
   * @param maxBodyBytesInFlightPerAddress the same, per client address
   * @param requestTimeout the longest a request may take from its first byte to its response
   *     (408 and close when the response has not started)
   * @param maxAuthFailuresPerMinute failed API-key or admin-token attempts per client address per
   *     minute, beyond which that address gets 429 without a lookup until the minute is over
   */
  public record Http(String host, int port, int instances, long maxBodyBytes,
      Duration idleTimeout, Duration shutdownGrace, Duration readinessTimeout, int maxConnections, int maxConnectionsPerAddress,
      long maxBodyBytesInFlight, long maxBodyBytesInFlightPerAddress, Duration requestTimeout,
      int maxAuthFailuresPerMinute) {}

  /**
   * The SMTP listeners (SPEC §5). Ports of 0 are listeners that are off.
   *
   * @param host address the submission listeners (STARTTLS and implicit TLS) bind to
   * @param serverName the name in the greeting and EHLO reply, and the self-signed certificate's
   * @param tlsCertFile PEM certificate chain; null with {@code tlsKeyFile} null generates a
   *     self-signed pair into the data directory (embedded only)
   * @param instances server verticle instances; 0 means one per core
   * @param idleTimeout a client that sends no complete line for this long gets 421 4.4.2
   *     (RFC 5321 §4.5.3.2.7: at least 5 minutes)
   * @param sessionTimeout the longest a connection may last, whatever it does
   * @param shutdownGrace how long a DATA in flight may take to finish at shutdown
   * @param maxAuthFailures failed AUTH attempts after which the connection is dropped
   * @param lan the plaintext LAN shim's own rules
   */
  public record Smtp(String host, int submissionPort, int smtpsPort, int lanPort, String lanHost,
      int mxPort, long maxMessageBytes, int maxRecipients, String serverName, String tlsCertFile,
      String tlsKeyFile, int instances, int maxConnections, int maxConnectionsPerAddress,
      Duration idleTimeout, Duration sessionTimeout, Duration shutdownGrace, int maxAuthFailures,
      Lan lan) {}

  /**
   * @param bareNewlines {@code reject} (default: 521 and close) or {@code normalize} (a bare LF
   *     read as CRLF, Postfix's {@code smtpd_forbid_bare_newline = normalize}) for old devices
   * @param networks source networks whose mail is charged to a key without AUTH
   * @param rewriteFrom replace the From of mapped devices' mail with the key's mailbox
   */
  public record Lan(BareNewlines bareNewlines, List<LanNetwork> networks, boolean rewriteFrom) {}

  /** A source network (CIDR, IPv4 or IPv6) mapped to the id of the key its mail is charged to. */
  public record LanNetwork(String cidr, String keyId) {}

  public enum BareNewlines { REJECT, NORMALIZE }

  /**
   * @param url null selects the embedded PostgreSQL in the data directory
   * @param groupCommit how concurrent accepts share one commit (issue #11)
   */
  public record Postgres(String url, int poolSize, Duration connectTimeout, GroupCommit groupCommit) {
    public boolean embedded() {
      return url == null;
    }

    /** The URL's password is redacted (issue #15.7). */
    @Override
    public String toString() {
      return "Postgres[url=" + Redacted.url(url) + ", poolSize=" + poolSize + ", connectTimeout="
          + connectTimeout + ", groupCommit=" + groupCommit + "]";
    }
  }

  /**
   * Group commit of accepted mail: a batch holds at most {@code maxMessages} messages and about
   * {@code maxBytes} of row data; while a batch is in flight, new accepts collect for the next
   * one, and an accept arriving at an idle moment after a shared batch waits at most
   * {@code maxWait} for siblings (a lone request is never delayed); at most {@code maxInFlight}
   * batches commit at once.
   */
  public record GroupCommit(int maxMessages, long maxBytes, Duration maxWait, int maxInFlight) {}

  /**
   * @param url null selects the in-process rate limiter
   * @param keyPrefix prefix of every counter key, so several deployments can share one Redis
   */
  public record Redis(String url, Duration timeout, FailureMode failureMode, String keyPrefix) {
    /** The URL's password is redacted (issue #15.7). */
    @Override
    public String toString() {
      return "Redis[url=" + Redacted.url(url) + ", timeout=" + timeout + ", failureMode="
          + failureMode + ", keyPrefix=" + keyPrefix + "]";
    }
  }

  /**
   * @param s3Endpoint null selects the filesystem blob store under the data directory
   * @param orphanMinAge a blob no message references is deleted once it is this old
   * @param orphanSweepInterval how often this node looks for such blobs
   */
  public record Blobs(String s3Endpoint, String s3Bucket, String s3Region, String s3AccessKey,
      String s3SecretKey, Duration timeout, Duration orphanMinAge, Duration orphanSweepInterval) {
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

  /** @param lastUsedFlush how often the keys' {@code last_used_at} times are written */
  public record Keys(String prefix, int defaultRateLimitPerHour, int inboxReadsPerHour,
      int cacheSize, Duration cacheTtl, Duration lastUsedFlush) {}

  /**
   * @param workers delivery verticle instances per node
   * @param pollInterval backstop poll when no wake-up arrives
   * @param lease how long a claim is held before another node may take it (renewed while busy)
   * @param retryBase first back-off after a transient failure, doubled per attempt up to retryMax
   * @param tlsCaFile PEM bundle to verify relay certificates with instead of the JDK's, or null
   * @param heloName the name this node gives in EHLO
   * @param wakeupCoalesce queue NOTIFYs for new mail are sent at most once per this interval
   * @param dkimCacheSize signing keys (one per domain) kept decrypted in memory
   * @param dkimCacheTtl how long a decrypted signing key is used before it is read again
   */
  public record Delivery(List<Relay> relays, Duration retryHorizon, int workers,
      Duration pollInterval, Duration lease, Duration retryBase, Duration retryMax,
      Duration connectTimeout, Duration replyTimeout, Duration dataTimeout, Duration idleTimeout,
      Duration shutdownGrace, String tlsCaFile, String heloName, Duration wakeupCoalesce,
      int dkimCacheSize, Duration dkimCacheTtl) {}

  /**
   * Outgoing webhook delivery (SPEC §6).
   *
   * @param firstRetry delay after the first failed attempt; each later one is
   *     {@code retryMultiplier} times longer, capped at {@code maxRetry}
   * @param maxAttempts attempts after which a delivery is marked failed
   * @param horizon age after which a delivery is marked failed after its next failed attempt
   * @param concurrency in-flight requests per node
   * @param secretCacheSize webhook signing secrets kept decrypted in memory
   * @param subscriptionsTtl how long the set of subscribed event types is used before it is read
   *     again (a new webhook may miss events for up to this long)
   * @param allowPrivateTargets webhooks may reach loopback, private, link-local and metadata
   *     addresses (in-cluster receivers); false refuses them at connect time (issue #15 item 8)
   */
  public record Webhooks(Duration requestTimeout, Duration firstRetry, Duration maxRetry,
      int maxAttempts, Duration horizon, Duration pollInterval, int concurrency, int batchSize,
      int retryMultiplier, int secretCacheSize, Duration subscriptionsTtl,
      boolean allowPrivateTargets) {}

  /**
   * The batched audit writer ({@code audit.AuditLog}).
   *
   * @param batchSize rows per INSERT
   * @param flushInterval how often queued rows are written
   * @param maxQueued rows held in memory before new ones are dropped (and counted)
   * @param maxAttempts INSERT attempts per batch (one per flush interval) before it is dropped
   *     (and counted): 25 × 500 ms rides out a short database outage
   */
  public record Audit(int batchSize, Duration flushInterval, int maxQueued, int maxAttempts) {}

  /**
   * Periodic clean-up.
   *
   * @param idempotencySweepInterval how often expired idempotency records are deleted
   * @param idempotencySweepBatch rows per DELETE statement
   */
  public record Housekeeping(Duration idempotencySweepInterval, int idempotencySweepBatch) {}

  /**
   * Receiving (issue #13): the filing pipeline that turns accepted deliveries into stored
   * messages, and the announcement of mailbox changes.
   *
   * @param filingConcurrency deliveries filed at once per node
   * @param filingBatchSize deliveries claimed per query
   * @param filingGroupMessages deliveries of one mailbox filed in one transaction at most
   * @param filingGroupBytes raw octets of one such group at most (a larger message goes alone)
   * @param filingLease a claim's lease, renewed while filing; a dead node's claims return after it
   * @param filingMaxAttempts a delivery that failed this many times is marked {@code failed}
   * @param filingRetryBase back-off after the first failed attempt, doubled per attempt up to
   *     {@code filingRetryMax}, ±20 % jitter
   * @param changesCoalesce mailbox-change NOTIFYs are sent at most once per this interval
   * @param mailboxQuotaBytes the storage a mailbox may use when its own
   *     {@code storage_quota_bytes} is not set; 0 means no limit. A full mailbox's recipients are
   *     refused 452 4.2.2 at RCPT (SPEC §5 "Inbound MX").
   */
  public record Inbound(int filingConcurrency, int filingBatchSize, int filingGroupMessages,
      long filingGroupBytes, Duration filingLease,
      Duration filingPollInterval, int filingMaxAttempts, Duration filingRetryBase,
      Duration filingRetryMax, Duration shutdownGrace, Duration changesCoalesce,
      long mailboxQuotaBytes) {}

  /**
   * The inbox API's live stream (issue #14, {@code GET /v1/inbox/stream}).
   *
   * @param streamHeartbeat how often an idle stream gets {@code event: heartbeat}
   * @param streamsPerKey open streams one key may hold on this node; one more is 429
   * @param streamsPerNode open streams this node serves; one more is 503
   * @param streamBufferBytes what may wait unsent for a slow client before its stream is cut
   * @param listCacheBytes encoded list pages kept per node, served while their mailbox's change
   *     sequence is unchanged (0: none)
   */
  public record Inbox(Duration streamHeartbeat, int streamsPerKey, int streamsPerNode,
      int streamBufferBytes, long listCacheBytes) {}

  /** The DNS server used for domain verification lookups, and the bound on each query. */
  public record Dns(String host, int port, Duration timeout) {}

  public enum RelayTls { NONE, STARTTLS, IMPLICIT }

  public record Relay(String name, String host, int port, RelayTls tls, String username,
      String password, int weight, int maxConnections) {
    @Override
    public String toString() {
      return "Relay[" + name + " " + host + ":" + port + " tls=" + tls + "]";
    }
  }
}
