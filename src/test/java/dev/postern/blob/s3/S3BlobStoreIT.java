package dev.postern.blob.s3;

import static dev.postern.blob.Await.failure;
import static dev.postern.blob.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.blob.BlobStore;
import dev.postern.blob.BlobStoreContract;
import dev.postern.blob.BlobStoreException;
import dev.postern.support.S3Fixture;
import io.minio.MinioAsyncClient;
import io.minio.RemoveBucketArgs;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class S3BlobStoreIT implements BlobStoreContract {

  private static final Duration SHORT_TIMEOUT = Duration.ofSeconds(1);

  private static Vertx vertx;
  private static S3Settings settings;
  private static S3BlobStore store;

  @BeforeAll
  static void startStore() {
    vertx = Vertx.vertx();
    S3Fixture.Endpoint s3 = S3Fixture.endpoint();
    settings = S3Settings.of(s3.url(), "us-east-1", S3Fixture.randomBucket(), s3.accessKey(),
        s3.secretKey());
    store = result(S3BlobStore.start(vertx, settings));
  }

  @AfterAll
  static void stopStore() {
    result(store.close());
    result(vertx.close());
  }

  @Override
  public Vertx vertx() {
    return vertx;
  }

  @Override
  public BlobStore store() {
    return store;
  }

  @Test
  void startingTwiceOnTheSameBucketIsFine() {
    S3BlobStore second = result(S3BlobStore.start(vertx, settings));
    result(second.put("t/shared.eml", Buffer.buffer("one bucket")));

    assertThat(result(store.get("t/shared.eml")).toString()).isEqualTo("one bucket");
    result(second.close());
  }

  @Test
  void anEndpointNobodyListensOnFailsAsUnavailable() throws IOException {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    long started = System.nanoTime();

    Throwable err = failure(S3BlobStore.start(vertx, unreachable("http://127.0.0.1:" + port)));

    assertThat(err).isInstanceOf(BlobStoreException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void anEndpointThatNeverAnswersFailsWithinTheTimeout() throws IOException {
    try (ServerSocket silent = new ServerSocket(0)) {
      List<Socket> accepted = new ArrayList<>();
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            accepted.add(silent.accept()); // accept, then say nothing
          }
        } catch (IOException closed) {
          // test over
        }
      }, "silent-s3");
      acceptor.start();
      long started = System.nanoTime();

      Throwable err = failure(S3BlobStore.start(vertx,
          unreachable("http://127.0.0.1:" + silent.getLocalPort())));

      assertThat(err).isInstanceOf(BlobStoreException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - started))
          .isLessThan(SHORT_TIMEOUT.multipliedBy(2).plusSeconds(2));
      for (Socket socket : accepted) {
        socket.close();
      }
    }
  }

  @Test
  void pingFailsAsUnavailableOnceTheBucketIsGone() throws Exception {
    S3Settings doomed = new S3Settings(settings.endpoint(), settings.region(),
        S3Fixture.randomBucket(), settings.accessKey(), settings.secretKey(), SHORT_TIMEOUT,
        settings.partSize());
    S3BlobStore doomedStore = result(S3BlobStore.start(vertx, doomed));
    result(doomedStore.ping());
    try (MinioAsyncClient admin = MinioAsyncClient.builder().endpoint(doomed.endpoint())
        .region(doomed.region()).credentials(doomed.accessKey(), doomed.secretKey()).build()) {
      admin.removeBucket(RemoveBucketArgs.builder().bucket(doomed.bucket()).build()).get();
    }

    assertThat(failure(doomedStore.ping())).isInstanceOf(BlobStoreException.class);
    assertThat(failure(doomedStore.put("t/x", Buffer.buffer("x"))))
        .isInstanceOf(BlobStoreException.class);
    result(doomedStore.close());
  }

  private S3Settings unreachable(String endpoint) {
    return new S3Settings(endpoint, "us-east-1", "postern-nowhere", "key", "secret",
        SHORT_TIMEOUT, S3Settings.DEFAULT_PART_SIZE);
  }
}
