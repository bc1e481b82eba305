package dev.postern.smtp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import io.netty.handler.codec.smtp.SmtpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes a reply (RFC 5321 §4.2): one line per detail, "250-first", "250-second", "250 last",
 * each ended by CRLF (§4.2.1). No detail, or an empty last one, gives "250" CRLF (the text is
 * optional in the Reply-line grammar of §4.2). A detail holding CR, LF or another control
 * character (HT aside) is refused with an IllegalArgumentException (the write fails with it as
 * the cause) before anything is written, so no text can inject a reply line.
 */
@ChannelHandler.Sharable
public final class SmtpReplyEncoder extends MessageToByteEncoder<SmtpResponse> {

  public SmtpReplyEncoder() {
    super(SmtpResponse.class);
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, SmtpResponse reply, ByteBuf out) {
    String code = checkedCode(reply.code());
    List<CharSequence> details = reply.details();
    details.forEach(SmtpReplyEncoder::checkText);
    if (details.isEmpty()) {
      writeLine(out, code, ' ', "");
      return;
    }
    for (int i = 0; i < details.size(); i++) {
      writeLine(out, code, i == details.size() - 1 ? ' ' : '-', details.get(i));
    }
  }

  private static void writeLine(ByteBuf out, String code, char separator, CharSequence text) {
    out.writeCharSequence(code, StandardCharsets.US_ASCII);
    if (separator == '-' || text.length() > 0) {
      out.writeByte(separator);
      // RFC 6531 §3.7.4.2: with SMTPUTF8, reply text may be UTF-8.
      out.writeCharSequence(text, StandardCharsets.UTF_8);
    }
    out.writeByte('\r').writeByte('\n');
  }

  /** RFC 5321 §4.2: Reply-code = %x32-35 %x30-35 %x30-39. */
  private static String checkedCode(int code) {
    if (code < 200 || code > 559 || code / 10 % 10 > 5) {
      throw new IllegalArgumentException("not an SMTP reply code: " + code);
    }
    return Integer.toString(code);
  }

  /** RFC 5321 §4.2: textstring = 1*(%d09 / %d32-126); no CR, LF or other control octets. */
  private static void checkText(CharSequence text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        throw new IllegalArgumentException(
            "control character 0x" + Integer.toHexString(c) + " in SMTP reply text");
      }
    }
  }
}
