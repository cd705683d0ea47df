package org.imagefoundry.api;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/** Copies a build's log as it grows, until the build has ended and every line is out. */
final class LogFollower {

  private static final long POLL_MILLIS = 250;

  private LogFollower() {}

  /** Copies what {@code file} holds; while {@code ended} says false, waits for more and copies that too. */
  static void copy(Path file, OutputStream out, BooleanSupplier ended) throws IOException {
    long position = 0;
    byte[] buffer = new byte[64 * 1024];
    while (true) {
      boolean last = ended.getAsBoolean(); // asked before reading, so lines written just before the end are sent
      if (Files.exists(file)) {
        try (RandomAccessFile log = new RandomAccessFile(file.toFile(), "r")) {
          log.seek(position);
          int read;
          while ((read = log.read(buffer)) > 0) {
            out.write(buffer, 0, read);
            position += read;
          }
        }
        out.flush();
      }
      if (last) {
        return;
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
