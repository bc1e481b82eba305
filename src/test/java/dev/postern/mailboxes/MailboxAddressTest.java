package dev.postern.mailboxes;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MailboxAddressTest {

  @Test
  void keepsTheLocalPartAndNormalisesTheDomain() {
    MailboxAddress.Parsed parsed = MailboxAddress.parse("Bot.One+tag@Bücher.Example");
    assertThat(parsed.address()).isEqualTo("Bot.One+tag@xn--bcher-kva.example");
    assertThat(parsed.domain()).isEqualTo("xn--bcher-kva.example");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "bot", "@example.com", "bot@", "bot@@example.com", "b ot@example.com",
      "bot@example.com\r\nRCPT TO:<x@evil>", "bot\n@example.com", "bot\u0000@example.com",
      "a@b>\r\nRCPT TO:<x@evil>", ".bot@example.com", "bot.@example.com", "b..ot@example.com",
      "\"quoted\"@example.com", "bot@localhost", "bot\u2028@example.com"})
  void refusesInvalidAddresses(String raw) {
    assertThat(MailboxAddress.parse(raw).valid()).as(raw).isFalse();
  }

  @Test
  void limitsTheLocalPartTo64AndTheAddressTo254() {
    assertThat(MailboxAddress.parse("a".repeat(64) + "@example.com").valid()).isTrue();
    assertThat(MailboxAddress.parse("a".repeat(65) + "@example.com").problem()).contains("64");
    String domain = ("d".repeat(60) + ".").repeat(3) + "example.com"; // 194 chars
    assertThat(MailboxAddress.parse("a".repeat(59) + "@" + domain).valid()).isTrue();
    assertThat(MailboxAddress.parse("a".repeat(60) + "@" + domain).problem()).contains("254");
  }
}
