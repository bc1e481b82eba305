package dev.postern.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.Eventually;
import dev.postern.support.GatewayProcess;
import dev.postern.support.PgFixture;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin subcommands of the packaged jar against a running gateway, as an operator uses them. */
class AdminCliIT {

  @TempDir static Path work;
  static GatewayProcess gateway;
  static Map<String, String> env;

  record Run(int exit, String out, String err) {
    JsonObject json() {
      return new JsonObject(out);
    }
  }

  @BeforeAll
  static void start() throws Exception {
    env = new HashMap<>();
    env.put("POSTERN_DATA_DIR", work.resolve("data").toString());
    env.put("POSTERN_HTTP_HOST", "127.0.0.1");
    env.put("POSTERN_HTTP_PORT", Integer.toString(dev.postern.support.FreePort.next()));
    env.put("POSTERN_PG_URL", PgFixture.freshDatabaseUrl());
    env.put("POSTERN_HTTP_INSTANCES", "1");
    gateway = GatewayProcess.start(work.resolve("logs"), env);
    gateway.awaitReady(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (gateway != null) {
      gateway.close();
    }
  }

  /** Runs {@code java -jar postern.jar args…} with the gateway's environment (no token given). */
  static Run cli(Map<String, String> extraEnv, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
        "-jar", GatewayProcess.jar().toAbsolutePath().toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().remove("POSTERN_ADMIN_TOKEN");
    builder.environment().putAll(env);
    builder.environment().putAll(extraEnv);
    Process process = builder.start();
    byte[] out;
    byte[] err;
    try (InputStream o = process.getInputStream(); InputStream e = process.getErrorStream()) {
      out = o.readAllBytes();
      err = e.readAllBytes();
    }
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(process.exitValue(), new String(out, StandardCharsets.UTF_8),
        new String(err, StandardCharsets.UTF_8));
  }

  static Run cli(String... args) throws IOException, InterruptedException {
    return cli(Map.of(), args);
  }

  @Test
  void domainsMailboxesWebhooksAndActivityFromTheCommandLine() throws Exception {
    Run domain = cli("domains", "create", "cli.example");
    assertThat(domain.exit()).as(domain.err()).isZero();
    assertThat(domain.out()).contains("\n  \"name\" : \"cli.example\""); // pretty-printed
    String domainId = domain.json().getString("id");
    assertThat(cli("domains", "list").json().getJsonArray("data")).hasSize(1);
    Run verify = cli("domains", "verify", domainId);
    assertThat(verify.exit()).isZero();
    assertThat(verify.json().getBoolean("verified")).isFalse();

    Path key = work.resolve("bot.asc");
    try (InputStream in = getClass().getResourceAsStream("/pgp/bot.pub.asc")) {
      Files.write(key, in.readAllBytes());
    }
    Run mailbox = cli("mailboxes", "create", "bot@cli.example", "--tier", "standard", "--pgp-key-file", key.toString());
    assertThat(mailbox.exit()).as(mailbox.err()).isZero();
    assertThat(mailbox.json().getString("encryption_tier")).isEqualTo("standard");
    assertThat(cli("mailboxes", "list").json().getJsonArray("data")).hasSize(1);
    Run deleted = cli("mailboxes", "delete", mailbox.json().getString("id"));
    assertThat(deleted.json().getBoolean("deleted")).isTrue();

    Run hook = cli("webhooks", "create", "--url", "https://hooks.example/p", "--event", "email.sent", "email.bounced");
    assertThat(hook.exit()).as(hook.err()).isZero();
    assertThat(hook.json().getString("secret")).startsWith("whsec_");
    assertThat(cli("webhooks", "list").out()).doesNotContain(hook.json().getString("secret"));
    assertThat(cli("webhooks", "delete", hook.json().getString("id")).exit()).isZero();

    // webhooks.delete was the last write: once it is in the feed, the earlier ones are too.
    Run[] polled = new Run[1];
    Eventually.untilAsserted(Duration.ofSeconds(60), () -> { // each run starts a JVM
      polled[0] = cli("activity", "--limit", "100");
      assertThat(polled[0].out()).contains("webhooks.delete");
    });
    Run activity = polled[0];
    assertThat(activity.exit()).isZero();
    assertThat(activity.out()).contains("domains.create", "mailboxes.delete", "webhooks.create", "\"cli:");
    assertThat(cli("activity", "--limit", "2").json().getString("next_cursor")).isNotNull();
  }

  @Test
  void apiErrorsExitOneWithOneLineAndUsageErrorsExitTwo() throws Exception {
    Run bad = cli("domains", "create", "not a domain");
    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.err().lines()).hasSize(1).first().asString().startsWith("postern: validation_error: name:");
    Run missing = cli("mailboxes", "delete", "00000000-0000-0000-0000-000000000000");
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err()).startsWith("postern: not_found:");

    assertThat(cli("domains").exit()).isEqualTo(2);
    assertThat(cli("domains", "create").exit()).isEqualTo(2);
    assertThat(cli("webhooks", "create", "--event", "email.sent").exit()).isEqualTo(2);
    assertThat(cli("mailboxes", "create", "a@b.example", "--pgp-key-file", "/nonexistent").exit()).isEqualTo(2);

    Run wrongToken = cli("domains", "list", "--token", "wrong-token-0123456789");
    assertThat(wrongToken.exit()).isEqualTo(1);
    assertThat(wrongToken.err()).startsWith("postern: unauthorized:");
    Run envToken = cli(Map.of("POSTERN_ADMIN_TOKEN", "pst_live_" + "ab".repeat(24)), "domains", "list");
    assertThat(envToken.exit()).isEqualTo(1);

    Run unreachable = cli("domains", "list", "--url", "http://127.0.0.1:1");
    assertThat(unreachable.exit()).isEqualTo(1);
    assertThat(unreachable.err()).startsWith("postern: cannot reach the gateway at http://127.0.0.1:1");
    String token = Files.readString(work.resolve("data/secrets/admin-token")).trim();
    assertThat(bad.err() + missing.err() + wrongToken.err() + unreachable.err()).doesNotContain(token);
  }
}
