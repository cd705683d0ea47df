package org.imagefoundry.host;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.apache.commons.codec.binary.Hex;
import org.apache.commons.codec.digest.DigestUtils;
import org.springframework.stereotype.Component;

/**
 * A copy of an image file with a few of its byte ranges rewritten, and the copy's md5, taken beside the
 * copy: a thread reads the source (from the page cache, while cp reads it too) and hashes the patches'
 * bytes in place of the source's, so the md5 neither waits for the copy nor reads it again afterwards.
 * The source must not change meanwhile (an entry of the image store, held).
 */
@Component
public class PatchedCopies {

  private static final int BUFFER = 1 << 20;

  /** {@code bytes} written at {@code offset} of the copy. */
  public record Patch(long offset, byte[] bytes) {}

  private final SparseFiles sparseFiles;

  public PatchedCopies(SparseFiles sparseFiles) {
    this.sparseFiles = sparseFiles;
  }

  /** Copies {@code source} to {@code target} (holes kept), writes {@code patches} into the copy, and returns its md5. */
  public String copy(Path source, Path target, List<Patch> patches) {
    try {
      long size = Files.size(source);
      for (Patch patch : patches) {
        if (patch.offset() < 0 || patch.offset() + patch.bytes().length > size) {
          throw new IllegalArgumentException("a patch at byte " + patch.offset() + " does not lie within " + source);
        }
      }
      FutureTask<String> md5 = new FutureTask<>(() -> md5(source, patches));
      Thread hashing = new Thread(md5, "patched-md5 " + target.getFileName());
      hashing.setDaemon(true);
      hashing.start();
      sparseFiles.copy(source, target);
      try (FileChannel out = FileChannel.open(target, StandardOpenOption.WRITE)) {
        for (Patch patch : patches) {
          ByteBuffer bytes = ByteBuffer.wrap(patch.bytes());
          while (bytes.hasRemaining()) {
            out.write(bytes, patch.offset() + bytes.position());
          }
        }
      }
      return md5.get();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ExecutionException e) {
      throw new UncheckedIOException("could not read " + source,
          e.getCause() instanceof IOException io ? io : new IOException(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while copying " + source, e);
    }
  }

  /** The md5 of {@code source}'s bytes with {@code patches}' bytes in their places. */
  static String md5(Path source, List<Patch> patches) throws IOException {
    MessageDigest digest = DigestUtils.getMd5Digest();
    byte[] buffer = new byte[BUFFER];
    long position = 0;
    try (InputStream in = Files.newInputStream(source)) {
      for (int read = in.readNBytes(buffer, 0, BUFFER); read > 0; read = in.readNBytes(buffer, 0, BUFFER)) {
        for (Patch patch : patches) {
          long from = Math.max(position, patch.offset());
          long to = Math.min(position + read, patch.offset() + patch.bytes().length);
          if (from < to) {
            System.arraycopy(patch.bytes(), (int) (from - patch.offset()), buffer, (int) (from - position), (int) (to - from));
          }
        }
        digest.update(buffer, 0, read);
        position += read;
      }
    }
    return Hex.encodeHexString(digest.digest());
  }
}
