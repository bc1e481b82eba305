package dev.postern.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads and writes {@link RunResult} as snake_case JSON (jq-friendly for run.sh). */
final class ResultJson {

  private static final ObjectMapper MAPPER = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(SerializationFeature.INDENT_OUTPUT)
      // Results written by hand or by jq for external tools carry only some fields.
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  private ResultJson() {}

  static String write(RunResult result) throws IOException {
    return MAPPER.writeValueAsString(result);
  }

  static RunResult read(String json) throws IOException {
    return MAPPER.readValue(json, RunResult.class);
  }

  static void writeFile(RunResult result, Path file) throws IOException {
    Files.writeString(file, write(result));
  }

  static RunResult readFile(Path file) throws IOException {
    return read(Files.readString(file));
  }
}
