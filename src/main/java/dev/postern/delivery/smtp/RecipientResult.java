package dev.postern.delivery.smtp;

/** One recipient's outcome of one attempt, with the exact reply (or local reason) behind it. */
public record RecipientResult(String address, Verdict verdict, String reply) {}
