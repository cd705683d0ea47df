package org.imagefoundry.host;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.imagefoundry.rules.PackageNames;
import org.imagefoundry.settings.FoundrySettings;
import org.springframework.stereotype.Component;

/** apt-get and dpkg inside the image's tree, in the {@link Sandbox}. */
@Component
public class Apt {

  /**
   * INITRD=No: a kernel package's hook (/etc/kernel/postinst.d/initramfs-tools) makes no initramfs. Without
   * it, a fresh install made the initramfs twice, in the hook and again in initramfs-tools' trigger at the end
   * of the same run; under emulation each pass takes minutes. Now the trigger finds no initramfs to update,
   * and {@link #makeMissingInitramfs} makes it once, after apt.
   */
  private static final Map<String, String> ENV = Map.of(
      "DEBIAN_FRONTEND", "noninteractive",
      "DEBCONF_NONINTERACTIVE_SEEN", "true",
      "LC_ALL", "C",
      "INITRD", "No");

  /** apt's messages for requests that no retry can satisfy. */
  private static final List<String> UNRECOVERABLE = List.of(
      "Unable to locate package",
      "has no installation candidate",
      "was not found",
      "Couldn't find any package");

  /** A line of {@code --print-uris}: 'uri' file-name size hash (apt 2.6 prints a package's MD5Sum). */
  private static final Pattern PRINTED_URI =
      Pattern.compile("'[^']*' (\\S+) ([0-9]{1,15}) ((?:MD5Sum|SHA256):[0-9a-f]+)");
  /** Far more than any install's list of downloads: the rest of a runaway output is not kept. */
  static final int MAX_PRINTED = 8 << 20;

  /** A package file apt would download: its name in archives/, its size and the hash apt names it by ({@code MD5Sum:<hex>} or {@code SHA256:<hex>}). */
  public record Download(String fileName, long size, String hash) {}

  private final Sandbox sandbox;
  private final FoundrySettings settings;

  public Apt(Sandbox sandbox, FoundrySettings settings) {
    this.sandbox = sandbox;
    this.settings = settings;
  }

  /** Finishes what a killed dpkg left half-configured; a no-op after a clean run. */
  public void repairInterrupted(Path root) {
    sandbox.run(root, Command.of(settings.timeouts().apt(), "dpkg", "--configure", "-a").withEnv(ENV));
  }

  public void update(Path root) {
    apt(root, "update");
  }

  /**
   * The package files that dist-upgrade and the install of {@code packages} would download, as apt in the
   * sandbox says ({@code --print-uris}: it downloads nothing); empty when apt cannot tell, and then the
   * install itself says why. The answer comes from the sandbox: use it only to choose among trusted files.
   */
  public List<Download> downloads(Path root, List<String> packages) {
    List<String> command = new ArrayList<>(List.of("apt-get", "-qq", "--print-uris", "dist-upgrade"));
    command.addAll(packages);
    var out = new BoundedOutput(MAX_PRINTED);
    try {
      sandbox.pipe(root, Command.of(settings.timeouts().apt(), command).withEnv(ENV), InputStream.nullInputStream(), out);
    } catch (CommandFailedException e) {
      BuildLog.warn("apt cannot list the package files it needs ({}): nothing is lent from the package pool",
          e.getMessage());
      return List.of();
    }
    List<Download> downloads = new ArrayList<>();
    for (String line : out.toString(StandardCharsets.UTF_8).lines().toList()) {
      var matcher = PRINTED_URI.matcher(line.trim());
      if (matcher.matches()) {
        downloads.add(new Download(matcher.group(1), Long.parseLong(matcher.group(2)), matcher.group(3)));
      }
    }
    return downloads;
  }

  /** Keeps the first {@code max} bytes written to it and drops the rest. */
  private static final class BoundedOutput extends ByteArrayOutputStream {
    private final int max;

    BoundedOutput(int max) {
      this.max = max;
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      super.write(b, off, Math.max(0, Math.min(len, max - count)));
    }

    @Override
    public synchronized void write(int b) {
      if (count < max) {
        super.write(b);
      }
    }
  }

  /** An initramfs for each kernel in /boot without one: the kernel's own hook made none (INITRD=No). */
  public void makeMissingInitramfs(Path root) {
    Path boot = root.resolve("boot");
    if (!Files.isDirectory(boot, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (var files = Files.list(boot)) {
      List<String> versions = files.map(f -> f.getFileName().toString()).filter(name -> name.startsWith("vmlinuz-"))
          .map(name -> name.substring("vmlinuz-".length())).filter(v -> v.matches("[A-Za-z0-9._+~-]+"))
          .filter(v -> !Files.exists(boot.resolve("initrd.img-" + v), LinkOption.NOFOLLOW_LINKS)).sorted().toList();
      for (String version : versions) {
        BuildLog.info("no initramfs for kernel {} yet: making it", version);
        sandbox.run(root, Command.of(settings.timeouts().apt(), "update-initramfs", "-c", "-k", version)
            .withEnv(Map.of("LC_ALL", "C")));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * dist-upgrade (fuel-agent's images missed updates, LP#1489646) and the install of exactly the
   * packages named, in one apt run: {@code apt-get dist-upgrade <packages>}, which apt resolves as one
   * problem, the same the print of {@link #downloads} answers. fuel-agent ran dist-upgrade, then install:
   * two runs of apt's resolver and of dpkg, 0.48 s against 0.34 s for a minbase plus less here. A name that
   * is not a package fails the build, naming it: apt-get would read a name with a regex character
   * ({@code .} or {@code +}) that no package has exactly as a pattern, so such a name must first be among
   * the package names the build's repos know.
   */
  public void upgradeAndInstall(Path root, List<String> packages) {
    for (String entry : packages) {
      PackageNames.problem(entry).ifPresent(problem -> {
        throw new BuildFailure("package " + entry + ": " + problem);
      });
      if (PackageNames.mayBeReadAsPattern(entry)) {
        requireExactPackage(root, PackageNames.name(entry));
      }
    }
    List<String> args = new ArrayList<>(List.of("-y", "-o", "Dpkg::Options::=--force-confdef",
        "-o", "Dpkg::Options::=--force-confold", "dist-upgrade"));
    args.addAll(packages);
    try {
      apt(root, args.toArray(String[]::new));
    } catch (CommandFailedException e) {
      String reason = e.tail().stream().filter(line -> line.startsWith("E:"))
          .filter(line -> UNRECOVERABLE.stream().anyMatch(line::contains)).findFirst().orElse(null);
      if (reason != null) {
        throw new BuildFailure("apt-get cannot install the packages: " + reason, e);
      }
      throw e;
    }
  }

  /** Fails the build unless a package of the build's repos has exactly this name. */
  private void requireExactPackage(Path root, String name) {
    // pkgnames takes a plain prefix, never a pattern, and lists real packages only
    List<String> known = sandbox.run(root, Command.of(settings.timeouts().apt(), "apt-cache", "pkgnames", name)
        .withEnv(ENV)).lines();
    if (known.stream().map(String::trim).noneMatch(name::equals)) {
      throw new BuildFailure("no package is named exactly " + name
          + " in the build's repos (apt-get would read the name as a pattern); nothing was installed");
    }
  }

  /**
   * The dpkg database's packages, a line each: status, name, version, architecture, source (tab-separated).
   * Read whole from standard output: a command's result keeps only its last lines.
   */
  public List<String> installed(Path root) {
    return output(root, Command.of(settings.timeouts().apt(), "dpkg-query", "--show", "--showformat",
        "${db:Status-Abbrev}\t${Package}\t${Version}\t${Architecture}\t${source:Package}\n").withEnv(ENV));
  }

  /** {@code apt-cache policy} of these packages: which repo offers each version (the lists must be there). */
  public List<String> policy(Path root, List<String> packages) {
    List<String> command = new ArrayList<>(List.of("apt-cache", "policy"));
    command.addAll(packages);
    return output(root, Command.of(settings.timeouts().apt(), command).withEnv(ENV));
  }

  private List<String> output(Path root, Command command) {
    var out = new ByteArrayOutputStream();
    sandbox.pipe(root, command, InputStream.nullInputStream(), out);
    return out.toString(StandardCharsets.UTF_8).lines().toList();
  }

  public void clean(Path root) {
    apt(root, "clean");
  }

  private void apt(Path root, String... args) {
    List<String> command = new ArrayList<>(List.of("apt-get"));
    command.addAll(List.of(args));
    sandbox.run(root, Command.of(settings.timeouts().apt(), command).withEnv(ENV));
  }
}
