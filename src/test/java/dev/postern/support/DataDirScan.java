package dev.postern.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Looks for any 32-octet window of a secret in every regular file under a directory (a gateway's
 * data directory: the embedded PostgreSQL's files, WAL included, and the blob store). Any 32-octet
 * window of the secret contains one of its 16-octet blocks that start at a multiple of 16, so
 * finding none of those blocks anywhere proves no window is there; each candidate is checked
 * octet for octet. Files that vanish during the walk (PostgreSQL's temporary files) are skipped.
 */
public final class DataDirScan {

  private static final int BLOCK = 16;

  private DataDirScan() {}

  /** The files that hold one of {@code secret}'s aligned 16-octet blocks (relative paths). */
  public static List<String> filesContaining(Path dir, byte[] secret) {
    if (secret.length < 2 * BLOCK) {
      throw new IllegalArgumentException("the secret must be at least 32 octets");
    }
    Map<Long, List<Integer>> blocks = new HashMap<>();
    for (int at = 0; at + BLOCK <= secret.length; at += BLOCK) {
      blocks.computeIfAbsent(prefix(secret, at), k -> new ArrayList<>()).add(at);
    }
    List<String> found = new ArrayList<>();
    try {
      // walkFileTree, not Files.walk: the latter's iterator throws when an entry it listed is gone
      // before its attributes are read (pg_internal.init is rewritten and removed while we walk).
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          if (!attrs.isRegularFile()) {
            return FileVisitResult.CONTINUE;
          }
          byte[] bytes;
          try {
            bytes = Files.readAllBytes(file);
          } catch (NoSuchFileException gone) {
            return FileVisitResult.CONTINUE;
          }
          if (contains(bytes, secret, blocks)) {
            found.add(dir.relativize(file).toString());
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException failure) throws IOException {
          if (failure instanceof NoSuchFileException) {
            return FileVisitResult.CONTINUE;
          }
          throw failure;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path directory, IOException failure)
            throws IOException {
          if (failure != null && !(failure instanceof NoSuchFileException)) {
            throw failure;
          }
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return found;
  }

  private static boolean contains(byte[] haystack, byte[] secret, Map<Long, List<Integer>> blocks) {
    long window = 0;
    for (int i = 0; i < haystack.length; i++) {
      window = (window << 8) | (haystack[i] & 0xff);
      int start = i - 7;
      if (start < 0 || start + BLOCK > haystack.length) {
        continue;
      }
      List<Integer> candidates = blocks.get(window);
      if (candidates == null) {
        continue;
      }
      for (int at : candidates) {
        if (Arrays.equals(haystack, start, start + BLOCK, secret, at, at + BLOCK)) {
          return true;
        }
      }
    }
    return false;
  }

  private static long prefix(byte[] bytes, int at) {
    long value = 0;
    for (int i = 0; i < 8; i++) {
      value = (value << 8) | (bytes[at + i] & 0xff);
    }
    return value;
  }
}
