package org.imagefoundry.host;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.imagefoundry.FoundrySettings;
import org.imagefoundry.spec.PackageNames;
import org.springframework.stereotype.Component;

/** apt-get and dpkg inside the image's tree, in the {@link Sandbox}. */
@Component
public class Apt {

  private static final Map<String, String> ENV = Map.of(
      "DEBIAN_FRONTEND", "noninteractive",
      "DEBCONF_NONINTERACTIVE_SEEN", "true",
      "LC_ALL", "C");

  /** apt's messages for requests that no retry can satisfy. */
  private static final List<String> UNRECOVERABLE = List.of(
      "Unable to locate package",
      "has no installation candidate",
      "was not found",
      "Couldn't find any package");

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

  public void distUpgrade(Path root) {
    apt(root, "-y", "-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold", "dist-upgrade");
  }

  /**
   * Installs exactly the packages named, or fails the build naming the first that is not a package:
   * apt-get would read a name with a regex character ({@code .} or {@code +}) that no package has
   * exactly as a pattern, so such a name must first be among the package names the build's repos know.
   */
  public void install(Path root, List<String> packages) {
    if (packages.isEmpty()) {
      return;
    }
    for (String entry : packages) {
      PackageNames.problem(entry).ifPresent(problem -> {
        throw new BuildFailure("package " + entry + ": " + problem);
      });
      if (PackageNames.mayBeReadAsPattern(entry)) {
        requireExactPackage(root, PackageNames.name(entry));
      }
    }
    List<String> args = new ArrayList<>(List.of("-y", "-o", "Dpkg::Options::=--force-confdef",
        "-o", "Dpkg::Options::=--force-confold", "install"));
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
