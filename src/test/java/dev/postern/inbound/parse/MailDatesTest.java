package dev.postern.inbound.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class MailDatesTest {

  private static void reads(String header, String instant) {
    assertThat(MailDates.parse(header)).as(header).contains(Instant.parse(instant));
  }

  @Test
  void rfc5322Dates() {
    reads("Tue, 3 Jun 2025 07:12:43 +0000", "2025-06-03T07:12:43Z");
    reads("3 Jun 2025 09:12:43 +0200", "2025-06-03T07:12:43Z");
    reads("Thu, 5 Jun 2025 18:30:00 -0400 (EDT)", "2025-06-05T22:30:00Z");
    reads("Sat, 31 Dec 2016 23:59:60 +0000", "2016-12-31T23:59:59Z");
  }

  @Test
  void obsoleteForms() {
    // RFC 5322 §4.3: two- and three-digit years, named zones, military zones, no seconds
    reads("8 Jun 25 10:00 GMT", "2025-06-08T10:00:00Z");
    reads("Fri, 13 Feb 98 23:31:30 EST", "1998-02-14T04:31:30Z");
    reads("13 Feb 109 23:31:30 PDT", "2009-02-14T06:31:30Z");
    reads("Mon , 2 Jan 2006 15:04:05 Z", "2006-01-02T15:04:05Z");
    reads("Mon,\r\n 2 Jan 2006\r\n 15:04:05 +0100", "2006-01-02T14:04:05Z");
  }

  @Test
  void whatTheWildSends() {
    reads("Mon Jan  2 15:04:05 2006", "2006-01-02T15:04:05Z");
    reads("Monday, 2 January 2006 15:04:05 +0100", "2006-01-02T14:04:05Z");
    reads("2006-01-02T15:04:05Z", "2006-01-02T15:04:05Z");
    reads("2006-01-02T15:04:05+01:00", "2006-01-02T14:04:05Z");
    reads("Mon, 2 Jan 2006 15:04:05.123 +0000", "2006-01-02T15:04:05Z");
  }

  @Test
  void nonsenseGivesNoDate() {
    assertThat(MailDates.parse("not a date at all")).isEmpty();
    assertThat(MailDates.parse("32 Jan 2006 10:00:00 +0000")).isEmpty();
    assertThat(MailDates.parse("1 Jan 2006 25:00:00 +0000")).isEmpty();
    assertThat(MailDates.parse("1 Foo 2006 10:00:00 +0000")).isEmpty();
    assertThat(MailDates.parse("")).isEmpty();
    assertThat(MailDates.parse(null)).isEmpty();
    assertThat(MailDates.parse("9".repeat(1000))).isEmpty();
  }
}
