package dev.postern.blob;

import java.time.Instant;

/** One stored object as {@link BlobStore#list} reports it. */
public record BlobInfo(String key, long size, Instant lastModified) {}
