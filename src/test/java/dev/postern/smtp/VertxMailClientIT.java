package dev.postern.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.MailResult;
import io.vertx.ext.mail.StartTLSOptions;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue #12 "done when": vertx-mail-client as a Vert.x application configures it —
 * {@link StartTLSOptions#REQUIRED} with {@link LoginOption#REQUIRED} on the submission port, and
 * SSL on the implicit-TLS port — trusting the gateway's certificate through
 * {@link PemTrustOptions}, with hostname verification on. The client runs on its own Vert.x
 * instance, as an application's would.
 */
class VertxMailClientIT {

  private static ClientsGateway postern;
  private static Vertx clientVertx;

  @BeforeAll
  static void start() {
    postern = ClientsGateway.start();
    clientVertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    try {
      if (clientVertx != null) {
        clientVertx.close().await();
      }
    } finally {
      if (postern != null) {
        postern.close();
      }
    }
  }

  @Test
  void startTlsRequiredWithLoginSendsAMessageThatIsStoredAndRelayed() throws Exception {
    send(config(postern.submissionPort()).setStarttls(StartTLSOptions.REQUIRED),
        "vertx-mail-client starttls");
  }

  @Test
  void sslOnTheImplicitTlsPortSendsAMessageThatIsStoredAndRelayed() throws Exception {
    send(config(postern.smtpsPort()).setSsl(true).setStarttls(StartTLSOptions.DISABLED),
        "vertx-mail-client ssl");
  }

  private static MailConfig config(int port) {
    return new MailConfig().setHostname("127.0.0.1").setPort(port)
        .setLogin(LoginOption.REQUIRED).setUsername(ClientsGateway.USER).setPassword(postern.key())
        .setTrustOptions(new PemTrustOptions().addCertPath(postern.cert().toString()))
        .setHostnameVerificationAlgorithm("HTTPS");
  }

  private static void send(MailConfig config, String subject) throws Exception {
    MailClient client = MailClient.create(clientVertx, config);
    MailResult result;
    try {
      result = client.sendMail(new MailMessage()
          .setFrom("Shop <app@shop.example>")
          .setTo("customer@elsewhere.example")
          .setSubject(subject)
          .setText("Thanks for your order.\n.a line that starts with a dot\nGr\u00fc\u00dfe, the shop\n")
          .setHtml("<p>Thanks for your <b>order</b>.</p>")
          .addHeader("X-Order", "42")).await();
    } finally {
      client.close().await();
    }
    assertThat(result.getRecipients()).containsExactly("customer@elsewhere.example");

    // MailResult carries the Message-ID, not the server's reply: the message is found by subject.
    UUID id = postern.idBySubject(subject);
    JsonObject email = postern.email(id);
    assertThat(email.getString("subject")).isEqualTo(subject);
    assertThat(email.getString("from")).isEqualTo("Shop <app@shop.example>");

    String relayed = postern.relayedUnchanged(id);
    MimeMessage message = ClientsGateway.parsed(relayed);
    assertThat(message.getMessageID()).contains(result.getMessageID());
    assertThat(message.getSubject()).isEqualTo(subject);
    assertThat(message.getHeader("X-Order", null)).isEqualTo("42");
    MimeMultipart alternative = (MimeMultipart) message.getContent();
    // vertx-mail-client writes the text's final line break into the part's closing delimiter
    // (whose CRLF is not part of the body, RFC 2046 §5.1.1): the part ends without it.
    assertThat(ClientsGateway.text(alternative.getBodyPart(0).getContent()))
        .isEqualTo("Thanks for your order.\n.a line that starts with a dot\nGr\u00fc\u00dfe, the shop");
    assertThat(ClientsGateway.text(alternative.getBodyPart(1).getContent()))
        .isEqualTo("<p>Thanks for your <b>order</b>.</p>");
  }
}
