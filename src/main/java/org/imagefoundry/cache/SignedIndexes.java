package org.imagefoundry.cache;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.codec.binary.Hex;
import org.apache.commons.codec.digest.DigestUtils;
import org.imagefoundry.host.BuildLog;
import org.imagefoundry.host.CommandFailedException;
import org.imagefoundry.host.Gpgv;
import org.imagefoundry.imagetree.AptListNames;
import org.imagefoundry.imagetree.ReleaseFile;
import org.imagefoundry.spec.BuildSpec.RepoSpec;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * What the build's repos' signed indexes vouch for, checked by the service on the host from apt's list
 * files, which the sandbox could have written: a suite's InRelease counts only when {@code gpgv} finds a
 * good signature of the repo's keyring (Debian's archive keyring unless an admin gave the repo its own),
 * an index file only when its SHA-256 and size are the ones that InRelease's {@code SHA256} section gives
 * for its path, and a package only by a {@code SHA256:} of such a Packages index. Repos marked
 * {@code trusted} and {@code file:} repos have no signature the service checks: they vouch for nothing.
 */
@Component
public class SignedIndexes {

  public static final Path DEBIAN_KEYRING = Path.of("/usr/share/keyrings/debian-archive-keyring.gpg");
  /** Debian's InRelease is about 150 KB. */
  static final long MAX_RELEASE_SIZE = 16L << 20;
  /** Debian main's Packages is about 45 MB uncompressed. */
  static final long MAX_INDEX_SIZE = 1L << 30;
  private static final Pattern PACKAGES = Pattern.compile("[^/]+/binary-[a-z0-9-]+/Packages");
  private static final Pattern SHA256_LINE = Pattern.compile("([0-9a-f]{64})\\s+([0-9]+)\\s+(\\S+)");

  /** A package as a verified Packages index lists it. */
  public record PackageEntry(String name, String version, String architecture, long size, String sha256) {}

  /** An index file's checksum as a verified InRelease gives it. */
  record Checksum(String sha256, long size) {}

  /** A suite whose InRelease verified: its list files' prefix, the InRelease's name, its signed date and the files it names. */
  record Suite(String prefix, String inRelease, Instant date, Map<String, Checksum> files) {}

  /** Parsed Packages indexes kept (bookworm's main: 63,000 entries, some 20 MB). */
  static final int PARSED_INDEXES = 4;
  /** An index of more entries is not kept parsed: of it only the packages asked for are kept, as they are read. */
  static final int MAX_KEPT_ENTRIES = 150_000;

  /** One index as read: all its entries ({@code whole}), or only those asked for when it had too many. */
  private record Parsed(Map<String, PackageEntry> entries, boolean whole) {}

  private final Gpgv gpgv;
  private final int maxKeptEntries;
  private final Map<Checksum, Map<String, PackageEntry>> parsed = Collections.synchronizedMap(
      new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Checksum, Map<String, PackageEntry>> eldest) {
          return size() > PARSED_INDEXES;
        }
      });

  @Autowired
  public SignedIndexes(Gpgv gpgv) {
    this(gpgv, MAX_KEPT_ENTRIES);
  }

  SignedIndexes(Gpgv gpgv, int maxKeptEntries) {
    this.gpgv = gpgv;
    this.maxKeptEntries = maxKeptEntries;
  }

  /** A repo whose signatures the service checks itself: signed ({@code trusted} off), on http or https. */
  static boolean verifiable(RepoSpec repo) {
    if (repo.skipsSignatureChecks() || repo.uri() == null) {
      return false;
    }
    String scheme = URI.create(repo.uri()).getScheme();
    return "http".equals(scheme) || "https".equals(scheme);
  }

  /**
   * The names of the files in {@code lists} that a verified InRelease vouches for, that InRelease
   * included, each with the {@code Date:} that InRelease signed (the epoch when it has none).
   */
  public Map<String, Instant> vouchedLists(Path lists, List<RepoSpec> repos) throws IOException {
    Map<String, Instant> vouched = new java.util.TreeMap<>();
    List<String> names = names(lists);
    for (Suite suite : suites(lists, repos)) {
      vouched.put(suite.inRelease(), suite.date());
      for (String name : names) {
        Optional<Checksum> expected = AptListNames.pathInSuite(suite.prefix(), name).map(suite.files()::get);
        if (expected.isPresent() && matches(lists.resolve(name), expected.get())) {
          vouched.put(name, suite.date());
        }
      }
    }
    return vouched;
  }

  /** The packages of verified Packages indexes in {@code lists} whose SHA-256 is one of {@code sha256s}, by SHA-256. */
  public Map<String, PackageEntry> packages(Path lists, List<RepoSpec> repos, Set<String> sha256s) throws IOException {
    Map<String, PackageEntry> found = new HashMap<>();
    List<String> names = names(lists);
    for (Suite suite : suites(lists, repos)) {
      for (String name : names) {
        Optional<String> path = AptListNames.pathInSuite(suite.prefix(), name);
        if (path.isPresent() && PACKAGES.matcher(path.get()).matches() && suite.files().containsKey(path.get())) {
          found.putAll(packagesOf(lists.resolve(name), suite.files().get(path.get()), sha256s));
        }
      }
    }
    return found;
  }

  /** The build's verifiable repos' suites whose InRelease in {@code lists} verifies. */
  List<Suite> suites(Path lists, List<RepoSpec> repos) {
    List<Suite> suites = new ArrayList<>();
    for (RepoSpec repo : repos.stream().filter(SignedIndexes::verifiable).distinct().toList()) {
      String prefix = AptListNames.suitePrefix(repo.uri(), repo.suite());
      String inRelease = prefix + "InRelease";
      try {
        Optional<byte[]> signed = readBounded(lists.resolve(inRelease), MAX_RELEASE_SIZE);
        if (signed.isEmpty()) {
          continue;
        }
        Path keyring = repo.keyring() != null ? Path.of(repo.keyring()) : DEBIAN_KEYRING;
        ReleaseFile release = ReleaseFile.parse(new String(gpgv.signedText(keyring, signed.get()), StandardCharsets.UTF_8));
        if (!repo.suite().equals(release.fields().get("Suite")) && !repo.suite().equals(release.fields().get("Codename"))) {
          BuildLog.warn("{} is signed but is not the InRelease of suite {}: it vouches for nothing", inRelease, repo.suite());
          continue;
        }
        suites.add(new Suite(prefix, inRelease, date(release), checksums(release)));
      } catch (CommandFailedException e) {
        BuildLog.warn("{} has no good signature of the repo's keyring: it vouches for nothing", inRelease);
      } catch (IOException | RuntimeException e) {
        BuildLog.warn("{} could not be verified ({}): it vouches for nothing", inRelease, e.getMessage());
      }
    }
    return suites;
  }

  /** The Release file's {@code Date:} (RFC 1123, Debian writes UTC), or the epoch. */
  static Instant date(ReleaseFile release) {
    String date = release.fields().get("Date");
    try {
      return java.time.ZonedDateTime.parse(date.replaceAll(" UTC$", " GMT"),
          java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
    } catch (RuntimeException e) {
      return Instant.EPOCH;
    }
  }

  static Map<String, Checksum> checksums(ReleaseFile release) {
    Map<String, Checksum> files = new LinkedHashMap<>();
    String section = release.fields().getOrDefault("SHA256", "");
    for (String line : section.split("\n")) {
      var matcher = SHA256_LINE.matcher(line.trim());
      if (matcher.matches()) {
        files.put(matcher.group(3), new Checksum(matcher.group(1), Long.parseLong(matcher.group(2))));
      }
    }
    return files;
  }

  /** True when the file is a regular file of the expected size and SHA-256. */
  private static boolean matches(Path file, Checksum expected) {
    if (!isPlainFile(file) || expected.size() > MAX_INDEX_SIZE) {
      return false;
    }
    try (BoundedInput in = BoundedInput.open(file, expected.size() + 1)) {
      MessageDigest digest = DigestUtils.getSha256Digest();
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
      return in.count() == expected.size() && Hex.encodeHexString(digest.digest()).equals(expected.sha256());
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The entries of one Packages index with a SHA-256 of {@code sha256s}. An index is parsed whole, once per
   * checksum its InRelease gives ({@link #PARSED_INDEXES} of them kept, the most recently used): the
   * entries then come from the index with that checksum, whichever file held it, and the build's own file
   * is not read again (Debian main's, 50 MB, took 0.15 s of each build's check of its new packages). An
   * index of more than {@link #MAX_KEPT_ENTRIES} entries is read every time, keeping only what is asked.
   */
  private Map<String, PackageEntry> packagesOf(Path file, Checksum expected, Set<String> sha256s) {
    Map<String, PackageEntry> all = parsed.get(expected);
    if (all == null) {
      Parsed read = parse(file, expected, sha256s, maxKeptEntries);
      all = read.entries();
      if (read.whole() && !all.isEmpty()) {
        parsed.put(expected, all);
      }
    }
    Map<String, PackageEntry> found = new HashMap<>();
    for (String sha256 : sha256s) {
      PackageEntry entry = all.get(sha256);
      if (entry != null) {
        found.put(sha256, entry);
      }
    }
    return found;
  }

  /**
   * Every entry of one Packages index by SHA-256, or, past {@code maxEntries}, only those of {@code wanted};
   * none unless the whole file, read once while parsing it, has the expected SHA-256 and size.
   */
  private static Parsed parse(Path file, Checksum expected, Set<String> wanted, int maxEntries) {
    if (!isPlainFile(file) || expected.size() > MAX_INDEX_SIZE) {
      return new Parsed(Map.of(), false);
    }
    Map<String, PackageEntry> found = new HashMap<>();
    boolean whole = true;
    MessageDigest digest = DigestUtils.getSha256Digest();
    long read;
    try (BoundedInput raw = BoundedInput.open(file, expected.size() + 1);
        var in = new DigestInputStream(raw, digest);
        var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.ISO_8859_1), 1 << 16)) {
      Map<String, String> stanza = new HashMap<>();
      for (String line; (line = reader.readLine()) != null; ) {
        if (line.isEmpty()) {
          add(stanza, found, whole ? null : wanted);
          stanza.clear();
          if (whole && found.size() > maxEntries) {
            whole = false;
            found.keySet().retainAll(wanted);
          }
          continue;
        }
        int colon = line.indexOf(':');
        if (colon > 0 && !Character.isWhitespace(line.charAt(0))) {
          String field = line.substring(0, colon);
          if (field.equals("Package") || field.equals("Version") || field.equals("Architecture") || field.equals("Size")
              || field.equals("SHA256")) {
            stanza.put(field, line.substring(colon + 1).trim());
          }
        }
      }
      add(stanza, found, whole ? null : wanted);
      read = raw.count();
    } catch (IOException e) {
      return new Parsed(Map.of(), false);
    }
    if (read != expected.size() || !Hex.encodeHexString(digest.digest()).equals(expected.sha256())) {
      BuildLog.warn("{} is not the Packages index its InRelease names: none of its packages is trusted", file.getFileName());
      return new Parsed(Map.of(), false);
    }
    return new Parsed(found, whole);
  }

  /** Adds the stanza's package, if it has a SHA-256, a name and a size (and, with {@code only}, one of those SHA-256s). */
  private static void add(Map<String, String> stanza, Map<String, PackageEntry> found, Set<String> only) {
    String sha256 = stanza.get("SHA256");
    if (sha256 != null && (only == null || only.contains(sha256)) && stanza.containsKey("Package") && stanza.containsKey("Size")) {
      try {
        String architecture = stanza.get("Architecture");
        found.put(sha256, new PackageEntry(stanza.get("Package"), stanza.get("Version"),
            architecture == null ? null : architecture.intern(), Long.parseLong(stanza.get("Size")), sha256));
      } catch (NumberFormatException e) {
        // an entry without a usable size vouches for nothing
      }
    }
  }

  private static List<String> names(Path lists) throws IOException {
    if (!Files.isDirectory(lists, LinkOption.NOFOLLOW_LINKS)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(lists)) {
      return files.filter(SignedIndexes::isPlainFile).map(f -> f.getFileName().toString()).sorted().toList();
    }
  }

  /** The file's content when it is a regular file (never through a link) of at most {@code max} bytes. */
  private static Optional<byte[]> readBounded(Path file, long max) throws IOException {
    if (!isPlainFile(file)) {
      return Optional.empty();
    }
    try (InputStream in = BoundedInput.open(file, max + 1)) {
      byte[] content = in.readAllBytes();
      return content.length > max ? Optional.empty() : Optional.of(content);
    }
  }

  private static boolean isPlainFile(Path file) {
    return BoundedInput.isPlainFile(file);
  }
}
