package dev.postern.inbound.parse;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EncodedWordsTest {

  @Test
  void decodesBAndQWordsInAnyCharset() {
    assertThat(EncodedWords.decode("=?UTF-8?B?SsO8cmdlbg==?=")).isEqualTo("Jürgen");
    assertThat(EncodedWords.decode("=?iso-8859-1?q?J=FCrgen_Gro=DF?=")).isEqualTo("Jürgen Groß");
    assertThat(EncodedWords.decode("=?KOI8-R?B?8NLJ18XU?=")).isEqualTo("Привет");
  }

  @Test
  void whiteSpaceBetweenAdjacentWordsIsDroppedButNotAroundText() {
    // RFC 2047 §8 examples
    assertThat(EncodedWords.decode("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)")).isEqualTo("(ab)");
    assertThat(EncodedWords.decode("(=?ISO-8859-1?Q?a?=\r\n   =?ISO-8859-1?Q?b?=)"))
        .isEqualTo("(ab)");
    assertThat(EncodedWords.decode("(=?ISO-8859-1?Q?a?= b)")).isEqualTo("(a b)");
    assertThat(EncodedWords.decode("Re: =?UTF-8?Q?caf=C3=A9?= ok")).isEqualTo("Re: café ok");
  }

  @Test
  void aCharacterSplitAcrossTwoWordsComesOutWhole() {
    // "é" is C3 A9; a broken encoder put each octet in its own word
    assertThat(EncodedWords.decode("=?UTF-8?Q?caf=C3?= =?UTF-8?Q?=A9?=")).isEqualTo("café");
    assertThat(EncodedWords.decode("=?UTF-8?B?8J+O?= =?UTF-8?B?iQ==?=")).isEqualTo("🎉");
  }

  @Test
  void brokenWordsDecodeAsFarAsTheyGoAndOthersStayAsTheyAre() {
    assertThat(EncodedWords.decode("=?UTF-8?B?w6k?=")).isEqualTo("é"); // no padding
    assertThat(EncodedWords.decode("=?UTF-8?B?w6k=!!?=")).isEqualTo("é"); // junk
    assertThat(EncodedWords.decode("=?UTF-8?Q?=ZZ?=")).isEqualTo("=ZZ");
    assertThat(EncodedWords.decode("=?UTF-8?X?abc?=")).isEqualTo("=?UTF-8?X?abc?=");
    assertThat(EncodedWords.decode("=?UTF-8?Q?unterminated")).isEqualTo("=?UTF-8?Q?unterminated");
    assertThat(EncodedWords.decode("=?x-nope?Q?caf=C3=A9?=")).isEqualTo("café");
    assertThat(EncodedWords.decode("=?x-nope?Q?caf=E9?=")).isEqualTo("café");
    assertThat(EncodedWords.decode("=?utf-8*en?Q?hello?=")).isEqualTo("hello"); // RFC 2231 §5
    assertThat(EncodedWords.decode("plain")).isEqualTo("plain");
    assertThat(EncodedWords.decode(null)).isNull();
  }
}
