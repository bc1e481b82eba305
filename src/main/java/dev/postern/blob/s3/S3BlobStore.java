package dev.postern.blob.s3;

import dev.postern.blob.BlobInfo;
import dev.postern.blob.BlobKey;
import dev.postern.blob.BlobNotFoundException;
import dev.postern.blob.BlobStore;
import dev.postern.blob.BlobStoreException;
import dev.postern.blob.stream.InputStreamReadStream;
import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioAsyncClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.messages.Item;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;

/**
 * {@link BlobStore} on S3-compatible object storage through minio-java's async client. A PUT
 * (single or multipart) only becomes visible when S3 acknowledges it whole, which gives the
 * contract's atomicity. minio's futures complete on OkHttp threads and its stream reading and
 * listing block, so calls that may block run on the {@value #EXECUTOR_NAME} worker pool and every
 * result is brought back onto the caller's context.
 */
public final class S3BlobStore implements BlobStore {

  public static final String EXECUTOR_NAME = "postern-blob-s3";
  private static final int WORKERS = 8;
  private static final int LIST_PAGE = 1000;

  private final Vertx vertx;
  private final S3Settings settings;
  private final MinioAsyncClient client;
  private final WorkerExecutor executor;

  private S3BlobStore(Vertx vertx, S3Settings settings) {
    this.vertx = vertx;
    this.settings = settings;
    OkHttpClient http = new OkHttpClient.Builder()
        .connectTimeout(settings.requestTimeout())
        .readTimeout(settings.requestTimeout())
        .writeTimeout(settings.requestTimeout())
        .protocols(List.of(Protocol.HTTP_1_1))
        .build();
    this.client = MinioAsyncClient.builder()
        .endpoint(settings.endpoint())
        .region(settings.region())
        .credentials(settings.accessKey(), settings.secretKey())
        .httpClient(http, true)
        .build();
    this.executor = vertx.createSharedWorkerExecutor(EXECUTOR_NAME, WORKERS);
  }

  /** Connects, creating the bucket if it does not exist yet. */
  public static Future<S3BlobStore> start(Vertx vertx, S3Settings settings) {
    S3BlobStore store = new S3BlobStore(vertx, settings);
    return store.ensureBucket()
        .map(store)
        .recover(err -> store.close().transform(closed -> Future.failedFuture(err)));
  }

  private Future<Void> ensureBucket() {
    String bucket = settings.bucket();
    return call("bucket check", null,
            () -> client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build()))
        .compose(exists -> exists ? Future.succeededFuture() : call("bucket creation", null,
            () -> client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build())
                .exceptionallyCompose(err -> alreadyCreated(err)
                    ? CompletableFuture.completedFuture(null)
                    : CompletableFuture.failedFuture(err)))
            .mapEmpty());
  }

  /** Another node created it between our check and our create: just what we wanted. */
  private static boolean alreadyCreated(Throwable err) {
    return S3Failures.isCode(err, "BucketAlreadyOwnedByYou", "BucketAlreadyExists");
  }

  @Override
  public Future<Void> put(String key, Buffer content) {
    byte[] bytes = content.getBytes();
    return call("put", key, () -> client.putObject(PutObjectArgs.builder()
        .bucket(settings.bucket()).object(BlobKey.requireValid(key))
        .data(bytes, bytes.length).build())).mapEmpty();
  }

  /**
   * Streams through minio's part reader: objects under one part go up in a single PUT, larger
   * ones as a multipart upload that S3 assembles only on completion; an aborted upload leaves
   * parts S3 never shows as an object (a bucket lifecycle rule should expire them).
   */
  @Override
  public Future<Long> put(String key, ReadStream<Buffer> content) {
    try {
      BlobKey.requireValid(key);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    Context context = vertx.getOrCreateContext();
    ReadStreamInputStream input =
        new ReadStreamInputStream(content, context, settings.requestTimeout());
    PutObjectArgs args = PutObjectArgs.builder().bucket(settings.bucket()).object(key)
        .stream(input, null, settings.partSize()).build();
    return executor.executeBlocking(() -> client.putObject(args), false)
        .compose(stage -> Future.fromCompletionStage(stage, context))
        .transform(ar -> {
          input.close();
          Throwable sent = input.sourceFailure();
          if (ar.succeeded()) {
            return Future.succeededFuture(input.bytesRead());
          }
          return Future.failedFuture(sent != null ? sent : S3Failures.map("put", key, ar.cause()));
        });
  }

  @Override
  public Future<Buffer> get(String key) {
    return call("get", key, () -> getObject(key))
        .compose(response -> blocking("get", key, () -> {
          try (GetObjectResponse body = response) {
            return Buffer.buffer(body.readAllBytes());
          }
        }));
  }

  @Override
  public Future<ReadStream<Buffer>> open(String key) {
    return call("open", key, () -> getObject(key))
        .map(body -> new InputStreamReadStream(vertx, body, executor,
            err -> S3Failures.map("read", key, err)));
  }

  private CompletableFuture<GetObjectResponse> getObject(String key) {
    return client.getObject(GetObjectArgs.builder()
        .bucket(settings.bucket()).object(BlobKey.requireValid(key)).build());
  }

  /** S3 deletes are idempotent and do not say whether the object existed: we stat first. */
  @Override
  public Future<Boolean> delete(String key) {
    return exists(key).compose(existed -> !existed ? Future.succeededFuture(false)
        : call("delete", key, () -> client.removeObject(RemoveObjectArgs.builder()
            .bucket(settings.bucket()).object(key).build())).map(true));
  }

  @Override
  public Future<Boolean> exists(String key) {
    return call("stat", key, () -> client.statObject(StatObjectArgs.builder()
            .bucket(settings.bucket()).object(BlobKey.requireValid(key)).build()))
        .map(true)
        .recover(err -> err instanceof BlobNotFoundException
            ? Future.succeededFuture(false) : Future.failedFuture(err));
  }

  /** minio's listing is a blocking iterator that fetches pages as it goes: run on a worker. */
  @Override
  public Future<List<BlobInfo>> list(String prefix, int max) {
    return blocking("list", null, () -> {
      BlobKey.requireValidPrefix(prefix);
      if (max < 0) {
        throw new IllegalArgumentException("max must not be negative");
      }
      List<BlobInfo> found = new ArrayList<>();
      if (max == 0) {
        return found;
      }
      Iterable<Result<Item>> items = client.listObjects(ListObjectsArgs.builder()
          .bucket(settings.bucket()).prefix(prefix).recursive(true)
          .maxKeys(Math.min(max, LIST_PAGE)).build());
      for (Result<Item> result : items) {
        Item item = result.get();
        if (!item.isDir()) {
          found.add(new BlobInfo(item.objectName(), item.size(), item.lastModified().toInstant()));
        }
        if (found.size() >= max) {
          break;
        }
      }
      return found;
    });
  }

  /** A HEAD on the bucket: reachable, credentials accepted, bucket present. */
  @Override
  public Future<Void> ping() {
    return call("ping", null, () -> client.bucketExists(
            BucketExistsArgs.builder().bucket(settings.bucket()).build()))
        .compose(exists -> exists ? Future.succeededFuture()
            : Future.failedFuture(new BlobStoreException(
                "S3 bucket " + settings.bucket() + " does not exist")));
  }

  @Override
  public Future<Void> close() {
    return executor.<Void>executeBlocking(() -> {
      client.close();
      return null;
    }, false).eventually(executor::close);
  }

  /**
   * Starts one minio request (off the event loop: minio may hash or read the payload before
   * returning) and completes on the caller's context. Bounded by twice the request timeout
   * (connecting plus waiting for the answer) whatever minio's own retries do.
   */
  private <T> Future<T> call(String operation, String key, Callable<CompletableFuture<T>> request) {
    Context context = vertx.getOrCreateContext();
    long timeout = settings.requestTimeout().toMillis();
    return executor.executeBlocking(request, false)
        .compose(stage -> Future.fromCompletionStage(stage, context))
        .timeout(timeout * 2, TimeUnit.MILLISECONDS)
        .recover(err -> Future.failedFuture(S3Failures.map(operation, key, err)));
  }

  private <T> Future<T> blocking(String operation, String key, Callable<T> work) {
    return executor.executeBlocking(work, false)
        .recover(err -> Future.failedFuture(S3Failures.map(operation, key, err)));
  }
}
