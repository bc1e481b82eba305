package dev.postern.send;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.postern.blob.BufferViews;
import dev.postern.refusal.Refusal;
import dev.postern.mail.InvalidValue;
import dev.postern.mail.UnsafeText;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Decodes a request body into Vert.x JSON with hard limits, so that a hostile body costs bounded
 * memory and stack and always ends in 400 {@code validation_error} on path {@code body}:
 * <ul>
 *   <li>strict UTF-8 (RFC 8259 §8.1), checked before parsing; no lone surrogates from {@code \\u}
 *       escapes in keys or strings;</li>
 *   <li>duplicate keys refused (RFC 8259 §4 leaves them undefined; we refuse ambiguity);</li>
 *   <li>nesting ≤ {@value #MAX_DEPTH}, tokens ≤ {@value #MAX_TOKENS}, object members in the whole
 *       document ≤ {@value #MAX_MEMBERS} (a full batch of 100 rich send bodies fits), keys ≤
 *       {@value #MAX_KEY_LENGTH} chars, numbers ≤ {@value #MAX_NUMBER_LENGTH} digits;</li>
 *   <li>strings ≤ {@value #MAX_STRING_LENGTH} chars: a 25 MB attachment as base64, with line
 *       breaks;</li>
 *   <li>integers must fit a {@code long}, decimals a finite {@code double} ({@code 1e999999} is
 *       refused, not turned into Infinity);</li>
 *   <li>nothing may follow the root value.</li>
 * </ul>
 * The overall byte size is the HTTP layer's limit (413), not this class's. Thread-safe.
 *
 * <p>{@link #viewing} members: a long value (≥ {@link LargeJsonString#THRESHOLD} chars) of a
 * member so named that is printable ASCII without escapes — an attachment's base64 — is not
 * decoded at all but returned as an {@link AsciiText} over the body's own bytes (Jackson then
 * only skips it). The body must not change afterwards; {@code JsonObject.getString} still gives
 * it as a String.
 */
public final class RequestJson {

  public static final int MAX_DEPTH = 64;
  public static final long MAX_TOKENS = 200_000;
  public static final int MAX_MEMBERS = 20_000;
  public static final int MAX_KEY_LENGTH = 256;
  public static final int MAX_NUMBER_LENGTH = 64;
  public static final int MAX_STRING_LENGTH = 36_000_000;

  private static final String PATH = "body";
  private static final Pattern PRINTABLE_KEY = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");

  private final JsonFactory factory;
  private final Set<String> viewed;

  public RequestJson() {
    this(Set.of());
  }

  private RequestJson(Set<String> viewed) {
    this.viewed = viewed;
    this.factory = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(MAX_DEPTH)
            .maxTokenCount(MAX_TOKENS)
            .maxNameLength(MAX_KEY_LENGTH)
            .maxNumberLength(MAX_NUMBER_LENGTH)
            .maxStringLength(MAX_STRING_LENGTH)
            .build())
        .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .disable(com.fasterxml.jackson.core.StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
        .build();
  }

  /** Parses the same way, but long plain values of the members named are {@link AsciiText} views. */
  public static RequestJson viewing(String... members) {
    return new RequestJson(Set.of(members));
  }

  /** The body as a JSON object (a send body); anything else is a validation error. */
  public JsonObject object(Buffer body) {
    Object value = value(body);
    if (value instanceof JsonObject object) {
      return object;
    }
    throw Refusal.invalid(PATH, "must be a JSON object");
  }

  /** The body as a JSON array (a batch); anything else is a validation error. */
  public JsonArray array(Buffer body) {
    Object value = value(body);
    if (value instanceof JsonArray array) {
      return array;
    }
    throw Refusal.invalid(PATH, "must be a JSON array");
  }

  public JsonObject object(byte[] body) {
    return object(Buffer.buffer(body));
  }

  public JsonArray array(byte[] body) {
    return array(Buffer.buffer(body));
  }

  /** The root value: JsonObject, JsonArray, String, Long, Double, Boolean or null. */
  public Object value(Buffer body) {
    try {
      Utf8Check.requireValid(body);
      BufferViews.ArrayRegion bytes = BufferViews.arrayOf(body);
      // Parsed in place when the body is one heap array (no copy through a stream).
      try (JsonParser parser = bytes != null
          ? factory.createParser(bytes.array(), bytes.offset(), bytes.length())
          : factory.createParser(new BufferStream(body))) {
        JsonToken first = parser.nextToken();
        if (first == null) {
          throw new InvalidValue("is empty");
        }
        Object root = new TreeBuilder(parser, viewed.isEmpty() ? null : bytes, viewed).read(first, null);
        if (parser.nextToken() != null) {
          throw new InvalidValue("has content after the JSON value");
        }
        return root;
      }
    } catch (InvalidValue e) {
      throw Refusal.invalid(PATH, e.getMessage());
    } catch (StreamConstraintsException e) {
      throw Refusal.invalid(PATH, limitReason(e));
    } catch (JsonParseException e) {
      throw Refusal.invalid(PATH, parseReason(e));
    } catch (IOException e) {
      throw Refusal.invalid(PATH, "is not valid JSON");
    }
  }

  private static String limitReason(StreamConstraintsException e) {
    String m = String.valueOf(e.getOriginalMessage());
    if (m.contains("nesting depth")) {
      return "JSON is nested deeper than " + MAX_DEPTH + " levels";
    } else if (m.contains("Token count")) {
      return "JSON has more than " + MAX_TOKENS + " tokens";
    } else if (m.contains("Name length")) {
      return "a JSON key is longer than " + MAX_KEY_LENGTH + " characters";
    } else if (m.contains("String value length")) {
      return "a JSON string is longer than " + MAX_STRING_LENGTH + " characters";
    } else if (m.contains("Number value length")) {
      return "a JSON number is longer than " + MAX_NUMBER_LENGTH + " digits";
    }
    return "JSON exceeds a size limit";
  }

  private static String parseReason(JsonParseException e) {
    String m = String.valueOf(e.getOriginalMessage());
    if (m.startsWith("Duplicate field") || m.startsWith("Duplicate Object property")) {
      String name = e.getProcessor() != null ? safeName(e.getProcessor()) : "";
      return "duplicate JSON key" + name;
    }
    JsonLocation at = e.getLocation();
    return at == null
        ? "is not valid JSON"
        : "is not valid JSON (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
  }

  private static String safeName(JsonParser parser) {
    try {
      String name = parser.currentName();
      return name != null && PRINTABLE_KEY.matcher(name).matches() ? " \"" + name + "\"" : "";
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  /** Builds the tree; recursion is bounded by {@link #MAX_DEPTH}, enforced by Jackson first. */
  private static final class TreeBuilder {
    private final JsonParser parser;
    private final BufferViews.ArrayRegion body;
    private final Set<String> viewed;
    private int members;

    /** @param body the parsed bytes in place, when values may be viewed there; else null */
    TreeBuilder(JsonParser parser, BufferViews.ArrayRegion body, Set<String> viewed) {
      this.parser = parser;
      this.body = body;
      this.viewed = viewed;
    }

    /** @param member the name of the member whose value this is; null in arrays and at the root */
    Object read(JsonToken token, String member) throws IOException {
      switch (token) {
        case START_OBJECT:
          return readObject();
        case START_ARRAY:
          return readArray();
        case VALUE_STRING:
          if (body != null && member != null && viewed.contains(member)) {
            AsciiText view = view();
            if (view != null) {
              return view;
            }
          }
          if (parser.getTextLength() >= LargeJsonString.THRESHOLD) {
            boolean[] latin1 = new boolean[1];
            String text = LargeJsonString.read(parser, latin1);
            // Latin-1 text holds no surrogates: the scan is needed only for the wide case.
            return latin1[0] ? text : checked(text);
          }
          return checked(parser.getText());
        case VALUE_NUMBER_INT:
          if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw new InvalidValue("has an integer out of range");
          }
          return parser.getLongValue();
        case VALUE_NUMBER_FLOAT:
          double d = parser.getDoubleValue();
          if (Double.isInfinite(d) || Double.isNaN(d)) {
            throw new InvalidValue("has a number out of range");
          }
          return d;
        case VALUE_TRUE:
          return Boolean.TRUE;
        case VALUE_FALSE:
          return Boolean.FALSE;
        case VALUE_NULL:
          return null;
        default:
          throw new InvalidValue("is not valid JSON");
      }
    }

    private JsonObject readObject() throws IOException {
      JsonObject object = new JsonObject(new LinkedHashMap<>());
      JsonToken token;
      while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
        if (++members > MAX_MEMBERS) {
          throw new InvalidValue("JSON has more than " + MAX_MEMBERS + " object members");
        }
        String key = checked(parser.currentName());
        object.put(key, read(parser.nextToken(), key));
      }
      if (token != JsonToken.END_OBJECT) {
        throw new InvalidValue("is not valid JSON");
      }
      return object;
    }

    private JsonArray readArray() throws IOException {
      JsonArray array = new JsonArray();
      JsonToken token;
      while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
        if (token == null) {
          throw new InvalidValue("is not valid JSON");
        }
        array.add(read(token, null));
      }
      return array;
    }

    /**
     * The current string token as a view of the body, when it is long and plain (see
     * {@link AsciiText#plainJsonRunEnd}); else null and the token is read as usual. Nothing of
     * the token has been decoded yet (Jackson decodes a string lazily), and a viewed one never
     * is: the next {@code nextToken()} skips it.
     */
    private AsciiText view() throws IOException {
      long quote = parser.currentTokenLocation().getByteOffset(); // relative to the region
      if (quote < 0 || quote >= body.length() || body.array()[body.offset() + (int) quote] != '"') {
        return null;
      }
      int start = body.offset() + (int) quote + 1;
      int limit = body.offset() + body.length();
      int end = AsciiText.plainJsonRunEnd(body.array(), start, limit);
      if (end == limit || body.array()[end] != '"' || end - start < LargeJsonString.THRESHOLD) {
        return null;
      }
      if (end - start > MAX_STRING_LENGTH) {
        throw new InvalidValue("a JSON string is longer than " + MAX_STRING_LENGTH + " characters");
      }
      return new AsciiText(body.array(), start, end - start);
    }

    private static String checked(String text) {
      if (UnsafeText.inBody(text).isPresent()) {
        throw new InvalidValue("has a string with an unpaired UTF-16 surrogate");
      }
      return text;
    }
  }

  /** Reads a Buffer without copying it whole. */
  private static final class BufferStream extends InputStream {
    private final Buffer buffer;
    private int position;

    BufferStream(Buffer buffer) {
      this.buffer = buffer;
    }

    @Override
    public int read() {
      return position < buffer.length() ? buffer.getByte(position++) & 0xff : -1;
    }

    @Override
    public int read(byte[] into, int offset, int length) {
      if (length == 0) {
        return 0;
      }
      int available = buffer.length() - position;
      if (available <= 0) {
        return -1;
      }
      int n = Math.min(length, available);
      buffer.getBytes(position, position + n, into, offset);
      position += n;
      return n;
    }
  }
}
