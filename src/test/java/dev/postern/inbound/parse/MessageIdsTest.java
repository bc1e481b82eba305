package dev.postern.inbound.parse;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MessageIdsTest {

  @Test
  void bareIdsInOrderWithoutBracketsCommentsOrWhiteSpace() {
    assertThat(MessageIds.all("<a@x> (first)\r\n <b@y>\t<c@z>")).containsExactly("a@x", "b@y", "c@z");
    assertThat(MessageIds.all("< spaced @ example.org >")).containsExactly("spaced@example.org");
    assertThat(MessageIds.first("<one@x> <two@x>")).contains("one@x");
  }

  @Test
  void phrasesAndGarbageBetweenIdsAreIgnored() {
    assertThat(MessageIds.first("Your message of Mon, 2 Jan 2006 <orig@example.com>"))
        .contains("orig@example.com");
    assertThat(MessageIds.all("<a@x> garbage <<b@y>> <> <unclosed@z")).containsExactly("a@x", "b@y");
    assertThat(MessageIds.all("(comment <not@an.id>) <real@id>")).containsExactly("real@id");
  }

  @Test
  void withoutBracketsWordsWithAnAtAreIds() {
    assertThat(MessageIds.all("a@x, b@y nonsense")).containsExactly("a@x", "b@y");
    assertThat(MessageIds.first("no id here")).isEmpty();
    assertThat(MessageIds.all(null)).isEmpty();
  }

  @Test
  void repeatedIdsAppearOnce() {
    assertThat(MessageIds.all("<a@x> <b@x> <a@x>")).containsExactly("a@x", "b@x");
  }
}
