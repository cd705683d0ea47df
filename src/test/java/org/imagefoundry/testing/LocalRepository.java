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
import org.apache.commons.codec.digest.DigestUtils;
import org.imagefoundry.host.Command;
import org.imagefoundry.host.ProcessCommandRunner;

/**
 * An unsigned apt repository on disk (suite {@code local}, component {@code main}) holding one package
 * made here with dpkg-deb, which installs {@link #MARKER}: what a file: repo in a request points at.
 */
public final class LocalRepository {

  public static final String PACKAGE = "image-foundry-marker";
  public static final String MARKER = "usr/share/image-foundry-marker/marker";

  private LocalRepository() {}

  public static void create(Path dir) {
    String control = """
        Package: %s
        Version: 1.0
        Architecture: all
        Maintainer: Image Foundry tests <tests@image-foundry.invalid>
        Description: marks an image built with a file: repository
        """.formatted(PACKAGE);
    try {
      Requests.delete(dir);
      Path tree = dir.resolve("build/" + PACKAGE);
      Files.createDirectories(tree.resolve("DEBIAN"));
      Files.writeString(tree.resolve("DEBIAN/control"), control);
      Files.createDirectories(tree.resolve(MARKER).getParent());
      Files.writeString(tree.resolve(MARKER), "from the file: repository\n");
      String filename = "pool/main/" + PACKAGE + "_1.0_all.deb";
      Path deb = dir.resolve(filename);
      Files.createDirectories(deb.getParent());
      new ProcessCommandRunner().run(Command.of(Duration.ofMinutes(1), "dpkg-deb", "--root-owner-group", "--build",
          tree.toString(), deb.toString()));
      Requests.delete(dir.resolve("build"));

      byte[] debBytes = Files.readAllBytes(deb);
      byte[] packages = (control + "Filename: " + filename + "\nSize: " + debBytes.length
          + "\nMD5sum: " + DigestUtils.md5Hex(debBytes) + "\nSHA256: " + DigestUtils.sha256Hex(debBytes) + "\n\n")
          .getBytes(StandardCharsets.UTF_8);
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
}
