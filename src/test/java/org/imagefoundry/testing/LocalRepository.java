package org.imagefoundry.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.apache.commons.codec.digest.DigestUtils;
import org.imagefoundry.host.Command;
import org.imagefoundry.host.ProcessCommandRunner;

/**
 * An unsigned apt repository on disk (suite {@code local}, component {@code main}) holding packages made
 * here with dpkg-deb: what a file: repo in a request points at. {@link #create} makes the marker
 * package, which installs {@link #MARKER}; {@link #createWithGate} adds {@link #GATE}, whose postinst
 * holds the build in installPackages until the test opens the gate.
 */
public final class LocalRepository {

  public static final String PACKAGE = "image-foundry-marker";
  public static final String MARKER = "usr/share/image-foundry-marker/marker";
  public static final String GATE = "image-foundry-gate";
  /** The line the gate's postinst prints when it starts waiting. */
  public static final String GATE_WAITING = "gate: waiting";

  /**
   * One package: its name, its files (path in the image → content), its postinst script, if any, and its
   * programs (path in the image → a file on this host, installed executable).
   */
  public record Package(String name, Map<String, String> files, String postinst, Map<String, Path> programs) {

    public Package(String name, Map<String, String> files, String postinst) {
      this(name, files, postinst, Map.of());
    }
  }

  private LocalRepository() {}

  public static void create(Path dir) {
    create(dir, List.of(marker()));
  }

  /**
   * The marker and the gate. The gate's postinst waits, ignoring SIGTERM, until {@link #openGate} (the
   * repo is bind-mounted into the chroot at its own path, so the file appears there); while
   * {@link #failGate} holds it fails instead.
   */
  public static void createWithGate(Path dir) {
    String postinst = """
        #!/bin/sh
        trap '' TERM
        echo "%s"
        while [ ! -e %s ]; do sleep 0.2; done
        if [ -e %s ]; then echo "gate: told to fail"; exit 1; fi
        echo "gate: open"
        """.formatted(GATE_WAITING, dir.resolve("gate-open"), dir.resolve("gate-fails"));
    create(dir, List.of(marker(), new Package(GATE, Map.of("usr/share/image-foundry-gate/gate", "passed\n"), postinst)));
  }

  public static void openGate(Path dir) {
    touch(dir.resolve("gate-open"));
  }

  public static void failGate(Path dir, boolean fail) {
    if (fail) {
      touch(dir.resolve("gate-fails"));
    } else {
      Requests.delete(dir.resolve("gate-fails"));
    }
  }

  private static Package marker() {
    return new Package(PACKAGE, Map.of(MARKER, "from the file: repository\n"), null);
  }

  private static void touch(Path file) {
    try {
      Files.writeString(file, "");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void create(Path dir, List<Package> contents) {
    try {
      Requests.delete(dir);
      var index = new StringBuilder();
      for (Package pkg : contents) {
        index.append(build(dir, pkg));
      }
      byte[] packages = index.toString().getBytes(StandardCharsets.UTF_8);
      Path packagesFile = dir.resolve("dists/local/main/binary-amd64/Packages");
      Files.createDirectories(packagesFile.getParent());
      Files.write(packagesFile, packages);

      String release = """
          Origin: image-foundry-tests
          Label: image-foundry-tests
          Suite: local
          Codename: local
          Date: %s
          Architectures: amd64
          Components: main
          SHA256:
           %s %d main/binary-amd64/Packages
          """.formatted(ZonedDateTime.now(ZoneOffset.UTC).minusDays(1).format(DateTimeFormatter.RFC_1123_DATE_TIME),
          DigestUtils.sha256Hex(packages), packages.length);
      Files.writeString(dir.resolve("dists/local/Release"), release);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Builds one package into the pool and returns its stanza of the Packages index. */
  private static String build(Path dir, Package pkg) throws IOException {
    String control = """
        Package: %s
        Version: 1.0
        Architecture: all
        Maintainer: Image Foundry tests <tests@image-foundry.invalid>
        Description: a package of Image Foundry's tests
        """.formatted(pkg.name());
    Path tree = dir.resolve("build/" + pkg.name());
    Files.createDirectories(tree.resolve("DEBIAN"));
    Files.writeString(tree.resolve("DEBIAN/control"), control);
    if (pkg.postinst() != null) {
      Path postinst = tree.resolve("DEBIAN/postinst");
      Files.writeString(postinst, pkg.postinst());
      Files.setPosixFilePermissions(postinst, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    for (var file : pkg.files().entrySet()) {
      Files.createDirectories(tree.resolve(file.getKey()).getParent());
      Files.writeString(tree.resolve(file.getKey()), file.getValue());
    }
    for (var program : pkg.programs().entrySet()) {
      Path target = tree.resolve(program.getKey());
      Files.createDirectories(target.getParent());
      Files.copy(program.getValue(), target);
      Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    String filename = "pool/main/" + pkg.name() + "_1.0_all.deb";
    Path deb = dir.resolve(filename);
    Files.createDirectories(deb.getParent());
    new ProcessCommandRunner().run(Command.of(Duration.ofMinutes(1), "dpkg-deb", "--root-owner-group", "--build",
        tree.toString(), deb.toString()));
    Requests.delete(dir.resolve("build"));
    byte[] debBytes = Files.readAllBytes(deb);
    return control + "Filename: " + filename + "\nSize: " + debBytes.length
        + "\nMD5sum: " + DigestUtils.md5Hex(debBytes) + "\nSHA256: " + DigestUtils.sha256Hex(debBytes) + "\n\n";
  }
}
