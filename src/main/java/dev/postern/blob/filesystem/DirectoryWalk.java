package dev.postern.blob.filesystem;

import dev.postern.blob.BlobInfo;
import dev.postern.blob.BlobKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Blocking directory scans behind {@code list} and the temp-file sweep: worker threads only. */
final class DirectoryWalk {

  private DirectoryWalk() {}

  /**
   * Objects whose key starts with {@code prefix}, in key order (as S3 lists them), at most
   * {@code max}. Temp files of writes in flight are not objects and are skipped.
   */
  static List<BlobInfo> list(Path root, String prefix, int max) throws IOException {
    List<BlobInfo> found = new ArrayList<>();
    int slash = prefix.lastIndexOf('/');
    String baseKey = slash < 0 ? "" : prefix.substring(0, slash);
    Path base = baseKey.isEmpty() ? root : root.resolve(baseKey);
    if (max > 0 && Files.isDirectory(base)) {
      walk(base, baseKey, prefix, max, found);
    }
    return found;
  }

  private static void walk(Path dir, String dirKey, String prefix, int max,
      List<BlobInfo> found) throws IOException {
    List<Entry> entries = new ArrayList<>();
    try (Stream<Path> children = Files.list(dir)) {
      for (Path child : (Iterable<Path>) children::iterator) {
        String name = child.getFileName().toString();
        if (name.startsWith(BlobKey.TEMP_PREFIX)) {
          continue;
        }
        String key = dirKey.isEmpty() ? name : dirKey + "/" + name;
        try {
          BasicFileAttributes attributes = Files.readAttributes(child, BasicFileAttributes.class);
          entries.add(new Entry(child, key, attributes));
        } catch (NoSuchFileException deletedMeanwhile) {
          // a concurrent delete: not listed
        }
      }
    } catch (NoSuchFileException deletedMeanwhile) {
      return;
    }
    // A directory sorts as "name/", so the walk visits keys in exact string order.
    entries.sort(Comparator.comparing(Entry::sortKey));
    for (Entry entry : entries) {
      if (found.size() >= max) {
        return;
      }
      if (entry.attributes.isDirectory()) {
        String asPrefix = entry.key + "/";
        if (asPrefix.startsWith(prefix) || prefix.startsWith(asPrefix)) {
          walk(entry.path, entry.key, prefix, max, found);
        }
      } else if (entry.attributes.isRegularFile() && entry.key.startsWith(prefix)) {
        found.add(new BlobInfo(entry.key, entry.attributes.size(),
            entry.attributes.lastModifiedTime().toInstant()));
      }
    }
  }

  /** Deletes temp files last modified before {@code cutoff}; returns how many. */
  static int deleteTempFilesOlderThan(Path root, Instant cutoff) throws IOException {
    List<Path> stale = new ArrayList<>();
    try (Stream<Path> all = Files.walk(root)) {
      all.filter(p -> p.getFileName().toString().startsWith(BlobKey.TEMP_PREFIX))
          .filter(p -> modifiedBefore(p, cutoff))
          .forEach(stale::add);
    }
    int deleted = 0;
    for (Path path : stale) {
      if (Files.deleteIfExists(path)) {
        deleted++;
      }
    }
    return deleted;
  }

  private static boolean modifiedBefore(Path path, Instant cutoff) {
    try {
      return Files.isRegularFile(path)
          && Files.getLastModifiedTime(path).toInstant().isBefore(cutoff);
    } catch (IOException e) {
      return false;
    }
  }

  private record Entry(Path path, String key, BasicFileAttributes attributes) {
    String sortKey() {
      return attributes.isDirectory() ? key + "/" : key;
    }
  }
}
