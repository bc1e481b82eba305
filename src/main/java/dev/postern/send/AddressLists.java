package dev.postern.send;

import dev.postern.mail.EmailAddress;
import dev.postern.mail.InvalidValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The items of an address-list header value (RFC 5322 §3.4) as a received message has them:
 * split on commas outside quoted strings, angle brackets and comments; comments dropped; a group
 * ({@code name: a@x, b@y;}, §3.4) read as its members. An item our strict {@link EmailAddress}
 * parser refuses is kept as text: it is still shown, it just matches no envelope recipient.
 */
final class AddressLists {

  /** One item: its text, and the mailbox when it parses. */
  record Item(String text, Optional<EmailAddress> mailbox) {

    /** The mailbox in normal form, else the text as written. */
    String shown() {
      return mailbox.map(EmailAddress::toString).orElse(text);
    }
  }

  private AddressLists() {}

  static List<Item> items(String value) {
    List<Item> items = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean quoted = false;
    boolean escaped = false;
    boolean angle = false;
    int comment = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (escaped) {
        escaped = false;
        if (comment == 0) {
          current.append(c);
        }
        continue;
      }
      if (c == '\\' && (quoted || comment > 0)) {
        escaped = true;
        if (comment == 0) {
          current.append(c);
        }
        continue;
      }
      if (comment > 0) {
        comment += c == '(' ? 1 : c == ')' ? -1 : 0;
        continue;
      }
      if (quoted) {
        quoted = c != '"';
        current.append(c);
        continue;
      }
      switch (c) {
        case '"' -> {
          quoted = true;
          current.append(c);
        }
        case '(' -> comment = 1;
        case '<' -> {
          angle = true;
          current.append(c);
        }
        case '>' -> {
          angle = false;
          current.append(c);
        }
        case ':' -> {
          if (angle) {
            current.append(c);
          } else {
            current.setLength(0); // a group's display name: its members follow
          }
        }
        case ',', ';' -> {
          if (angle) {
            current.append(c);
          } else {
            add(items, current);
          }
        }
        default -> current.append(c);
      }
    }
    add(items, current);
    return items;
  }

  private static void add(List<Item> items, StringBuilder text) {
    String item = text.toString().strip();
    text.setLength(0);
    if (item.isEmpty()) {
      return;
    }
    Optional<EmailAddress> mailbox;
    try {
      mailbox = Optional.of(EmailAddress.parse(item));
    } catch (InvalidValue e) {
      mailbox = Optional.empty();
    }
    items.add(new Item(item, mailbox));
  }
}
