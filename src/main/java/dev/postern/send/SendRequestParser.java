package dev.postern.send;

import dev.postern.mail.EmailAddress;
import dev.postern.mail.InvalidValue;
import dev.postern.mail.UnsafeText;
import dev.postern.send.SendRequest.Tag;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Turns a send body (SPEC §3 "Send body") into a {@link SendRequest}, or throws one
 * 400 {@code validation_error} listing every failing field ({@code to[3]},
 * {@code headers.X-Foo}, {@code attachments[1].filename}, …).
 *
 * <p>Fields read: {@code from to cc bcc reply_to subject text html headers attachments tags
 * in_reply_to scheduled_at}, snake_case only (what the Resend SDKs send). Everything else is
 * ignored, including server-owned fields such as {@code id}, {@code status}, {@code key_id},
 * {@code object} and {@code created_at}: they are never read, so never applied, and ignoring
 * rather than refusing keeps clients that echo a fetched email back working.
 *
 * <p>Limits: {@code to}, {@code cc}, {@code bcc} ≤ {@value #MAX_PER_LIST} entries each and
 * ≤ {@value #MAX_RECIPIENTS} distinct envelope recipients together (the number RFC 5321
 * §4.5.3.1.8 obliges a relay to accept in one transaction, and our SMTP limit); {@code reply_to}
 * ≤ {@value #MAX_REPLY_TO}; {@code subject} ≤ {@value #MAX_SUBJECT} characters; tags ≤
 * {@value #MAX_TAGS}. The key-dependent check ({@code from} against the key's binding, 403
 * {@code forbidden_sender}) is the caller's, on {@code from().address()} / {@code from().domain()}.
 */
public final class SendRequestParser {

  public static final int MAX_PER_LIST = 50;
  public static final int MAX_RECIPIENTS = 100;
  public static final int MAX_REPLY_TO = 10;
  public static final int MAX_SUBJECT = 998;
  public static final int MAX_TAGS = 50;

  private static final Pattern TAG_TEXT = Pattern.compile("[A-Za-z0-9_\\-]{1,256}");

  private final ScheduleParser schedule;

  public SendRequestParser(Clock clock) {
    this.schedule = new ScheduleParser(clock);
  }

  /** @throws dev.postern.refusal.Refusal {@code INVALID} with every issue */
  public SendRequest parse(JsonObject body) {
    Issues issues = new Issues();
    Optional<EmailAddress> from = issues.requiredString(body, "from", "from")
        .flatMap(f -> issues.check("from", f, EmailAddress::parse));
    List<EmailAddress> to = addresses(body, "to", MAX_PER_LIST, true, issues);
    List<EmailAddress> cc = addresses(body, "cc", MAX_PER_LIST, false, issues);
    List<EmailAddress> bcc = addresses(body, "bcc", MAX_PER_LIST, false, issues);
    List<EmailAddress> replyTo = addresses(body, "reply_to", MAX_REPLY_TO, false, issues);
    if (SendRequest.uniqueAddresses(to, cc, bcc).size() > MAX_RECIPIENTS) {
      issues.add("to", "to, cc and bcc together must list at most " + MAX_RECIPIENTS
          + " distinct recipients");
    }
    Optional<String> subject = issues.requiredString(body, "subject", "subject")
        .flatMap(s -> issues.check("subject", s, SendRequestParser::subject));
    Optional<String> text = issues.optionalString(body, "text", "text")
        .flatMap(t -> issues.check("text", t, SendRequestParser::bodyText));
    Optional<String> html = issues.optionalString(body, "html", "html")
        .flatMap(t -> issues.check("html", t, SendRequestParser::bodyText));
    if (body.getValue("text") == null && body.getValue("html") == null) {
      issues.add("text", "html or text is required");
    }
    List<SendRequest.Header> headers = HeaderRules.read(body, issues);
    List<SendRequest.Attachment> attachments = AttachmentRules.read(body, issues);
    List<Tag> tags = tags(body, issues);
    Optional<String> inReplyTo = issues.optionalString(body, "in_reply_to", "in_reply_to")
        .flatMap(id -> issues.check("in_reply_to", id, HeaderRules::messageId));
    Optional<Instant> at = issues.optionalString(body, "scheduled_at", "scheduled_at")
        .flatMap(s -> issues.check("scheduled_at", s, schedule::parse).flatMap(o -> o));
    issues.throwIfAny();
    return new SendRequest(from.orElseThrow(), to, cc, bcc, replyTo, subject.orElseThrow(),
        text, html, headers, attachments, tags, inReplyTo, List.of(), at);
  }

  /** A string or an array of strings, each one address (Resend accepts both shapes). */
  private static List<EmailAddress> addresses(
      JsonObject body, String key, int max, boolean required, Issues issues) {
    Object value = body.getValue(key);
    List<EmailAddress> out = new ArrayList<>();
    if (value == null) {
      if (required) {
        issues.add(key, "is required");
      }
    } else if (value instanceof String one) {
      issues.check(key, one, EmailAddress::parse).ifPresent(out::add);
    } else if (value instanceof JsonArray many) {
      if (many.size() > max) {
        issues.add(key, "must list at most " + max + " addresses");
        return List.of();
      }
      if (required && many.isEmpty()) {
        issues.add(key, "must list at least one address");
      }
      for (int i = 0; i < many.size(); i++) {
        String path = key + "[" + i + "]";
        if (many.getValue(i) instanceof String s) {
          issues.check(path, s, EmailAddress::parse).ifPresent(out::add);
        } else {
          issues.add(path, "must be a string");
        }
      }
    } else {
      issues.add(key, "must be a string or an array of strings");
    }
    return out;
  }

  /** RFC 5322 §2.1.1 / §2.2: one header line's worth, and no line breaks. */
  static String subject(String subject) {
    UnsafeText.requireHeaderSafe(subject);
    if (subject.codePointCount(0, subject.length()) > MAX_SUBJECT) {
      throw new InvalidValue("must be at most " + MAX_SUBJECT + " characters");
    }
    return subject;
  }

  private static String bodyText(String text) {
    UnsafeText.inBody(text).ifPresent(reason -> {
      throw new InvalidValue(reason);
    });
    return text;
  }

  private static List<Tag> tags(JsonObject body, Issues issues) {
    Optional<JsonArray> array = issues.optionalArray(body, "tags", "tags");
    if (array.isEmpty()) {
      return List.of();
    }
    if (array.get().size() > MAX_TAGS) {
      issues.add("tags", "must list at most " + MAX_TAGS + " tags");
      return List.of();
    }
    List<Tag> out = new ArrayList<>();
    for (int i = 0; i < array.get().size(); i++) {
      String path = "tags[" + i + "]";
      issues.objectAt(array.get(), i, path).ifPresent(tag -> {
        Optional<String> name = issues.requiredString(tag, "name", path + ".name")
            .flatMap(n -> issues.check(path + ".name", n, SendRequestParser::tagText));
        Optional<String> value = issues.requiredString(tag, "value", path + ".value")
            .flatMap(v -> issues.check(path + ".value", v, SendRequestParser::tagText));
        if (name.isPresent() && value.isPresent()) {
          out.add(new Tag(name.get(), value.get()));
        }
      });
    }
    return out;
  }

  private static String tagText(String text) {
    if (!TAG_TEXT.matcher(text).matches()) {
      throw new InvalidValue("must be 1-256 ASCII letters, digits, '_' or '-'");
    }
    return text;
  }
}
