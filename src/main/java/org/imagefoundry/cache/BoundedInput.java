package org.imagefoundry.cache;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * A file a build's sandbox could have written, read by the host: opened without following a link, and
 * never read past {@code max} bytes, counting what was read (a file that reads {@code max} bytes is
 * larger than the caller accepts).
 */
final class BoundedInput extends FilterInputStream {

  private final long max;
  private long count;

  private BoundedInput(InputStream in, long max) {
    super(in);
    this.max = max;
  }

  static BoundedInput open(Path file, long max) throws IOException {
    return new BoundedInput(Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS), max);
  }

  /** A regular file, not a link and not a device or pipe. */
  static boolean isPlainFile(Path file) {
    return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS);
  }

  long count() {
    return count;
  }

  @Override
  public int read() throws IOException {
    if (count >= max) {
      return -1;
    }
    int b = super.read();
    if (b >= 0) {
      count++;
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (count >= max) {
      return -1;
    }
    int n = super.read(b, off, (int) Math.min(len, max - count));
    if (n > 0) {
      count += n;
    }
    return n;
  }

  @Override
  public long skip(long n) {
    return 0;
  }
}
