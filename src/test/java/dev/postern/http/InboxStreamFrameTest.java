package dev.postern.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.inbound.inbox.MailChange;
import dev.postern.inbound.inbox.MessageSummary;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The bytes of a change's Server-Sent Event (WHATWG HTML §9.2.6): {@code id:} the change's
 * sequence, the event name, one {@code data:} line of JSON, a blank line; made once per change
 * and shared by every stream of the mailbox.
 */
class InboxStreamFrameTest {

  private static final UUID MAILBOX = UUID.randomUUID();
  private final MessageSummary summary = new MessageSummary(UUID.randomUUID(), "m1@x.test",
      "Alice", "alice@x.test", List.of("bench@bench.test"), "Hi", "Hello", Instant.EPOCH, "inbox",
      true, false, false, 321, null, false);

  @Test
  void aNewMessageIsANewEmailEventWithItsListItem() {
    MailChange change = new MailChange(MAILBOX, 42, "new", summary.id(), "inbox", summary);
    String frame = InboxStream.frame(change).toString();
    assertThat(frame).startsWith("id: 42\nevent: new_email\ndata: {").endsWith("}\n\n");
    JsonObject data = dataOf(frame);
    assertThat(data.getString("message_id")).isEqualTo("<m1@x.test>");
    assertThat(data.getString("id")).isEqualTo(summary.id().toString());
    assertThat(data.getBoolean("is_read")).isTrue();
  }

  @Test
  void aChangeIsEncodedOnceForEveryStream() {
    MailChange change = new MailChange(MAILBOX, 43, "new", summary.id(), "inbox", summary);
    assertThat(change.encoded(InboxStream.FRAME)).isSameAs(change.encoded(InboxStream.FRAME));
  }

  @Test
  void anUpdateCarriesTheKindAndAnExpungedMessageOnlyItsIdAndFolder() {
    MailChange moved = new MailChange(MAILBOX, 44, "moved", summary.id(), "archive", summary);
    JsonObject data = dataOf(InboxStream.frame(moved).toString());
    assertThat(InboxStream.frame(moved).toString()).startsWith("id: 44\nevent: email_updated\n");
    assertThat(data.getString("change")).isEqualTo("moved");
    assertThat(data.getBoolean("deleted")).isFalse();

    UUID gone = UUID.randomUUID();
    MailChange expunged = new MailChange(MAILBOX, 45, "expunged", gone, "trash", null);
    assertThat(dataOf(InboxStream.frame(expunged).toString())).isEqualTo(new JsonObject()
        .put("id", gone.toString()).put("folder", "trash").put("change", "expunged")
        .put("deleted", true));
  }

  @Test
  void aNewMessageAlreadyGoneAnnouncesNothing() {
    MailChange change = new MailChange(MAILBOX, 46, "new", UUID.randomUUID(), "inbox", null);
    assertThat(InboxStream.frame(change)).isNull();
  }

  private static JsonObject dataOf(String frame) {
    String data = frame.lines().filter(l -> l.startsWith("data: ")).findFirst().orElseThrow();
    return new JsonObject(data.substring("data: ".length()));
  }
}
