package dev.postern.send;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postern.blob.filesystem.FilesystemBlobStore;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Chunk boundaries anywhere — inside a CRLF, inside the empty line that ends the header block,
 * one octet at a time — never change what is stored: the header block less its Bcc field, then
 * the body octet for octet (CR, LF, NUL, 8-bit, lines that look like headers), inline or spilled
 * into the blob store at any point; and both digests match.
 */
class StreamedChunkingPropertiesTest {

  private static final String HEAD = "Message-ID: <p-1@shop.example>\r\n"
      + "Date: Sun, 22 Nov 2026 10:00:00 +0000\r\nFrom: app@shop.example\r\n"
      + "To: alice@example.org,\r\n\tbob@example.org\r\n";
  private static final String BCC = "Bcc: carol@example.org\r\n";
  private static final String TAIL = "Subject: chunks\r\n";

  private static Vertx vertx;
  private static FilesystemBlobStore blobs;

  @BeforeContainer
  static void start() throws IOException {
    vertx = Vertx.vertx();
    blobs = FilesystemBlobStore.create(vertx, Files.createTempDirectory("postern-chunks-")).await();
  }

  @AfterContainer
  static void stop() {
    blobs.close().await();
    vertx.close().await();
  }

  @Provide
  Arbitrary<byte[]> body() {
    Arbitrary<byte[]> pieces = Arbitraries.oneOf(
        Arbitraries.of("\r\n", "\r\n\r\n", "Bcc: x@example.org\r\n", "\r", "\n", "\u0000", ".\r\n")
            .map(s -> s.getBytes(StandardCharsets.ISO_8859_1)),
        Arbitraries.bytes().array(byte[].class).ofMaxSize(40));
    return pieces.list().ofMaxSize(60).map(list -> {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
      list.forEach(out::writeBytes);
      return out.toByteArray();
    });
  }

  @Property(tries = 60)
  void storedBytesDoNotDependOnChunking(@ForAll("body") byte[] body,
      @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 1, max = 97) Integer> chunkSizes,
      @ForAll @IntRange(min = 1, max = 700) int inlineLimit) {
    byte[] message = concat(HEAD.getBytes(StandardCharsets.US_ASCII), BCC.getBytes(StandardCharsets.US_ASCII),
        TAIL.getBytes(StandardCharsets.US_ASCII), body);
    byte[] expected = concat(HEAD.getBytes(StandardCharsets.US_ASCII),
        TAIL.getBytes(StandardCharsets.US_ASCII), body);

    StreamedPipeline.Result result = StreamedPipeline.run(vertx, blobs, inlineLimit, 1 << 20,
        message, i -> chunkSizes.get(i % chunkSizes.size()), StreamedPipeline.mailboxKey(),
        new SmtpEnvelope("app@shop.example", List.of("alice@example.org")), new StreamOptions(false));

    assertThat(result.bytes().getBytes()).isEqualTo(expected);
    assertThat(result.stored().inline() == null).isEqualTo(expected.length > inlineLimit);
    assertThat(result.stored().size()).isEqualTo(expected.length);
    assertThat(result.stored().sha256()).isEqualTo(StreamedPipeline.sha256(expected));
    assertThat(result.stored().receivedSha256()).isEqualTo(StreamedPipeline.sha256(message));
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
