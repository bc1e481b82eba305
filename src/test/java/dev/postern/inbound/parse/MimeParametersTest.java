package dev.postern.inbound.parse;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MimeParametersTest {

  @Test
  void readsTheValueAndQuotedOrTokenParameters() {
    MimeParameters p = MimeParameters.parse("Text/Plain; Charset=\"UTF-8\"; format=flowed");
    assertThat(p.value()).isEqualTo("text/plain");
    assertThat(p.get("charset")).contains("UTF-8");
    assertThat(p.get("format")).contains("flowed");
    assertThat(MimeParameters.parse("attachment; filename=\"a \\\"b\\\"; c.txt\"").get("filename"))
        .contains("a \"b\"; c.txt");
  }

  @Test
  void rfc2231ExtendedValueIsPercentDecodedInItsCharset() {
    assertThat(MimeParameters.parse("attachment; filename*=UTF-8''%E2%82%AC%20rates.pdf")
        .get("filename")).contains("€ rates.pdf");
    assertThat(MimeParameters.parse("attachment; filename*=iso-8859-1'de'M%FCller.txt")
        .get("filename")).contains("Müller.txt");
  }

  @Test
  void rfc2231ContinuationsAreJoinedInIndexOrder() {
    assertThat(MimeParameters.parse("attachment; filename*1=\"second \"; filename*0=\"first \";"
        + " filename*2=third.txt").get("filename")).contains("first second third.txt");
    // a multi-byte character split across two encoded segments
    assertThat(MimeParameters.parse("attachment; filename*0*=UTF-8''caf%C3;"
        + " filename*1*=%A9.txt").get("filename")).contains("café.txt");
  }

  @Test
  void theRfc2231FormWinsOverThePlainOne() {
    assertThat(MimeParameters.parse("attachment; filename=\"fallback.pdf\";"
        + " filename*=UTF-8''r%C3%A9al.pdf").get("filename")).contains("réal.pdf");
  }

  @Test
  void encodedWordsInAQuotedValueAreDecoded() {
    assertThat(MimeParameters.parse("application/pdf; name=\"=?UTF-8?B?UsOpc3Vtw6kucGRm?=\"")
        .get("name")).contains("Résumé.pdf");
  }

  @Test
  void brokenSyntaxIsReadLeniently() {
    assertThat(MimeParameters.parse("attachment; filename=my file.pdf").get("filename"))
        .contains("my file.pdf");
    assertThat(MimeParameters.parse("attachment; filename=\"unterminated.pdf").get("filename"))
        .contains("unterminated.pdf");
    assertThat(MimeParameters.parse("inline;;; novalue; =x; filename*999999=x").parameters())
        .isEmpty();
    assertThat(MimeParameters.parse(null).value()).isEmpty();
  }
}
