package dev.postern.wiring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClosersTest {

  private final List<String> closed = new ArrayList<>();
  private final Closers closers = new Closers();

  private Future<?> close(String name) {
    closed.add(name);
    return Future.succeededFuture();
  }

  @Test
  void closesInReverseOrderOfOpening() {
    closers.push("database", () -> close("database"));
    closers.push("blob store", () -> close("blob store"));
    closers.push("http", () -> close("http"));

    assertThat(closers.closeAll().succeeded()).isTrue();
    assertThat(closed).containsExactly("http", "blob store", "database");
  }

  @Test
  void aFailingCloserDoesNotStopTheOthers() {
    closers.push("database", () -> close("database"));
    closers.push("signals", () -> Future.failedFuture(new IllegalStateException("gone")));
    closers.push("audit", () -> {
      throw new IllegalStateException("thrown");
    });
    closers.push("http", () -> close("http"));

    assertThat(closers.closeAll().succeeded()).isTrue();
    assertThat(closed).containsExactly("http", "database");
  }

  @Test
  void closesOnceAndRefusesLatePushes() {
    closers.push("database", () -> close("database"));
    Future<Void> first = closers.closeAll();
    Future<Void> second = closers.closeAll();

    assertThat(second).isSameAs(first);
    assertThat(closed).containsExactly("database");
    assertThatThrownBy(() -> closers.push("late", () -> close("late")))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aFeatureIsStoppedOnlyOnceItHasStarted() {
    Feature failing = feature("smtp", Future.failedFuture(new IllegalStateException("port in use")));
    Feature http = feature("http", Future.succeededFuture());

    assertThat(closers.start("http", http).succeeded()).isTrue();
    assertThat(closers.start("smtp", failing).failed()).isTrue();
    closers.closeAll();
    assertThat(closed).containsExactly("http");
  }

  private Feature feature(String name, Future<Void> started) {
    return new Feature() {
      @Override
      public Future<Void> start() {
        return started;
      }

      @Override
      public Future<Void> stop() {
        closed.add(name);
        return Future.succeededFuture();
      }
    };
  }
}
