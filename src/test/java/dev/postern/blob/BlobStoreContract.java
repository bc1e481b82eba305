package dev.postern.blob;

import static dev.postern.blob.Await.failure;
import static dev.postern.blob.Await.onContext;
import static dev.postern.blob.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The {@link BlobStore} contract, run against every adapter (James's MailQueueContract style):
 * an adapter's test implements this interface and supplies a ready store. Tests use fresh keys
 * under their own prefix, so they may share one store.
 */
public interface BlobStoreContract {

  long FORTY_MB = 40L * 1024 * 1024;

  Vertx vertx();

  BlobStore store();

  /** A key no other test uses. */
  default String freshKey(String name) {
    return "t/" + UUID.randomUUID() + "/" + name;
  }

  @Test
  default void roundTripsASmallObject() {
    String key = freshKey("out/2026/11/22/message.eml");
    Buffer mime = Buffer.buffer("Subject: hello\r\n\r\nbody\r\n");

    result(store().put(key, mime));

    assertThat(result(store().get(key))).isEqualTo(mime);
  }

  @Test
  default void keepsEveryByteValue() {
    String key = freshKey("binary.bin");
    Buffer all = Buffer.buffer();
    for (int round = 0; round < 4; round++) {
      for (int b = 0; b < 256; b++) {
        all.appendByte((byte) b);
      }
    }

    result(store().put(key, all));

    assertThat(result(store().get(key)).getBytes()).isEqualTo(all.getBytes());
  }

  /** A slice shares its parent's memory: exactly its own bytes are stored (no view overreach). */
  @Test
  default void storesExactlyASliceOfALargerBuffer() {
    String key = freshKey("slice.eml");
    Buffer whole = Buffer.buffer("head-".repeat(100) + "the slice itself" + "-tail".repeat(100));
    Buffer slice = whole.slice(500, 516);

    result(store().put(key, slice));

    assertThat(result(store().get(key)).toString()).isEqualTo("the slice itself");
  }

  @Test
  default void overwriteReplacesTheObject() {
    String key = freshKey("msg.eml");
    result(store().put(key, Buffer.buffer("first version, the longer one")));

    result(store().put(key, Buffer.buffer("second")));

    assertThat(result(store().get(key)).toString()).isEqualTo("second");
  }

  @Test
  default void getOfAMissingKeyFailsWithNotFound() {
    String key = freshKey("missing.eml");

    assertThat(failure(store().get(key))).isInstanceOf(BlobNotFoundException.class);
  }

  @Test
  default void openOfAMissingKeyFailsWithNotFound() {
    String key = freshKey("missing.eml");

    assertThat(failure(store().open(key))).isInstanceOf(BlobNotFoundException.class);
  }

  @Test
  default void deleteRemovesTheObjectAndSaysWhetherItExisted() {
    String key = freshKey("gone.eml");
    result(store().put(key, Buffer.buffer("x")));

    assertThat(result(store().delete(key))).isTrue();
    assertThat(result(store().delete(key))).isFalse();
    assertThat(failure(store().get(key))).isInstanceOf(BlobNotFoundException.class);
  }

  @Test
  default void existsFollowsPutAndDelete() {
    String key = freshKey("here.eml");
    assertThat(result(store().exists(key))).isFalse();

    result(store().put(key, Buffer.buffer("x")));
    assertThat(result(store().exists(key))).isTrue();

    result(store().delete(key));
    assertThat(result(store().exists(key))).isFalse();
  }

  @Test
  default void listsKeysUnderAPrefixInKeyOrder() {
    String base = freshKey("p");
    List<String> keys = List.of(base + "/a/2", base + "/a/1", base + "/b/1", base + "/a-x");
    Instant before = Instant.now().minus(1, ChronoUnit.MINUTES);
    for (String key : keys) {
      result(store().put(key, Buffer.buffer(key)));
    }
    result(store().put(freshKey("elsewhere"), Buffer.buffer("not listed")));

    List<BlobInfo> all = result(store().list(base + "/", 100));
    List<BlobInfo> underA = result(store().list(base + "/a/", 100));
    List<BlobInfo> startingWithA = result(store().list(base + "/a", 100));
    List<BlobInfo> firstTwo = result(store().list(base + "/", 2));

    assertThat(all).extracting(BlobInfo::key)
        .containsExactly(base + "/a-x", base + "/a/1", base + "/a/2", base + "/b/1");
    assertThat(underA).extracting(BlobInfo::key).containsExactly(base + "/a/1", base + "/a/2");
    assertThat(startingWithA).extracting(BlobInfo::key)
        .containsExactly(base + "/a-x", base + "/a/1", base + "/a/2");
    assertThat(firstTwo).extracting(BlobInfo::key).containsExactly(base + "/a-x", base + "/a/1");
    assertThat(all).allSatisfy(info -> {
      assertThat(info.size()).isEqualTo(info.key().length());
      assertThat(info.lastModified()).isAfter(before);
    });
    assertThat(result(store().list(freshKey("none") + "/", 10))).isEmpty();
  }

  @Test
  default void streamsFortyMegabytesInAndOutUnchanged() {
    String key = freshKey("large.eml");
    GeneratedStream[] source = new GeneratedStream[1];

    long written = result(onContext(vertx(), () -> {
      source[0] = GeneratedStream.of(vertx(), FORTY_MB);
      return store().put(key, source[0]);
    }));
    StreamDigest read = result(onContext(vertx(),
        () -> store().open(key).compose(StreamDigest::of)));

    assertThat(written).isEqualTo(FORTY_MB);
    assertThat(read.length()).isEqualTo(FORTY_MB);
    assertThat(read.sha256()).isEqualTo(source[0].sha256());
    assertThat(result(store().list(key, 1))).extracting(BlobInfo::size).containsExactly(FORTY_MB);
  }

  @Test
  default void storesEmptyObjects() {
    String whole = freshKey("empty-whole");
    String streamed = freshKey("empty-streamed");

    result(store().put(whole, Buffer.buffer()));
    long written = result(onContext(vertx(),
        () -> store().put(streamed, GeneratedStream.of(vertx(), 0))));

    assertThat(written).isZero();
    assertThat(result(store().get(whole)).length()).isZero();
    assertThat(result(store().get(streamed)).length()).isZero();
    assertThat(result(onContext(vertx(), () -> store().open(streamed)
        .compose(StreamDigest::of))).length()).isZero();
  }

  @Test
  default void aSourceThatBreaksOffLeavesNoObject() {
    String key = freshKey("broken.eml");

    Throwable err = failure(onContext(vertx(),
        () -> store().put(key, GeneratedStream.failingAfter(vertx(), 12L * 1024 * 1024))));

    assertThat(err).isNotInstanceOf(BlobStoreException.class).hasMessageContaining("broke off");
    assertThat(result(store().exists(key))).isFalse();
    assertThat(failure(store().get(key))).isInstanceOf(BlobNotFoundException.class);
    assertThat(result(store().list(key, 10))).isEmpty();
  }

  @Test
  default void aSourceThatBreaksOffLeavesThePreviousObjectIntact() {
    String key = freshKey("kept.eml");
    result(store().put(key, Buffer.buffer("accepted earlier")));

    failure(onContext(vertx(),
        () -> store().put(key, GeneratedStream.failingAfter(vertx(), 300 * 1024))));

    assertThat(result(store().get(key)).toString()).isEqualTo("accepted earlier");
  }

  @Test
  default void rejectsInvalidKeys() {
    List<String> invalid = List.of("", "/etc/passwd", "a/../b", "..", "a/./b", "a\\b",
        "a\nb", "a\u0000b", "a//b", "trailing/", "x/.tmp-123", "x".repeat(1025));
    for (String key : invalid) {
      assertThat(failure(store().put(key, Buffer.buffer("x")))).as(key)
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(failure(onContext(vertx(),
          () -> store().put(key, GeneratedStream.of(vertx(), 10))))).as(key)
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(failure(store().get(key))).as(key).isInstanceOf(IllegalArgumentException.class);
      assertThat(failure(store().open(key))).as(key).isInstanceOf(IllegalArgumentException.class);
      assertThat(failure(store().exists(key))).as(key)
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(failure(store().delete(key))).as(key)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(failure(store().list("../", 10))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  default void fiftyConcurrentPutsAllLand() {
    String base = freshKey("many");
    List<String> keys = IntStream.range(0, 50).mapToObj(i -> base + "/" + i + ".eml").toList();

    result(Future.all(keys.stream()
        .map(key -> store().put(key, Buffer.buffer(key.repeat(200))))
        .toList()));

    for (String key : keys) {
      assertThat(result(store().get(key)).toString()).isEqualTo(key.repeat(200));
    }
    assertThat(result(store().list(base + "/", 100))).hasSize(50);
  }

  @Test
  default void pingAnswersWhenTheStoreIsUsable() {
    result(store().ping());
  }
}
