package org.imagefoundry.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A disk booted by Debian's qemu-system-x86_64 without KVM (TCG), its first serial port on the process's
 * standard input and output: a test waits for text and types lines, as one would at the console.
 */
public final class SerialConsole implements AutoCloseable {

  private final Process qemu;
  private final StringBuffer output = new StringBuffer();
  private final OutputStream input;
  private int consumed;

  private SerialConsole(Process qemu) {
    this.qemu = qemu;
    this.input = qemu.getOutputStream();
    Thread reader = new Thread(() -> read(qemu.getInputStream()), "serial-console");
    reader.setDaemon(true);
    reader.start();
  }

  /** Boots {@code disk} (format {@code format}) with BIOS firmware, 1 GiB of memory, read-write on a snapshot. */
  public static SerialConsole boot(Path disk, String format) {
    try {
      return new SerialConsole(new ProcessBuilder(List.of("qemu-system-x86_64", "-accel", "tcg", "-m", "1024",
          "-smp", "2", "-display", "none", "-monitor", "none", "-serial", "stdio", "-no-reboot", "-snapshot",
          "-drive", "file=" + disk + ",format=" + format + ",if=virtio"))
          .redirectErrorStream(true).start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until {@code text} appears after what earlier waits consumed; returns the output up to it. */
  public String await(String text, Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      int at = output.indexOf(text, consumed);
      if (at >= 0) {
        String seen = output.substring(consumed, at + text.length());
        consumed = at + text.length();
        return seen;
      }
      if (!qemu.isAlive() && output.indexOf(text, consumed) < 0) {
        throw new AssertionError("qemu ended (" + qemu.exitValue() + ") before \"" + text + "\":\n" + tail());
      }
      Api.sleepSeconds(1);
    }
    throw new AssertionError("no \"" + text + "\" on the serial console within " + limit + ":\n" + tail());
  }

  public void type(String line) {
    try {
      input.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      input.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String tail() {
    return output.substring(Math.max(0, output.length() - 4000));
  }

  private void read(InputStream in) {
    byte[] buffer = new byte[8192];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        output.append(new String(buffer, 0, n, StandardCharsets.UTF_8).replace("\r", ""));
      }
    } catch (IOException e) {
      // qemu ended
    }
  }

  @Override
  public void close() throws InterruptedException {
    qemu.destroy();
    if (!qemu.waitFor(java.time.Duration.ofSeconds(10).toSeconds(), java.util.concurrent.TimeUnit.SECONDS)) {
      qemu.destroyForcibly().waitFor();
    }
  }
}
