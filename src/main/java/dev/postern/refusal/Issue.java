package dev.postern.refusal;

/** One failing field of an {@link Reason#INVALID} refusal: where, and what is wrong with it. */
public record Issue(String path, String message) {}
