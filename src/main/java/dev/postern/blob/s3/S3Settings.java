package dev.postern.blob.s3;

import java.time.Duration;
import java.util.Objects;

/**
 * Where and how to reach an S3-compatible store (MinIO, Cloudflare R2, AWS S3).
 *
 * @param endpoint base URL, e.g. {@code https://s3.eu-west-1.amazonaws.com} or
 *     {@code http://127.0.0.1:9000}
 * @param requestTimeout bound on connecting and on each wait for the network (and on a
 *     streaming source going quiet); a non-streaming call as a whole fails after twice this,
 *     so an unreachable store fails fast instead of hanging
 * @param partSize multipart part size for streamed puts; S3 allows 5 MiB to 5 GiB. Each upload
 *     in flight holds about one part in memory.
 */
public record S3Settings(String endpoint, String region, String bucket, String accessKey,
    String secretKey, Duration requestTimeout, long partSize) {

  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
  public static final long DEFAULT_PART_SIZE = 8L * 1024 * 1024;
  private static final long MIN_PART_SIZE = 5L * 1024 * 1024;

  public S3Settings {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(accessKey, "accessKey");
    Objects.requireNonNull(secretKey, "secretKey");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("requestTimeout must be positive");
    }
    if (partSize < MIN_PART_SIZE) {
      throw new IllegalArgumentException("partSize must be at least 5 MiB");
    }
  }

  /** Settings with the default timeout and part size. */
  public static S3Settings of(String endpoint, String region, String bucket, String accessKey,
      String secretKey) {
    return new S3Settings(endpoint, region, bucket, accessKey, secretKey,
        DEFAULT_REQUEST_TIMEOUT, DEFAULT_PART_SIZE);
  }

  public S3Settings withRequestTimeout(Duration timeout) {
    return new S3Settings(endpoint, region, bucket, accessKey, secretKey, timeout, partSize);
  }

  /** Never prints the secret key. */
  @Override
  public String toString() {
    return "S3Settings[endpoint=" + endpoint + ", region=" + region + ", bucket=" + bucket
        + ", requestTimeout=" + requestTimeout + ", partSize=" + partSize + "]";
  }
}
