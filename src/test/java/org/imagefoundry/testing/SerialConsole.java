package org.imagefoundry.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A disk booted by Debian's qemu-system-x86_64 without KVM (TCG), with SeaBIOS or OVMF, its first serial
 * port on the process's standard input and output: a test waits for text and types lines, as one would at
 * the console.
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

  /** Debian's OVMF (package ovmf): the UEFI firmware's code, and the template of its variable store. */
  public static final Path OVMF_CODE = Path.of("/usr/share/OVMF/OVMF_CODE.fd");
  public static final Path OVMF_VARS = Path.of("/usr/share/OVMF/OVMF_VARS.fd");

  /** Boots {@code disk} (format {@code format}) with BIOS firmware (SeaBIOS), 1 GiB of memory, read-write on a snapshot. */
  public static SerialConsole boot(Path disk, String format) {
    return start(qemu(disk, format));
  }

  /**
   * Boots {@code disk} with UEFI firmware (OVMF): its code a read-only flash, its variables a writable
   * copy of OVMF_VARS.fd in {@code scratch} (the firmware writes its boot entries there), no network card
   * (nothing for the firmware to try before the disk).
   */
  public static SerialConsole bootWithOvmf(Path disk, String format, Path scratch) {
    try {
      Path vars = Files.copy(OVMF_VARS, scratch.resolve("OVMF_VARS.fd"), StandardCopyOption.REPLACE_EXISTING);
      List<String> command = new ArrayList<>(qemu(disk, format));
      command.addAll(List.of("-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + OVMF_CODE,
          "-drive", "if=pflash,format=raw,unit=1,file=" + vars, "-nic", "none"));
      return start(command);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static final Path AAVMF_CODE = Path.of("/usr/share/AAVMF/AAVMF_CODE.fd");
  public static final Path AAVMF_VARS = Path.of("/usr/share/AAVMF/AAVMF_VARS.fd");

  /**
   * Boots an arm64 {@code disk} on QEMU's virt machine (TCG, a Cortex-A72) with UEFI firmware (AAVMF), as
   * {@link #bootWithOvmf} does for a PC: the firmware's console and the kernel's ttyAMA0 are the PL011 on stdio.
   */
  public static SerialConsole bootArm64(Path disk, String format, Path scratch) {
    try {
      Path vars = Files.copy(AAVMF_VARS, scratch.resolve("AAVMF_VARS.fd"), StandardCopyOption.REPLACE_EXISTING);
      List<String> command = new ArrayList<>(List.of("qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a72"));
      command.addAll(machine(disk, format));
      command.addAll(List.of("-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + AAVMF_CODE,
          "-drive", "if=pflash,format=raw,unit=1,file=" + vars, "-nic", "none"));
      return start(command);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> qemu(Path disk, String format) {
    List<String> command = new ArrayList<>(List.of("qemu-system-x86_64"));
    command.addAll(machine(disk, format));
    return command;
  }

  /** What every boot has: TCG, 1 GiB and 2 CPUs, no screen, the serial console on stdio, the disk on a snapshot. */
  private static List<String> machine(Path disk, String format) {
    return List.of("-accel", "tcg", "-m", "1024", "-smp", "2", "-display", "none", "-monitor", "none",
        "-serial", "stdio", "-no-reboot", "-snapshot", "-drive", "file=" + disk + ",format=" + format + ",if=virtio");
  }

  private static SerialConsole start(List<String> command) {
    try {
      return new SerialConsole(new ProcessBuilder(command).redirectErrorStream(true).start());
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
