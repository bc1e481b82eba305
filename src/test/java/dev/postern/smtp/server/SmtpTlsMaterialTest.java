package dev.postern.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postern.config.ConfigLoader;
import dev.postern.config.PosternConfig;
import io.netty.handler.ssl.SslContext;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded default's self-signed certificate, and the rule that its blocking work (file
 * reads, key generation, building the STARTTLS context) never runs on an event loop: on a
 * loaded machine building the context once held the loop for seconds at every start.
 */
class SmtpTlsMaterialTest {

  @TempDir Path dataDir;
  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private PosternConfig config() {
    return ConfigLoader.load(null, Map.of("POSTERN_DATA_DIR", dataDir.toString()));
  }

  @Test
  void offTheLoopTheSelfSignedPairIsGeneratedOnceAndTheStartTlsContextBuilt() throws Exception {
    SmtpTlsMaterial first = SmtpTlsMaterial.load(config());
    String cert = Files.readString(first.certFile());
    SslContext context = first.startTlsContext();
    assertThat(context.isServer()).isTrue();
    assertThat(cert).startsWith("-----BEGIN CERTIFICATE-----");
    assertThat(Files.readString(SmtpTlsMaterial.load(config()).certFile()))
        .as("reused at the next start").isEqualTo(cert);
  }

  @Test
  void onAnEventLoopBuildingTheStartTlsContextIsRefused() {
    SmtpTlsMaterial material = SmtpTlsMaterial.load(config());
    assertThatThrownBy(() -> onEventLoop(material::startTlsContext))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("event loop");
  }

  @Test
  void onAnEventLoopLoadingTheCertificateIsRefused() {
    assertThatThrownBy(() -> onEventLoop(() -> SmtpTlsMaterial.load(config())))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("event loop");
  }

  /** Runs {@code work} on an event loop; its exception is rethrown here as it was. */
  private <T> T onEventLoop(Supplier<T> work) {
    Promise<T> result = Promise.promise();
    vertx.runOnContext(v -> {
      try {
        result.complete(work.get());
      } catch (RuntimeException e) {
        result.fail(e);
      }
    });
    return result.future().await();
  }
}
