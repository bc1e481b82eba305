package dev.postern.inbound.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.support.InboxSeed;
import dev.postern.support.InboxSeed.Filed;
import dev.postern.support.TestGateway;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The list page cache and its validator (issue #14, {@code http/InboxPageCache}): a page is
 * served again only while the mailbox's change sequence is the one it was read at, so every
 * change through the store — a new message, read, star, move, delete — shows on the very next
 * listing; {@code ETag} / {@code If-None-Match} answers 304 while nothing changed.
 */
class InboxListCacheIT {

  private static final String LIST = "/v1/inbox/messages?limit=10";

  private static TestGateway gateway;
  private static InboxSeed seed;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start();
    seed = new InboxSeed(gateway);
  }

  @AfterAll
  static void stop() {
    seed.close();
    gateway.close();
  }

  private static String mailboxWithKey(String address) {
    seed.mailbox(address, "plaintext");
    HttpResponse<String> created = gateway.admin("POST", "/admin/v1/keys", new JsonObject()
        .put("name", "k").put("mailbox", address).put("scope", "full_access"));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return new JsonObject(created.body()).getString("key");
  }

  private static UUID mailboxId(String address) {
    return UUID.fromString(seed.text("SELECT id FROM mailboxes WHERE address = $1", address));
  }

  private static Filed arrive(UUID mailbox, String subject) {
    return seed.file(mailbox, InboxSeed.mail().subject(subject).text("body").receivedAt(Instant.now()));
  }

  private static HttpResponse<String> list(String key, String ifNoneMatch) {
    return gateway.send("GET", LIST, null, ifNoneMatch == null ? Map.of("Authorization", "Bearer " + key)
        : Map.of("Authorization", "Bearer " + key, "If-None-Match", ifNoneMatch));
  }

  private static JsonObject ok(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body());
  }

  private static HttpResponse<String> patch(String key, Filed m, String body) {
    return gateway.send("PATCH", "/v1/inbox/messages/" + m.id(), body,
        Map.of("Authorization", "Bearer " + key, "Content-Type", "application/json"));
  }

  private static JsonObject first(HttpResponse<String> page) {
    return ok(page).getJsonArray("messages").getJsonObject(0);
  }

  @Test
  void anUnchangedMailboxIsServedItsCachedPageAndEveryChangeShowsOnTheNextListing() {
    String key = mailboxWithKey("cache@cache.test");
    UUID box = mailboxId("cache@cache.test");
    arrive(box, "one");
    Filed two = arrive(box, "two");
    assertThat(first(list(key, null)).getString("subject")).isEqualTo("two");

    // Behind the store's back (no change sequence taken) the row changes: the cached page is
    // what is served — the proof that the second listing did not query.
    seed.sql("UPDATE mail_messages SET subject = 'changed behind the back' WHERE id = $1", two.id());
    assertThat(first(list(key, null)).getString("subject")).isEqualTo("two");

    // Any change through the store takes a sequence number: the next listing reads afresh.
    Filed three = arrive(box, "three");
    JsonObject page = ok(list(key, null));
    assertThat(page.getJsonArray("messages").getJsonObject(0).getString("id")).isEqualTo(three.id().toString());
    assertThat(page.getJsonArray("messages").getJsonObject(1).getString("subject"))
        .isEqualTo("changed behind the back");

    assertThat(patch(key, three, "{\"is_read\": true}").statusCode()).isEqualTo(200);
    assertThat(first(list(key, null)).getBoolean("is_read")).isTrue();
    assertThat(patch(key, three, "{\"is_starred\": true}").statusCode()).isEqualTo(200);
    assertThat(first(list(key, null)).getBoolean("is_starred")).isTrue();
    assertThat(patch(key, three, "{\"folder\": \"archive\"}").statusCode()).isEqualTo(200);
    assertThat(first(list(key, null)).getString("id")).isEqualTo(two.id().toString());
    HttpResponse<String> deleted = gateway.send("DELETE", "/v1/inbox/messages/" + two.id(), null,
        Map.of("Authorization", "Bearer " + key));
    assertThat(deleted.statusCode()).as(deleted.body()).isBetween(200, 204);
    JsonObject after = ok(list(key, null));
    assertThat(after.getJsonArray("messages")).hasSize(1);
    assertThat(after.getJsonArray("messages").getJsonObject(0).getString("subject")).isEqualTo("one");
  }

  @Test
  void theETagAnswers304UntilTheMailboxChanges() {
    String key = mailboxWithKey("etag@cache.test");
    UUID box = mailboxId("etag@cache.test");
    arrive(box, "first");
    HttpResponse<String> page = list(key, null);
    String etag = page.headers().firstValue("ETag").orElseThrow();
    assertThat(etag).startsWith("W/\"").contains(box.toString());

    HttpResponse<String> same = list(key, etag);
    assertThat(same.statusCode()).isEqualTo(304);
    assertThat(same.body()).isEmpty();
    assertThat(same.headers().firstValue("ETag")).contains(etag);
    assertThat(same.headers().firstValue("X-RateLimit-Remaining")).isPresent();
    assertThat(list(key, "\"other\", " + etag).statusCode()).isEqualTo(304);
    assertThat(list(key, "*").statusCode()).isEqualTo(304);
    assertThat(list(key, "W/\"" + UUID.randomUUID() + "-0\"").statusCode()).isEqualTo(200);

    arrive(box, "second");
    HttpResponse<String> changed = list(key, etag);
    assertThat(first(changed).getString("subject")).isEqualTo("second");
    assertThat(changed.headers().firstValue("ETag").orElseThrow()).isNotEqualTo(etag);

    // Another mailbox at the same sequence number has another tag: never a 304 across mailboxes.
    String otherKey = mailboxWithKey("etag-other@cache.test");
    arrive(mailboxId("etag-other@cache.test"), "elsewhere");
    HttpResponse<String> other = list(otherKey, changed.headers().firstValue("ETag").orElseThrow());
    assertThat(first(other).getString("subject")).isEqualTo("elsewhere");
  }

  @Test
  void pagesOfOneMailboxAreNeverServedToAnother() {
    String a = mailboxWithKey("a@cache.test");
    String b = mailboxWithKey("b@cache.test");
    arrive(mailboxId("a@cache.test"), "for a");
    arrive(mailboxId("b@cache.test"), "for b");
    for (int i = 0; i < 3; i++) {
      assertThat(first(list(a, null)).getString("subject")).isEqualTo("for a");
      assertThat(first(list(b, null)).getString("subject")).isEqualTo("for b");
    }
  }
}
