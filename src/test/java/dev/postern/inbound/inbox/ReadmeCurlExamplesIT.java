package dev.postern.inbound.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.postern.support.ExternalProgram;
import dev.postern.support.InboxSeed;
import dev.postern.support.RawHttp;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #14 item 6: the inbox curl examples of README.md and docs/contract.md run as written
 * against a live gateway. Each {@code ```bash} block that calls {@code /v1/inbox/} is taken from
 * the file, its continuation lines joined, and every {@code curl} line run by bash with
 * {@code KEY} (a full_access key of bot@example.com) and {@code ID} (a message of its inbox) in
 * the environment; the one substitution is the gateway's port for 8080. The stream example is
 * run under {@code timeout 3}: it follows the stream until cut.
 */
class ReadmeCurlExamplesIT {

  private static TestGateway gateway;
  private static InboxSeed seed;
  private static UUID bot;
  private static String key;
  @TempDir static Path dir;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start();
    HttpResponse<String> created = gateway.admin("POST", "/admin/v1/mailboxes",
        new JsonObject().put("address", "bot@example.com").put("encryption_tier", "plaintext"));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    bot = UUID.fromString(new JsonObject(created.body()).getString("id"));
    HttpResponse<String> issued = gateway.admin("POST", "/admin/v1/keys", new JsonObject()
        .put("name", "readme").put("mailbox", "bot@example.com").put("scope", "full_access"));
    assertThat(issued.statusCode()).as(issued.body()).isEqualTo(201);
    key = new JsonObject(issued.body()).getString("key");
    seed = new InboxSeed(gateway);
  }

  @AfterAll
  static void stop() {
    seed.close();
    gateway.close();
  }

  /** The curl commands of every bash block calling the inbox API, continuation lines joined. */
  static List<List<String>> examples(Path file) throws IOException {
    List<List<String>> blocks = new ArrayList<>();
    List<String> block = null;
    StringBuilder pending = new StringBuilder();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (block == null) {
        if (line.strip().equals("```bash")) {
          block = new ArrayList<>();
        }
        continue;
      }
      if (line.strip().equals("```")) {
        if (block.stream().anyMatch(c -> c.contains("/v1/inbox/"))) {
          blocks.add(block);
        }
        block = null;
        continue;
      }
      if (line.endsWith("\\")) {
        pending.append(line, 0, line.length() - 1);
        continue;
      }
      String command = pending.append(line).toString().strip();
      pending.setLength(0);
      if (command.startsWith("curl ")) {
        block.add(command);
      }
    }
    return blocks;
  }

  @Test
  void theReadmesInboxExamplesRunAsWritten() throws Exception {
    runAll(Path.of("README.md"), 8);
  }

  @Test
  void theContractsInboxExamplesRunAsWritten() throws Exception {
    runAll(Path.of("docs/contract.md"), 5);
  }

  private void runAll(Path file, int expectedCommands) throws Exception {
    assumeTrue(ExternalProgram.runs("curl", "--version"), "curl is not installed");
    List<List<String>> blocks = examples(file);
    assertThat(blocks).as(file + " has inbox examples").isNotEmpty();
    assertThat(blocks.stream().mapToInt(List::size).sum()).isEqualTo(expectedCommands);
    for (List<String> block : blocks) {
      UUID id = seed.file(bot, InboxSeed.mail().from("Carol", "carol@partner.test").to("bot@example.com")
          .subject("curl " + UUID.randomUUID()).text("Hello from the README.").receivedAt(Instant.now())).id();
      Map<String, String> env = Map.of("KEY", key, "ID", id.toString());
      for (String written : block) {
        String command = written.replace("localhost:8080", "localhost:" + gateway.config().http().port());
        check(written, id, command, env);
      }
    }
  }

  /** Runs one example and checks what it is for. */
  private void check(String written, UUID id, String command, Map<String, String> env) throws IOException {
    if (written.contains("/v1/inbox/stream")) {
      ExternalProgram.Outcome outcome = ExternalProgram.run(dir, Duration.ofSeconds(20), env,
          "bash", "-c", "timeout 3 " + command);
      assertThat(outcome.exitCode()).as(written + "\n" + outcome).isEqualTo(124);
      assertThat(outcome.stdout()).as(written).contains("event: connected").contains("id: ");
      return;
    }
    String out = ExternalProgram.succeed(dir, Duration.ofSeconds(30), env, "bash", "-c", command);
    if (written.contains("> original.eml")) {
      HttpResponse<byte[]> raw = RawHttp.bytes(gateway.baseUrl() + "/v1/inbox/messages/" + id + "/raw", key);
      assertThat(Files.readAllBytes(dir.resolve("original.eml"))).as(written).isEqualTo(raw.body())
          .isNotEmpty();
      return;
    }
    JsonObject answer = new JsonObject(out);
    assertThat(answer.containsKey("name")).as(written + " answered an error: " + out).isFalse();
    if (written.contains("/reply")) {
      assertThat(answer.getString("id")).as(written).isNotBlank();
    } else if (written.contains("-X DELETE")) {
      assertThat(answer.getString("folder")).as(written).isEqualTo("trash");
    } else if (written.contains("\"folder\": \"archive\"")) {
      assertThat(answer.getBoolean("is_starred")).as(written).isTrue();
      assertThat(answer.getString("folder")).as(written).isEqualTo("archive");
    } else if (written.contains("\"is_read\": true")) {
      assertThat(answer.getBoolean("is_read")).as(written).isTrue();
    } else if (written.contains("/v1/inbox/messages?")) {
      assertThat(answer.getJsonArray("messages").encode()).as(written).contains(id.toString());
    } else {
      assertThat(answer.getString("id")).as(written).isEqualTo(id.toString());
    }
  }
}
