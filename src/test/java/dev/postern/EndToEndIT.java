package dev.postern;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMailUtil;
import dev.postern.delivery.dkim.DkimAlgorithm;
import dev.postern.delivery.dkim.DkimRecord;
import dev.postern.delivery.dkim.PythonDkim;
import dev.postern.support.Eventually;
import dev.postern.support.GreenMailFixture;
import dev.postern.support.TestGateway;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import jakarta.mail.internet.MimeMessage;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole path as a user sees it: admin creates a mailbox (its domain gets a DKIM key) and a
 * webhook, an app sends over REST, delivery relays the stored MIME to an SMTP server signed with
 * the domain's key, the status turns delivered, and the webhook receives {@code email.delivered}.
 */
class EndToEndIT {

  private static GreenMailFixture relay;
  private static TestGateway gateway;
  private static HttpServer receiver;
  private static final List<JsonObject> webhooks = new CopyOnWriteArrayList<>();
  private static final List<String> webhookIds = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    relay = GreenMailFixture.start();
    gateway = TestGateway.start(Map.of("POSTERN_RELAY_URL", relay.relayUrl()));
    receiver = gateway.vertx().createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      webhookIds.add(req.getHeader("webhook-id") + " " + (req.getHeader("webhook-signature") != null));
      webhooks.add(body.toJsonObject());
      req.response().setStatusCode(200).end();
    })).listen(0, "127.0.0.1").await();
    int port = receiver.actualPort();
    assertThat(gateway.admin("POST", "/admin/v1/webhooks", new JsonObject()
        .put("url", "http://127.0.0.1:" + port + "/hooks").put("events", new io.vertx.core.json.JsonArray()
            .add("email.delivered"))).statusCode()).isEqualTo(201);
  }

  @AfterAll
  static void stop() {
    gateway.close();
    relay.close();
  }

  @Test
  void sentMailArrivesSignedAndTheWebhookFires() throws Exception {
    HttpResponse<String> mailbox = gateway.admin("POST", "/admin/v1/mailboxes",
        new JsonObject().put("address", "app@shop.example").put("encryption_tier", "plaintext"));
    assertThat(mailbox.statusCode()).as(mailbox.body()).isEqualTo(201);
    JsonObject domain = new JsonObject(gateway.admin("GET", "/admin/v1/domains", null).body())
        .getJsonArray("data").getJsonObject(0);
    String key = new JsonObject(gateway.admin("POST", "/admin/v1/keys", new JsonObject().put("name", "app")
        .put("mailbox", "app@shop.example").put("scope", "full_access")).body()).getString("key");

    HttpResponse<String> sent = gateway.send("POST", "/v1/emails", new JsonObject()
            .put("from", "Shop <app@shop.example>").put("to", "alice@example.org")
            .put("bcc", "audit@example.net").put("subject", "Receipt ✓").put("text", "Thanks!").encode(),
        Map.of("Authorization", "Bearer " + key, "Content-Type", "application/json"));
    assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
    String id = new JsonObject(sent.body()).getString("id");

    JsonObject[] polled = new JsonObject[1];
    Eventually.until(Duration.ofSeconds(15), () -> {
      polled[0] = new JsonObject(gateway.withKey(key, "GET", "/v1/emails/" + id, null).body());
      return "delivered".equals(polled[0].getString("status"));
    }, () -> polled[0].encodePrettily());
    JsonObject status = polled[0];
    assertThat(status.getString("status")).as(status.encodePrettily()).isEqualTo("delivered");
    assertThat(status.getJsonArray("recipients")).hasSize(2);
    assertThat(status.getJsonArray("events").stream().map(e -> ((JsonObject) e).getString("type")))
        .contains("queued", "sent", "delivered");

    assertThat(relay.server().waitForIncomingEmail(10_000, 2)).isTrue();
    MimeMessage received = relay.server().getReceivedMessages()[0];
    String raw = GreenMailUtil.getWholeMessage(received);
    assertThat(received.getHeader("DKIM-Signature")).isNotNull();
    assertThat(received.getHeader("DKIM-Signature")[0]).contains("d=shop.example");
    assertThat(received.getHeader("Bcc")).isNull();

    if (PythonDkim.available()) {
      JsonObject dkim = domain.getJsonObject("dkim");
      String txt = domain.getJsonArray("dns").stream().map(JsonObject.class::cast)
          .filter(r -> r.getString("name").contains("._domainkey.")).findFirst().orElseThrow().getString("value");
      String p = txt.substring(txt.indexOf("p=") + 2).trim();
      PythonDkim.Verdict verdict = PythonDkim.verify(raw.getBytes(StandardCharsets.UTF_8),
          DkimRecord.of(dkim.getString("selector"), "shop.example", DkimAlgorithm.RSA_SHA256, p));
      assertThat(verdict.verified()).as(verdict.output()).isTrue();
    }

    Eventually.until(Duration.ofSeconds(10), () -> !webhooks.isEmpty(), () -> "no webhook arrived");
    JsonObject event = webhooks.get(0);
    assertThat(event.getString("type")).isEqualTo("email.delivered");
    assertThat(event.getJsonObject("data").getString("email_id")).isEqualTo(id);
    assertThat(webhookIds.get(0)).startsWith("msg_").endsWith("true");
  }
}
