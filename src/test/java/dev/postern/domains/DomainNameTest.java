package dev.postern.domains;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DomainNameTest {

  @ParameterizedTest
  @CsvSource({
      "example.com, example.com",
      "Example.COM, example.com",
      "  mail.example.com. , mail.example.com",
      "bücher.example, xn--bcher-kva.example",
      "a-b.c-d.io, a-b.c-d.io",
      "xn--bcher-kva.example, xn--bcher-kva.example"})
  void normalisesValidNames(String raw, String expected) {
    assertThat(DomainName.parse(raw).name()).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "localhost", "exa mple.com", "example..com", "-a.com", "a-.com",
      "a_b.com", "example.com\r\nx", "exa\u0000mple.com", "127.0.0.1", ".com", "a@b.com",
      "example.com/path"})
  void refusesInvalidNames(String raw) {
    DomainName.Parsed parsed = DomainName.parse(raw);
    assertThat(parsed.valid()).as(raw).isFalse();
    assertThat(parsed.problem()).isNotBlank();
  }

  @org.junit.jupiter.api.Test
  void refusesLabelsOver63AndNamesOver253() {
    assertThat(DomainName.parse("a".repeat(64) + ".com").valid()).isFalse();
    assertThat(DomainName.parse("a".repeat(63) + ".com").valid()).isTrue();
    String long254 = ("a".repeat(62) + ".").repeat(4) + "abcd";
    assertThat(long254).hasSize(256);
    assertThat(DomainName.parse(long254).valid()).isFalse();
    String ok = ("a".repeat(62) + ".").repeat(4) + "a";
    assertThat(ok).hasSize(253);
    assertThat(DomainName.parse(ok).valid()).isTrue();
  }
}
