package dev.postern.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.postern.support.ExternalProgram;
import dev.postern.support.FreePort;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real clients delivering into the MX as the world's MTAs do: swaks (plaintext and STARTTLS, and
 * {@code --no-data-fixup} smuggling, TESTING.md SMTP 1) and Python's {@code smtplib.sendmail}
 * with a refused recipient among accepted ones. Each check is skipped, saying why, only where
 * its program is not installed.
 */
class MxClientsIT {

  private static final Duration RUN = Duration.ofMinutes(1);

  @TempDir static Path dir;
  private static TestGateway gateway;
  private static SmtpKit kit;
  private static int mx;

  @BeforeAll
  static void start() {
    mx = FreePort.next();
    gateway = TestGateway.start(Map.of("POSTERN_MX_PORT", Integer.toString(mx),
        "POSTERN_SMTP_HOST", "127.0.0.1"));
    kit = new SmtpKit(gateway);
    for (String address : List.of("a@clients.example", "b@clients.example", "c@clients.example")) {
      kit.mailbox(address);
    }
  }

  @AfterAll
  static void stop() {
    if (kit != null) {
      kit.close();
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void swaksDeliversToTwoMailboxesInOneTransactionAndOverStartTls() throws Exception {
    assumeTrue(ExternalProgram.runs("swaks", "--version"), "swaks is not installed");
    ExternalProgram.Outcome plain = swaks("--to", "a@clients.example,b@clients.example",
        "--header", "Subject: swaks into the MX");
    assertThat(plain.exitCode()).as(plain.toString()).isZero();
    String id = queuedId(plain.stdout());
    assertThat(MxKit.deliveredTo(kit, id)).containsExactly("a@clients.example", "b@clients.example");
    assertThat(MxKit.inlineRaw(kit, id)).contains("Subject: swaks into the MX\r\n");

    ExternalProgram.Outcome tls = swaks("--to", "c@clients.example", "--tls",
        "--header", "Subject: swaks over STARTTLS");
    assertThat(tls.exitCode()).as(tls.toString()).isZero();
    String tlsId = queuedId(tls.stdout());
    assertThat(MxKit.inlineRaw(kit, tlsId)).contains(" with ESMTPS id " + tlsId)
        .contains("\tfor <c@clients.example>;");
  }

  @Test
  void swaksSmugglingIntoTheMxIsRefusedAndNothingIsKept() throws Exception {
    assumeTrue(ExternalProgram.runs("swaks", "--version"), "swaks is not installed");
    String subject = "mx smuggled " + UUID.randomUUID();
    Path data = Files.writeString(dir.resolve(UUID.randomUUID() + ".eml"),
        "Subject: " + subject + "\r\n\r\nfirst\n.\nMAIL FROM:<x@elsewhere.example>\r\n"
            + "RCPT TO:<a@clients.example>\r\nDATA\r\nSubject: " + subject + " forged\r\n\r\nforged\r\n.",
        StandardCharsets.UTF_8);
    ExternalProgram.Outcome swaks = swaks("--to", "a@clients.example", "--no-data-fixup",
        "--data", "@" + data);
    assertThat(swaks.exitCode()).as(swaks.toString()).isNotZero();
    assertThat(swaks.stdout()).as(swaks.toString()).contains("521 5.5.2").doesNotContain("queued as");
    assertThat(kit.count("SELECT count(*) FROM inbound_raw WHERE encode(mime_inline, 'escape')"
        + " LIKE $1", "%" + subject + "%")).isZero();
  }

  @Test
  void pythonSmtplibSendmailGetsTheAcceptedRecipientsAndTheRefusedOneBack() throws Exception {
    assumeTrue(ExternalProgram.runs("python3", "--version"), "python3 is not installed");
    String subject = "smtplib into the MX " + UUID.randomUUID();
    String script = String.join("\n",
        "import email.policy, json, os, smtplib",
        "from email.message import EmailMessage",
        "m = EmailMessage()",
        "m['From'] = 'Sender <sender@elsewhere.example>'",
        "m['To'] = 'a@clients.example'",
        "m['Subject'] = os.environ['SUBJECT']",
        "m.set_content('Hello from smtplib.')",
        "with smtplib.SMTP('127.0.0.1', int(os.environ['MX_PORT']), local_hostname='py.example') as s:",
        "    refused = s.sendmail('sender@elsewhere.example',",
        "        ['a@clients.example', 'nobody@clients.example', 'C@Clients.Example'],",
        // CRLF line ends, as send_message writes them: bytes are sent as given.
        "        m.as_bytes(policy=email.policy.SMTP))",
        "print(json.dumps({k: [v[0], v[1].decode()] for k, v in refused.items()}))",
        "");
    Files.writeString(dir.resolve("mx_send.py"), script);
    String stdout = ExternalProgram.succeed(dir, RUN,
        Map.of("MX_PORT", Integer.toString(mx), "SUBJECT", subject), "python3", "mx_send.py");
    JsonObject refused = new JsonObject(stdout.lines().reduce((a, b) -> b).orElseThrow());
    assertThat(refused.fieldNames()).containsExactly("nobody@clients.example");
    assertThat(refused.getJsonArray("nobody@clients.example").getInteger(0)).isEqualTo(550);

    String id = kit.query("SELECT id::text FROM inbound_raw WHERE encode(mime_inline, 'escape')"
        + " LIKE $1", "%" + subject + "%").iterator().next().getString(0);
    assertThat(MxKit.deliveredTo(kit, id)).containsExactly("a@clients.example", "c@clients.example");
    assertThat(MxKit.inlineRaw(kit, id)).startsWith("Received: from py.example ([127.0.0.1])");
  }

  private static ExternalProgram.Outcome swaks(String... args) {
    String[] command = new String[args.length + 9];
    System.arraycopy(new String[] {"swaks", "--server", "127.0.0.1", "--port", Integer.toString(mx),
        "--from", "sender@elsewhere.example", "--timeout", "20s"}, 0, command, 0, 9);
    System.arraycopy(args, 0, command, 9, args.length);
    return ExternalProgram.run(dir, RUN, Map.of(), command);
  }

  private static String queuedId(String stdout) {
    Matcher m = SmtpKit.QUEUED.matcher(stdout);
    assertThat(m.find()).as(stdout).isTrue();
    return m.group(1);
  }
}
