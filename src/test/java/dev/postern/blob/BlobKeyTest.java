package dev.postern.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BlobKeyTest {

  @Test
  void acceptsTheKeysPosternWrites() {
    assertThat(BlobKey.requireValid("out/2026/11/22/0b9e-4c1a.eml"))
        .isEqualTo("out/2026/11/22/0b9e-4c1a.eml");
    assertThat(BlobKey.requireValid("in/attachments/été résumé.pdf")).isNotNull();
    assertThat(BlobKey.requireValid("a/.hidden/..x/b..")).isNotNull();
  }

  @Test
  void refusesPathTricksAndControlCharacters() {
    for (String key : new String[] {"", "/abs", "a/../b", "../a", "a/..", ".", "a/./b", "a\\b",
        "a\rb", "a\tb", "a\u007fb", "a\u2028b", "a//b", "a/", ".tmp-x", "y/.tmp-x/z"}) {
      assertThatThrownBy(() -> BlobKey.requireValid(key)).as(key)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> BlobKey.requireValid(null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void limitsKeysToS3sLengthInUtf8Bytes() {
    assertThat(BlobKey.requireValid("a".repeat(1024))).hasSize(1024);
    assertThatThrownBy(() -> BlobKey.requireValid("é".repeat(513)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void prefixesMayBeEmptyOrEndInASlash() {
    assertThat(BlobKey.requireValidPrefix("")).isEmpty();
    assertThat(BlobKey.requireValidPrefix("out/2026/")).isEqualTo("out/2026/");
    assertThat(BlobKey.requireValidPrefix("out/20")).isEqualTo("out/20");
    assertThatThrownBy(() -> BlobKey.requireValidPrefix("../"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
