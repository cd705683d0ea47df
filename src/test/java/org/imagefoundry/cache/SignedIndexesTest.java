package org.imagefoundry.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.codec.digest.DigestUtils;
import org.imagefoundry.host.Gpgv;
import org.imagefoundry.host.ProcessCommandRunner;
import org.imagefoundry.spec.BuildSpec.RepoSpec;
import org.imagefoundry.testing.SignedRepository;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The index verification against a small repo signed here with gpg, checked with the real gpgv. */
class SignedIndexesTest {

  static final byte[] HELLO = "the real hello package".getBytes(StandardCharsets.UTF_8);
  /** Same name, same size, other bytes. */
  static final byte[] LOOK_ALIKE = "the fake hello package".getBytes(StandardCharsets.UTF_8);

  @TempDir static Path keys;
  static SignedRepository repo;
  static SignedRepository stranger;

  @TempDir Path lists;
  final SignedIndexes indexes = new SignedIndexes(new Gpgv(new ProcessCommandRunner()));

  @BeforeAll
  static void makeKeys() {
    repo = SignedRepository.create(keys.resolve("repo"));
    stranger = SignedRepository.create(keys.resolve("stranger"));
  }

  @AfterAll
  static void stopAgents() {
    repo.close();
    stranger.close();
  }

  Map<String, SignedIndexes.PackageEntry> lookUp(RepoSpec spec, byte[]... debs) throws Exception {
    Set<String> wanted = new java.util.HashSet<>();
    for (byte[] deb : debs) {
      wanted.add(DigestUtils.sha256Hex(deb));
    }
    return indexes.packages(lists, List.of(spec), wanted);
  }

  @Test
  void aDebWhoseDigestASignedIndexGivesIsVouchedForWithItsNameVersionAndArchitecture() throws Exception {
    repo.writeLists(lists, SignedRepository.stanza("hello", "2.10-3", HELLO));

    assertThat(lookUp(repo.repo(), HELLO, LOOK_ALIKE)).containsOnlyKeys(DigestUtils.sha256Hex(HELLO))
        .containsValue(new SignedIndexes.PackageEntry("hello", "2.10-3", "amd64", HELLO.length, DigestUtils.sha256Hex(HELLO)));
    assertThat(indexes.vouchedLists(lists, List.of(repo.repo()))).containsOnlyKeys(SignedRepository.IN_RELEASE,
        SignedRepository.PACKAGES).containsValue(SignedRepository.DATE);
  }

  @Test
  void anIndexIsParsedOnceForItsChecksumAndThenNotReadAgain() throws Exception {
    repo.writeLists(lists, SignedRepository.stanza("hello", "2.10-3", HELLO));
    assertThat(lookUp(repo.repo(), HELLO)).containsOnlyKeys(DigestUtils.sha256Hex(HELLO));
    Path packages = lists.resolve(SignedRepository.PACKAGES);
    byte[] signed = Files.readAllBytes(packages);
    // a script's file under the same name: the signed checksum's entries are the ones parsed before
    Files.writeString(packages, "Package: other\nSHA256: " + DigestUtils.sha256Hex(LOOK_ALIKE) + "\nSize: 22\n");

    assertThat(lookUp(repo.repo(), HELLO, LOOK_ALIKE)).containsOnlyKeys(DigestUtils.sha256Hex(HELLO));
    assertThat(Files.readAllBytes(packages)).isNotEqualTo(signed);
  }

  @Test
  void anIndexOfMoreEntriesThanAreKeptIsReadEveryTimeForWhatIsAsked() throws Exception {
    SignedIndexes small = new SignedIndexes(new Gpgv(new ProcessCommandRunner()), 2);
    byte[] other = "another package".getBytes(StandardCharsets.UTF_8);
    byte[] third = "a third package".getBytes(StandardCharsets.UTF_8);
    repo.writeLists(lists, SignedRepository.stanza("hello", "2.10-3", HELLO) + "\n"
        + SignedRepository.stanza("other", "1", other) + "\n" + SignedRepository.stanza("third", "1", third));
    Path packages = lists.resolve(SignedRepository.PACKAGES);

    assertThat(small.packages(lists, List.of(repo.repo()), Set.of(DigestUtils.sha256Hex(third))))
        .containsOnlyKeys(DigestUtils.sha256Hex(third));
    Files.writeString(packages, "Package: gone\n");

    // not kept: the changed file is read again, and vouches for nothing
    assertThat(small.packages(lists, List.of(repo.repo()), Set.of(DigestUtils.sha256Hex(HELLO)))).isEmpty();
  }

  @Test
  void anIndexThatIsNotTheSignedOneIsNotKeptAsParsed() throws Exception {
    repo.writeLists(lists, SignedRepository.stanza("hello", "2.10-3", HELLO));
    Path packages = lists.resolve(SignedRepository.PACKAGES);
    byte[] signed = Files.readAllBytes(packages);
    Files.writeString(packages, Files.readString(packages).replace(DigestUtils.sha256Hex(HELLO), DigestUtils.sha256Hex(LOOK_ALIKE)));
    assertThat(lookUp(repo.repo(), HELLO, LOOK_ALIKE)).isEmpty();

    Files.write(packages, signed);

    assertThat(lookUp(repo.repo(), HELLO, LOOK_ALIKE)).containsOnlyKeys(DigestUtils.sha256Hex(HELLO));
  }

  @Test
  void aLookAlikeOfTheSameNameAndSizeIsNot() throws Exception {
    assertThat(LOOK_ALIKE.length).isEqualTo(HELLO.length);
    repo.writeLists(lists, SignedRepository.stanza("hello", "2.10-3", HELLO));

    assertThat(lookUp(repo.repo(), LOOK_ALIKE)).isEmpty();
  }

  @Test
  void aPackagesIndexChangedAfterItWasSignedVouchesForNothing() throws Exception {
    repo.writeLists(lists, SignedRepository.stanza("hello", "2.10-3", HELLO));
    Path packages = lists.resolve(SignedRepository.PACKAGES);
    Files.writeString(packages, Files.readString(packages).replace(DigestUtils.sha256Hex(HELLO), DigestUtils.sha256Hex(LOOK_ALIKE)));

    assertThat(lookUp(repo.repo(), HELLO, LOOK_ALIKE)).isEmpty();
    assertThat(indexes.vouchedLists(lists, List.of(repo.repo()))).containsOnlyKeys(SignedRepository.IN_RELEASE);
  }

  @Test
  void anInReleaseSignedByAKeyNotInTheReposKeyringVouchesForNothing() throws Exception {
    String packages = SignedRepository.stanza("hello", "2.10-3", LOOK_ALIKE);
    repo.writeLists(lists, packages);
    Files.write(lists.resolve(SignedRepository.IN_RELEASE), stranger.clearsign(
        SignedRepository.release(Map.of("main/binary-amd64/Packages", packages.getBytes(StandardCharsets.UTF_8)))));

    assertThat(lookUp(repo.repo(), LOOK_ALIKE)).isEmpty();
    assertThat(indexes.vouchedLists(lists, List.of(repo.repo()))).isEmpty();
  }

  @Test
  void aSignedInReleaseWhoseTextWasChangedVouchesForNothing() throws Exception {
    repo.writeLists(lists, SignedRepository.stanza("hello", "2.10-3", HELLO));
    Path inRelease = lists.resolve(SignedRepository.IN_RELEASE);
    String forged = SignedRepository.stanza("hello", "2.10-3", LOOK_ALIKE);
    Files.writeString(lists.resolve(SignedRepository.PACKAGES), forged);
    String signed = Files.readString(inRelease);
    String packagesLine = signed.lines().filter(l -> l.endsWith("main/binary-amd64/Packages")).findFirst().orElseThrow();
    Files.writeString(inRelease, signed.replace(packagesLine, " " + DigestUtils.sha256Hex(forged) + " " + forged.length()
        + " main/binary-amd64/Packages"));

    assertThat(lookUp(repo.repo(), LOOK_ALIKE)).isEmpty();
  }

  @Test
  void textOutsideTheSignedPartIsNotRead() throws Exception {
    repo.writeLists(lists, SignedRepository.stanza("hello", "2.10-3", HELLO));
    String forged = SignedRepository.stanza("hello", "2.10-3", LOOK_ALIKE);
    Files.writeString(lists.resolve(SignedRepository.PACKAGES), forged);
    Path inRelease = lists.resolve(SignedRepository.IN_RELEASE);
    // an unsigned Release text in front of the signed one: a parser of the whole file would read it first
    Files.writeString(inRelease, SignedRepository.release(Map.of("main/binary-amd64/Packages",
        forged.getBytes(StandardCharsets.UTF_8))) + Files.readString(inRelease));

    assertThat(lookUp(repo.repo(), LOOK_ALIKE)).isEmpty();
  }

  @Test
  void trustedAndFileReposVouchForNothing() throws Exception {
    repo.writeLists(lists, SignedRepository.stanza("hello", "2.10-3", HELLO));
    RepoSpec signed = repo.repo();
    RepoSpec trusted = new RepoSpec("signed", signed.uri(), signed.suite(), "main", null, "deb", true, signed.keyring());

    assertThat(lookUp(trusted, HELLO)).isEmpty();
    assertThat(lookUp(signed.withUri("file:///var/tmp/debian"), HELLO)).isEmpty();
  }

  @Test
  void linkedListFilesAreNotFollowed() throws Exception {
    Path real = lists.resolve("elsewhere");
    repo.writeLists(real, SignedRepository.stanza("hello", "2.10-3", HELLO));
    Files.createSymbolicLink(lists.resolve(SignedRepository.IN_RELEASE), real.resolve(SignedRepository.IN_RELEASE));
    Files.createSymbolicLink(lists.resolve(SignedRepository.PACKAGES), real.resolve(SignedRepository.PACKAGES));

    assertThat(lookUp(repo.repo(), HELLO)).isEmpty();
  }
}
