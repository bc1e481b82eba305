package dev.postern.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EmailAddressTest {

  @Test
  void parsesABareAddressAndLowerCasesTheDomain() {
    EmailAddress a = EmailAddress.parse("  John.Doe+tag@Example.COM ");
    assertThat(a.displayName()).isNull();
    assertThat(a.localPart()).isEqualTo("John.Doe+tag");
    assertThat(a.domain()).isEqualTo("example.com");
    assertThat(a.address()).isEqualTo("John.Doe+tag@example.com");
    assertThat(a).hasToString("John.Doe+tag@example.com");
  }

  @Test
  void parsesDisplayNames() {
    assertThat(EmailAddress.parse("Acme Support <help@acme.example>"))
        .isEqualTo(new EmailAddress("Acme Support", "help", "acme.example"))
        .hasToString("Acme Support <help@acme.example>");
    assertThat(EmailAddress.parse("\"Acme, Inc.\" <help@acme.example>").displayName())
        .isEqualTo("Acme, Inc.");
    assertThat(EmailAddress.parse("\"Say \\\"hi\\\"\" <h@a.example>"))
        .hasToString("\"Say \\\"hi\\\"\" <h@a.example>");
    assertThat(EmailAddress.parse("<help@acme.example>").displayName()).isNull();
    assertThat(EmailAddress.parse("Zoë <zoe@example.com>").displayName()).isEqualTo("Zoë");
    assertThat(EmailAddress.parse("Acme, Inc. <help@acme.example>").displayName())
        .isEqualTo("Acme, Inc.");
  }

  @Test
  void convertsIdnDomainsToPunycode() {
    EmailAddress a = EmailAddress.parse("info@Bücher.example");
    assertThat(a.domain()).isEqualTo("xn--bcher-kva.example");
    assertThat(a.unicodeDomain()).isEqualTo("bücher.example");
  }

  @Test
  void acceptsSixtyFourCharacterLocalPartsAndRefusesSixtyFive() {
    assertThat(EmailAddress.parse("a".repeat(64) + "@example.com").localPart()).hasSize(64);
    assertThatThrownBy(() -> EmailAddress.parse("a".repeat(65) + "@example.com"))
        .isInstanceOf(InvalidValue.class).hasMessageContaining("64");
  }

  @Test
  void refusesAddressesOver254Characters() {
    String domain = "d".repeat(60) + "." + "e".repeat(60) + "." + "f".repeat(60) + "."
        + "g".repeat(60) + ".com";
    String local = "l".repeat(254 - 1 - domain.length());
    assertThat(EmailAddress.parse(local + "@" + domain).address()).hasSize(254);
    assertThatThrownBy(() -> EmailAddress.parse(local + "x@" + domain))
        .isInstanceOf(InvalidValue.class).hasMessageContaining("254");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "a@b>\r\nRCPT TO:<x@evil.example>", "a@b.example>\r\nRCPT TO:<x@evil.example>",
      "Name\r\nBcc: x@evil.example <a@b.example>", "a@b.example\n", "a\u0000@b.example",
      "Name\u2028Bcc <a@b.example>", "a@b.example\u2029", "Evil <a@b.example>, c@d.example",
      "<a@b.example", "a@b.example>", "a<b@c.example", "Name <a@b.example> x", "a <b <c@d.example>>",
      "\"unclosed <a@b.example>", "Na\"me <a@b.example>", "\"quoted\"@b.example",
      "a..b@c.example", ".a@b.example", "a.@b.example", "a b@c.example", "@b.example", "a@",
      "a", "a@localhost", "a@-b.example", "a@b-.example", "a@b..example", "a@b.example.",
      "a@[127.0.0.1]", "a@1.2.3.4", "a@b_c.example", "jöhn@example.com", "a(comment)@b.example",
      "a@xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.example", "", "   ",
      "Group: a@b.example;"})
  void refusesHostileOrUnsupportedForms(String text) {
    assertThatThrownBy(() -> EmailAddress.parse(text)).isInstanceOf(InvalidValue.class);
  }

  @Test
  void refusesOverlongDisplayNames() {
    assertThatThrownBy(() -> EmailAddress.parse("x".repeat(257) + " <a@b.example>"))
        .isInstanceOf(InvalidValue.class);
  }

  @Test
  void reasonsNeverEchoTheInput() {
    assertThatThrownBy(() -> EmailAddress.parse("secret\r\n@b.example"))
        .message().doesNotContain("secret");
  }

  // parseBare: a mailbox's own address (formerly MailboxAddress), same rules without a name.

  @Test
  void parseBareKeepsTheLocalPartAndNormalisesTheDomain() {
    EmailAddress parsed = EmailAddress.parseBare("Bot.One+tag@Bücher.Example");
    assertThat(parsed.address()).isEqualTo("Bot.One+tag@xn--bcher-kva.example");
    assertThat(parsed.domain()).isEqualTo("xn--bcher-kva.example");
    assertThat(parsed.displayName()).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "bot", "@example.com", "bot@", "bot@@example.com", "b ot@example.com",
      "bot@example.com\r\nRCPT TO:<x@evil>", "bot\n@example.com", "bot\u0000@example.com",
      "a@b>\r\nRCPT TO:<x@evil>", ".bot@example.com", "bot.@example.com", "b..ot@example.com",
      "\"quoted\"@example.com", "bot@localhost", "bot\u2028@example.com",
      "Bot <bot@example.com>", "<bot@example.com>"})
  void parseBareRefusesInvalidAddresses(String raw) {
    assertThatThrownBy(() -> EmailAddress.parseBare(raw)).as(raw).isInstanceOf(InvalidValue.class);
  }

  @Test
  void parseBareRefusesNull() {
    assertThatThrownBy(() -> EmailAddress.parseBare(null))
        .isInstanceOf(InvalidValue.class).hasMessage("is required");
  }

  @Test
  void parseBareLimitsTheLocalPartTo64AndTheAddressTo254() {
    assertThat(EmailAddress.parseBare("a".repeat(64) + "@example.com").localPart()).hasSize(64);
    assertThatThrownBy(() -> EmailAddress.parseBare("a".repeat(65) + "@example.com"))
        .isInstanceOf(InvalidValue.class).hasMessageContaining("64");
    String domain = ("d".repeat(60) + ".").repeat(3) + "example.com"; // 194 chars
    assertThat(EmailAddress.parseBare("a".repeat(59) + "@" + domain).address()).hasSize(254);
    assertThatThrownBy(() -> EmailAddress.parseBare("a".repeat(60) + "@" + domain))
        .isInstanceOf(InvalidValue.class).hasMessageContaining("254");
  }
}
