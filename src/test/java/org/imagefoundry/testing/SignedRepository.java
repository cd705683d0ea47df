package org.imagefoundry.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.apache.commons.codec.digest.DigestUtils;
import org.imagefoundry.host.Command;
import org.imagefoundry.host.ProcessCommandRunner;
import org.imagefoundry.spec.BuildSpec.RepoSpec;

/**
 * A signed apt repo as apt leaves it in a chroot's /var/lib/apt/lists: an OpenPGP key made here (in a
 * GNUPGHOME of its own), its public keyring, and list files of suite {@link #SUITE} of {@link #URI}: a
 * Packages index and the InRelease that names it, clearsigned with {@code gpg --clearsign}.
 */
public final class SignedRepository implements AutoCloseable {

  public static final String URI = "http://repo.invalid/debian";
  public static final String SUITE = "bookworm";
  public static final String IN_RELEASE = "repo.invalid_debian_dists_bookworm_InRelease";
  public static final String PACKAGES = "repo.invalid_debian_dists_bookworm_main_binary-amd64_Packages";
  /** The Date its Release files say, as Debian writes it. */
  public static final java.time.Instant DATE = java.time.Instant.parse("2024-08-10T09:34:20Z");
  static final Duration TIMEOUT = Duration.ofMinutes(2);

  private final Path home;
  private final Path keyring;
  private final ProcessCommandRunner runner = new ProcessCommandRunner();

  private SignedRepository(Path dir) {
    this.home = dir.resolve("gnupg");
    this.keyring = dir.resolve("keyring.gpg");
  }

  /** A new key (ed25519, no passphrase) and its public keyring under {@code dir}. */
  public static SignedRepository create(Path dir) {
    var repo = new SignedRepository(dir);
    try {
      Files.createDirectories(repo.home);
      Files.setPosixFilePermissions(repo.home, PosixFilePermissions.fromString("rwx------"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    repo.gpg("--batch", "--passphrase", "", "--quick-generate-key", "Image Foundry tests <tests@image-foundry.invalid>",
        "ed25519", "sign", "never");
    repo.gpg("--batch", "--output", repo.keyring.toString(), "--export");
    return repo;
  }

  public Path keyring() {
    return keyring;
  }

  /** The repo as a request names it, with this key's keyring (as an admin gives it). */
  public RepoSpec repo() {
    return new RepoSpec("signed", URI, SUITE, "main", null, "deb", null, keyring.toString());
  }

  /** A Packages stanza for {@code deb}. */
  public static String stanza(String name, String version, byte[] deb) {
    return "Package: " + name + "\nVersion: " + version + "\nArchitecture: amd64\nFilename: pool/main/" + name + "_"
        + version + "_amd64.deb\nSize: " + deb.length + "\nSHA256: " + DigestUtils.sha256Hex(deb) + "\n\n";
  }

  /** Writes the Packages index into {@code lists} and an InRelease, signed here, that names its SHA-256. */
  public void writeLists(Path lists, String packages) {
    byte[] index = packages.getBytes(StandardCharsets.UTF_8);
    try {
      Files.createDirectories(lists);
      Files.write(lists.resolve(PACKAGES), index);
      Files.write(lists.resolve(IN_RELEASE), clearsign(release(Map.of("main/binary-amd64/Packages", index))));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A Release text of suite {@link #SUITE} whose SHA256 section names these files. */
  public static String release(Map<String, byte[]> files) {
    var text = new StringBuilder("Origin: tests\nSuite: stable\nCodename: " + SUITE + "\nDate: Sat, 10 Aug 2024 09:34:20 UTC\n"
        + "Architectures: amd64\n"
        + "Components: main\nSHA256:\n");
    files.forEach((path, content) -> text.append(' ').append(DigestUtils.sha256Hex(content)).append(' ')
        .append(content.length).append(' ').append(path).append('\n'));
    return text.toString();
  }

  /** {@code text} clearsigned with this key. */
  public byte[] clearsign(String text) {
    try {
      Path in = Files.createTempFile(home, "release", ".txt");
      Path out = home.resolve(in.getFileName() + ".asc");
      Files.writeString(in, text);
      gpg("--batch", "--yes", "--output", out.toString(), "--clearsign", in.toString());
      return Files.readAllBytes(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void gpg(String... args) {
    var command = new java.util.ArrayList<String>(java.util.List.of("gpg", "--homedir", home.toString()));
    command.addAll(java.util.List.of(args));
    runner.run(Command.of(TIMEOUT, command));
  }

  /** Stops the gpg-agent that gpg started for this home. */
  @Override
  public void close() {
    runner.run(Command.of(TIMEOUT, "gpgconf", "--homedir", home.toString(), "--kill", "gpg-agent").okExitCodes(0, 1, 2));
  }
}
