package dev.postern.inbound.parse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.inbound.parse.ParsedMail.MailAddress;
import org.junit.jupiter.api.Test;

class AddressListsTest {

  @Test
  void namesAndAddresses() {
    assertThat(AddressLists.parse("Anna <a@x.org>, \"Smith, Bob\" <bob@y.com>, plain@z.net"))
        .containsExactly(new MailAddress("Anna", "a@x.org"), new MailAddress("Smith, Bob", "bob@y.com"),
            new MailAddress(null, "plain@z.net"));
  }

  @Test
  void encodedAndRawUtf8DisplayNames() {
    assertThat(AddressLists.parse("=?UTF-8?Q?J=C3=BCrgen?= =?UTF-8?Q?_Gro=C3=9F?= <jg@x.de>,"
        + " Jürgen Groß <jg2@x.de>, \"=?UTF-8?B?UmVuw6ll?=\" <r@x.de>"))
        .containsExactly(new MailAddress("Jürgen Groß", "jg@x.de"),
            new MailAddress("Jürgen Groß", "jg2@x.de"), new MailAddress("Renée", "r@x.de"));
  }

  @Test
  void groupsAreFlattenedAndEmptyGroupsGiveNothing() {
    assertThat(AddressLists.parse("team: a@x, B <b@y>;, c@z"))
        .extracting(MailAddress::address).containsExactly("a@x", "b@y", "c@z");
    assertThat(AddressLists.parse("undisclosed-recipients:;")).isEmpty();
  }

  @Test
  void obsoleteFormsAndComments() {
    assertThat(AddressLists.parse("a@x.org (Alice Example)"))
        .containsExactly(new MailAddress("Alice Example", "a@x.org"));
    assertThat(AddressLists.parse("Bob <@relay1,@relay2:bob@y.com>"))
        .containsExactly(new MailAddress("Bob", "bob@y.com"));
    assertThat(AddressLists.parse("Carol (work) <c@z.com>"))
        .containsExactly(new MailAddress("Carol", "c@z.com"));
  }

  @Test
  void garbageIsSkipped() {
    assertThat(AddressLists.parse("broken <<a@b.c>>, ,, x, @, y@, <>, \"unterminated"))
        .containsExactly(new MailAddress("broken", "a@b.c"));
    assertThat(AddressLists.parse("")).isEmpty();
    assertThat(AddressLists.parse(null)).isEmpty();
  }
}
