package org.imagefoundry.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.commons.codec.digest.DigestUtils;
import org.imagefoundry.host.Apt;
import org.imagefoundry.host.Gpgv;
import org.imagefoundry.host.ProcessCommandRunner;
import org.imagefoundry.host.Workspace;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.spec.BuildSpec.RepoSpec;
import org.imagefoundry.testing.Settings;
import org.imagefoundry.testing.SignedRepository;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

/** The pool against a repo signed here: what enters it, how it is lent, and what it reads. */
class PackagePoolTest {

  static final String HELLO_DEB = "hello_2.10-3_amd64.deb";
  static final byte[] HELLO = "the real hello package".getBytes(StandardCharsets.UTF_8);
  static final byte[] LOOK_ALIKE = "the fake hello package".getBytes(StandardCharsets.UTF_8);
  static final byte[] LESS = "less".getBytes(StandardCharsets.UTF_8);

  @TempDir static Path keys;
  static SignedRepository repo;

  @TempDir Path dir;

  @BeforeAll
  static void makeKey() {
    repo = SignedRepository.create(keys);
  }

  @AfterAll
  static void stopAgent() {
    repo.close();
  }

  PackagePool pool(DataSize max) {
    return new PackagePool(Settings.withCache(dir, new FoundrySettings.Cache(true, max, max, true, Duration.ZERO, false)),
        new SignedIndexes(new Gpgv(new ProcessCommandRunner())));
  }

  /** A build's workspace with its chroot's lists signed by the repo's key, listing hello and less. */
  Workspace build(String id) {
    Workspace workspace = new Workspace(id, dir.resolve("build/" + id));
    repo.writeLists(workspace.root().resolve("var/lib/apt/lists"),
        SignedRepository.stanza("hello", "2.10-3", HELLO) + SignedRepository.stanza("less", "590-2", LESS));
    return workspace;
  }

  static List<RepoSpec> repos() {
    return List.of(repo.repo());
  }

  /** What apt 2.6's --print-uris says of a package: its MD5Sum. */
  static Apt.Download download(String name, byte[] deb) {
    return new Apt.Download(name, deb.length, "MD5Sum:" + DigestUtils.md5Hex(deb));
  }

  @Test
  void aDebASignedIndexVouchesForIsPooledByItsDigestAndLentAsACopyUnderTheNameAptAsksFor() throws Exception {
    PackagePool pool = pool(DataSize.ofGigabytes(1));
    Workspace first = build("b1");
    Path archives = pool.prepare(first);
    assertThat(archives.resolve("partial")).isDirectory();
    Files.write(archives.resolve(HELLO_DEB), HELLO);

    pool.collect(first, first.root(), repos());
    Workspace second = build("b2");
    pool.prepare(second);
    pool.lend(second, List.of(download(HELLO_DEB, HELLO), download("less_590-2_amd64.deb", LESS)));
    Workspace third = build("b3");
    pool.prepare(third);
    pool.lend(third, List.of(new Apt.Download("hello.deb", HELLO.length, "SHA256:" + DigestUtils.sha256Hex(HELLO)),
        new Apt.Download("other-size.deb", HELLO.length + 1, "MD5Sum:" + DigestUtils.md5Hex(HELLO))));

    Path pooled = pool.dir().resolve("sha256/" + DigestUtils.sha256Hex(HELLO) + ".deb");
    assertThat(pooled).hasBinaryContent(HELLO);
    Path lent = PackagePool.archives(second).resolve(HELLO_DEB);
    assertThat(lent).hasBinaryContent(HELLO);
    assertThat(Files.getAttribute(lent, "unix:nlink")).isEqualTo(1);
    // the pool's own second name, by MD5, and nothing else
    assertThat(Files.getAttribute(pooled, "unix:nlink")).isEqualTo(2);
    assertThat(PackagePool.archives(second).resolve("less_590-2_amd64.deb")).doesNotExist();
    assertThat(PackagePool.archives(third).resolve("hello.deb")).hasBinaryContent(HELLO);
    assertThat(PackagePool.archives(third).resolve("other-size.deb")).doesNotExist();
  }

  @Test
  void aLookAlikeOfTheSameNameAndSizeNeverEntersThePool() throws Exception {
    PackagePool pool = pool(DataSize.ofGigabytes(1));
    Workspace first = build("b1");
    Files.write(pool.prepare(first).resolve(HELLO_DEB), LOOK_ALIKE);

    pool.collect(first, first.root(), repos());
    Workspace second = build("b2");
    pool.prepare(second);
    pool.lend(second, List.of(download(HELLO_DEB, LOOK_ALIKE), download(HELLO_DEB, HELLO)));

    assertThat(pool.dir().resolve("sha256")).isEmptyDirectory();
    assertThat(PackagePool.archives(second).resolve(HELLO_DEB)).doesNotExist();
  }

  @Test
  void aScriptWritingIntoALentCopyChangesNeitherThePoolNorWhatItAdmits() throws Exception {
    PackagePool pool = pool(DataSize.ofGigabytes(1));
    Workspace first = build("b1");
    Files.write(pool.prepare(first).resolve(HELLO_DEB), HELLO);
    pool.collect(first, first.root(), repos());
    Workspace second = build("b2");
    pool.prepare(second);
    pool.lend(second, List.of(download(HELLO_DEB, HELLO)));

    Files.write(PackagePool.archives(second).resolve(HELLO_DEB), LOOK_ALIKE);
    pool.collect(second, second.root(), repos());

    try (var entries = Files.list(pool.dir().resolve("sha256"))) {
      assertThat(entries).containsExactly(pool.dir().resolve("sha256/" + DigestUtils.sha256Hex(HELLO) + ".deb"));
    }
    assertThat(pool.dir().resolve("sha256/" + DigestUtils.sha256Hex(HELLO) + ".deb")).hasBinaryContent(HELLO);
  }

  @Test
  void withoutAVerifiedIndexNothingEntersThePool() throws Exception {
    PackagePool pool = pool(DataSize.ofGigabytes(1));
    Workspace first = build("b1");
    Files.write(pool.prepare(first).resolve(HELLO_DEB), HELLO);
    RepoSpec trusted = new RepoSpec("signed", SignedRepository.URI, SignedRepository.SUITE, "main", null, "deb", true,
        repo.keyring().toString());

    pool.collect(first, first.root(), List.of(trusted));
    Files.delete(first.root().resolve("var/lib/apt/lists/" + SignedRepository.IN_RELEASE));
    pool.collect(first, first.root(), repos());

    assertThat(pool.dir().resolve("sha256")).isEmptyDirectory();
  }

  @Test
  void linksAndDirectoriesInTheArchivesAreNotRead() throws Exception {
    PackagePool pool = pool(DataSize.ofGigabytes(1));
    Workspace first = build("b1");
    Path real = Files.write(dir.resolve("elsewhere.deb"), HELLO);
    Path archives = pool.prepare(first);
    Files.createSymbolicLink(archives.resolve(HELLO_DEB), real);
    Files.createDirectories(archives.resolve("less_590-2_amd64.deb"));

    pool.collect(first, first.root(), repos());

    assertThat(pool.dir().resolve("sha256")).isEmptyDirectory();
  }

  @Test
  void lendingEmptiesWhatAnEarlierAttemptLeftAndNeverWritesThroughALink() throws Exception {
    PackagePool pool = pool(DataSize.ofGigabytes(1));
    Workspace first = build("b1");
    Files.write(pool.prepare(first).resolve(HELLO_DEB), HELLO);
    pool.collect(first, first.root(), repos());
    Workspace second = build("b2");
    Path archives = pool.prepare(second);
    Path hostFile = Files.writeString(dir.resolve("host-file"), "host only");
    Files.createSymbolicLink(archives.resolve(HELLO_DEB), hostFile);
    Files.write(archives.resolve("partial/" + HELLO_DEB), LOOK_ALIKE);
    Files.write(archives.resolve("planted_1_amd64.deb"), LOOK_ALIKE);

    pool.lend(second, List.of(download(HELLO_DEB, HELLO), download("../escape.deb", HELLO)));

    assertThat(hostFile).hasContent("host only");
    assertThat(archives.resolve(HELLO_DEB)).isRegularFile().hasBinaryContent(HELLO);
    assertThat(archives.resolve("partial")).isEmptyDirectory();
    assertThat(archives.resolve("planted_1_amd64.deb")).doesNotExist();
    assertThat(archives.resolveSibling("escape.deb")).doesNotExist();
  }

  @Test
  void thePoolIsTrimmedOldestFirst() throws Exception {
    PackagePool pool = pool(DataSize.ofBytes(LESS.length + HELLO.length - 1));
    Workspace first = build("b1");
    Path archives = pool.prepare(first);
    Files.write(archives.resolve("less_590-2_amd64.deb"), LESS);
    pool.collect(first, first.root(), repos());
    Path less = pool.dir().resolve("sha256/" + DigestUtils.sha256Hex(LESS) + ".deb");
    Files.setLastModifiedTime(less, java.nio.file.attribute.FileTime.fromMillis(1000));
    Workspace second = build("b2");
    Files.write(pool.prepare(second).resolve(HELLO_DEB), HELLO);

    pool.collect(second, second.root(), repos());

    assertThat(less).doesNotExist();
    assertThat(pool.dir().resolve("md5/" + DigestUtils.md5Hex(LESS) + ".deb")).doesNotExist();
    assertThat(pool.dir().resolve("md5/" + DigestUtils.md5Hex(HELLO) + ".deb")).exists();
    assertThat(pool.dir().resolve("sha256/" + DigestUtils.sha256Hex(HELLO) + ".deb")).exists();
  }
}
