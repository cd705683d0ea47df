package org.imagefoundry.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.imagefoundry.host.Binfmt;
import org.imagefoundry.rules.AllowedRoots;
import org.imagefoundry.rules.MkfsOptions;
import org.imagefoundry.rules.PackageNames;
import org.imagefoundry.rules.Problem;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.users.Caller;
import org.springframework.stereotype.Component;

/**
 * Checks a request before anything runs and reports every problem at once, each with its field path.
 * Its shape (types, required and unknown fields, enums, patterns) is the schema's ({@link RequestSchema});
 * here are the rules the schema cannot state: those of the caller's rights, of this host and its
 * settings, and those across fields. A rule looks only at fields the schema found well-formed, so a field
 * is named once, by the schema, when it is malformed.
 */
@Component
public class SpecValidator {

  /** The filesystems GRUB reads from a disk's partitions. */
  static final Set<String> DISK_FILESYSTEMS = Set.of("ext2", "ext3", "ext4");

  private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,127}");

  private final FoundrySettings settings;
  private final RepoHosts repoHosts;
  private final Binfmt binfmt;

  public SpecValidator(FoundrySettings settings, RepoHosts repoHosts, Binfmt binfmt) {
    this.settings = settings;
    this.repoHosts = repoHosts;
    this.binfmt = binfmt;
  }

  /** Every problem of {@code request} as {@code caller} asks for it; empty when it may be built. */
  public List<Problem> validate(JsonNode request, Caller caller) {
    if (request == null || !request.isObject()) {
      return List.of(new Problem("", "the request must be a JSON object"));
    }
    var check = new Check(RequestSchema.problems(request));
    images(request.get("image_data"), check);
    output(request.get("output"), check);
    repos(request.get("repos"), caller, check);
    packages(request.get("packages"), check);
    proxies(request.get("proxies"), caller, check);
    Architecture arch = architecture(request.get("architecture"), check);
    if (arch != null) {
      disk(request, arch, check);
    }
    return check.problems;
  }

  /**
   * The architecture: a row of {@link Architecture#ALL} that this host runs, itself or under qemu-user
   * through a binfmt_misc handler with the F flag (the build runs its programs in the sandbox). Null when
   * it is not one: the disk's rules depend on it.
   */
  private Architecture architecture(JsonNode field, Check check) {
    String name = field == null || !field.isTextual() ? null : field.asText();
    var arch = Architecture.named(name);
    if (arch.isEmpty()) {
      check.add("architecture", "unknown: one of " + String.join(", ", Architecture.ALL.keySet()));
      return null;
    }
    if (!arch.get().isNative() && !binfmt.runs(arch.get().qemu())) {
      check.add("architecture", "this host cannot run " + arch.get().name() + " programs: no binfmt_misc handler "
          + binfmt.handler(arch.get().qemu()) + " with the F flag is registered; install qemu-user-static and "
          + "binfmt-support (scripts/install-prerequisites installs them and registers the handler)");
    }
    return arch.get();
  }

  /** The images' count and sizes within the limits, their files distinct and none the metadata's or the SBOM's. */
  private void images(JsonNode images, Check check) {
    if (images == null || !images.isObject()) {
      return;
    }
    if (images.size() > settings.limits().maxImages()) {
      check.add("image_data", "at most " + settings.limits().maxImages() + " images");
    }
    Set<String> names = new HashSet<>();
    long total = 0;
    for (var entry : images.properties()) {
      String path = "image_data." + entry.getKey();
      JsonNode image = entry.getValue();
      if (!image.isObject()) {
        continue;
      }
      String name = imageFileName(image.get("uri"), path + ".uri", check);
      if (name != null && !names.add(name)) {
        check.add(path + ".uri", "two images would both be written to " + name);
      }
      mkfsOptions(image.get("options"), image.get("format"), path, check);
      total += size(image.get("size"), path + ".size", check);
    }
    if (total > settings.limits().maxTotalImageSize().toBytes()) {
      check.add("image_data", "the images' sizes add up to more than " + settings.limits().maxTotalImageSize());
    }
    JsonNode root = images.get("/");
    String rootName = root == null || !root.isObject() ? null : imageFileName(root.get("uri"), "", new Check());
    if (rootName != null) {
      String metadata = baseName(rootName) + ".yaml";
      if (names.contains(metadata)) {
        check.add("image_data", "an image would overwrite the metadata file " + metadata);
      }
      String sbom = baseName(rootName) + ".spdx.json";
      if (names.contains(sbom)) {
        check.add("image_data", "an image would overwrite the bill of materials " + sbom);
      }
    }
  }

  /** A file name up to its first dot: what the metadata (.yaml) and the bill of materials (.spdx.json) are named after. */
  private static String baseName(String fileName) {
    return fileName.contains(".") ? fileName.substring(0, fileName.indexOf('.')) : fileName;
  }

  /**
   * A disk: its file name beside the images, a size that holds its partitions, at most four partitions on
   * msdos, ext filesystems only (what GRUB reads), no image where a UEFI disk mounts its EFI system
   * partition, and a kernel among the packages. The architecture decides whether BIOS may boot it, and
   * where GRUB for UEFI comes from: the host's own for the host's architecture, the image's for another
   * (its GRUB package among the packages).
   */
  private void disk(JsonNode request, Architecture arch, Check check) {
    JsonNode disk = request.get("disk");
    if (disk == null || !disk.isObject()) {
      return;
    }
    if (!arch.makesDisks()) {
      check.add("disk", "no bootable disk for " + arch.name() + " yet (GRUB has no EFI platform for it here): "
          + "build its filesystem images without disk");
      return;
    }
    String name = imageFileName(disk.get("name"), "disk.name", check);
    JsonNode boot = disk.get("boot");
    String bootName = boot == null || !boot.isTextual() ? (arch.bios() ? "bios" : "uefi") : boot.asText();
    if (!arch.bios() && ("bios".equals(bootName) || "both".equals(bootName))) {
      check.add("disk.boot", arch.name() + " disks boot with UEFI only: set boot to uefi");
    }
    boolean efiSystemPartition = "uefi".equals(bootName) || "both".equals(bootName);
    JsonNode images = request.get("image_data");
    List<Long> sizes = new ArrayList<>();
    if (images != null && images.isObject()) {
      for (var entry : images.properties()) {
        JsonNode image = entry.getValue();
        if (!image.isObject()) {
          continue;
        }
        String imageName = imageFileName(image.get("uri"), "", new Check());
        if (name != null && (name.equals(imageName) || imageName != null && (name.equals(baseName(imageName) + ".yaml")
            || "/".equals(entry.getKey()) && name.equals(baseName(imageName) + ".spdx.json")))) {
          check.add("disk.name", "the disk would overwrite " + name);
        }
        if (efiSystemPartition && (entry.getKey().equals(DiskLayout.EFI_MOUNT)
            || entry.getKey().startsWith(DiskLayout.EFI_MOUNT + "/"))) {
          check.add("image_data." + entry.getKey(), "the EFI system partition is mounted at " + DiskLayout.EFI_MOUNT
              + " on a disk that boots " + bootName);
        }
        JsonNode format = image.get("format");
        if (format != null && format.isTextual() && !DISK_FILESYSTEMS.contains(format.asText())) {
          check.add("image_data." + entry.getKey() + ".format", "a disk's filesystems must be one of " + DISK_FILESYSTEMS);
        }
        sizes.add(size(image.get("size"), "", new Check()));
      }
    }
    JsonNode table = disk.get("partition_table");
    String tableName = table == null || !table.isTextual() ? "gpt" : table.asText();
    JsonNode swap = disk.get("swap");
    if (swap != null && swap.hasNonNull("size")) {
      sizes.add(size(swap.get("size"), "disk.swap.size", check));
    }
    if ("msdos".equals(tableName) && sizes.size() + (efiSystemPartition ? 1 : 0) > 4) {
      check.add("disk.partition_table", "msdos holds at most 4 partitions" + (efiSystemPartition
          ? ", the EFI system partition among them" : "") + "; use gpt");
    }
    diskSize(disk.get("size"), DiskLayout.minimumSize(tableName, bootName, sizes), check);
    JsonNode packages = request.get("packages");
    if (!anyPackage(packages, pkg -> pkg.startsWith("linux-image-"))) {
      check.add("packages", "a disk boots a kernel: add one, e.g. " + arch.kernelPackage());
    }
    if (efiSystemPartition && !arch.isNative() && !anyPackage(packages, arch.grubEfiPackage()::equals)) {
      check.add("packages", "GRUB for an " + arch.name() + " disk comes from the image: add " + arch.grubEfiPackage());
    }
  }

  private static boolean anyPackage(JsonNode packages, Predicate<String> named) {
    return packages != null && StreamSupport.stream(packages.spliterator(), false)
        .anyMatch(p -> p.isTextual() && named.test(p.asText()));
  }

  private void diskSize(JsonNode size, long minimum, Check check) {
    long limit = settings.limits().maxTotalImageSize().toBytes();
    if (size == null || size.isNull()) {
      // the disk is then as large as its partitions: the same limit as a size that is given
      if (minimum > limit) {
        check.add("disk.size", "absent, so the disk would be as large as its partitions, " + minimum
            + " bytes: more than " + settings.limits().maxTotalImageSize());
      }
      return;
    }
    Long bytes = size.isIntegralNumber() && size.canConvertToLong() ? Long.valueOf(size.asLong())
        : size.isTextual() ? Sizes.parse(size.asText()) : null;
    if (bytes == null) {
      check.add("disk.size", "must be a number of bytes or a size like 4G");
    } else if (bytes < minimum) {
      check.add("disk.size", "smaller than its partitions: at least " + minimum + " bytes");
    } else if (bytes > limit) {
      check.add("disk.size", "must be at most " + settings.limits().maxTotalImageSize());
    }
  }

  /** The file an image or a disk is written to: the last segment of its URI, a plain name. */
  private String imageFileName(JsonNode uri, String path, Check check) {
    if (uri == null || !uri.isTextual()) {
      return null; // the schema names it
    }
    try {
      URI parsed = new URI(uri.asText());
      String uriPath = parsed.getPath() == null ? "" : parsed.getPath();
      String name = uriPath.substring(uriPath.lastIndexOf('/') + 1);
      if (List.of(uriPath.split("/")).contains("..") || !FILE_NAME.matcher(name).matches() || name.endsWith(".partial")) {
        check.add(path, "the last segment must be a plain file name (letters, digits, '.', '_', '+', '-')");
        return null;
      }
      return name;
    } catch (URISyntaxException e) {
      check.add(path, "not a URI: " + e.getReason());
      return null;
    }
  }

  /** An image's size in bytes, between 64M and the limit; the default when absent, 0 when refused. */
  private long size(JsonNode size, String path, Check check) {
    if (size == null || size.isNull()) {
      return Sizes.DEFAULT_IMAGE_SIZE;
    }
    if (check.refused(path) || !size.isIntegralNumber() && !size.isTextual()) {
      return 0;
    }
    Long bytes = size.isIntegralNumber() ? (size.canConvertToLong() ? Long.valueOf(size.asLong()) : null)
        : Sizes.parse(size.asText());
    if (bytes == null || bytes < Sizes.MIN_IMAGE_SIZE || bytes > settings.limits().maxImageSize().toBytes()) {
      check.add(path, "must be between 64M and " + settings.limits().maxImageSize());
      return 0;
    }
    return bytes;
  }

  private void output(JsonNode output, Check check) {
    if (output == null || !output.isTextual() || check.refused("output")) {
      return;
    }
    if (!AllowedRoots.contains(settings.allowedOutputRoots(), Path.of(output.asText()))) {
      check.add("output", "must lie inside one of " + settings.allowedOutputRoots() + " (image-foundry.allowed-output-roots)");
    }
  }

  /** The options mkfs allows for the image's filesystem, once the schema found them a list of strings. */
  private static void mkfsOptions(JsonNode options, JsonNode format, String image, Check check) {
    String path = image + ".options";
    if (options == null || !options.isArray() || check.refused(path) || format == null || !format.isTextual()
        || check.refused(image + ".format") || StreamSupport.stream(options.spliterator(), false).anyMatch(o -> !o.isTextual())) {
      return;
    }
    List<String> texts = StreamSupport.stream(options.spliterator(), false).map(JsonNode::asText).toList();
    MkfsOptions.check(format.asText(), texts, path).forEach(problem -> check.add(problem.field(), problem.message()));
  }

  /** How many repos, their names distinct, their hosts and roots allowed, and what only admins may ask. */
  private void repos(JsonNode repos, Caller caller, Check check) {
    if (repos == null || !repos.isArray()) {
      return;
    }
    if (repos.size() > settings.limits().maxRepos()) {
      check.add("repos", "at most " + settings.limits().maxRepos() + " repos");
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < repos.size(); i++) {
      String path = "repos[" + i + "]";
      JsonNode repo = repos.get(i);
      if (!repo.isObject()) {
        continue;
      }
      JsonNode name = repo.get("name");
      if (name != null && name.isTextual() && !names.add(name.asText())) {
        check.add(path + ".name", "two repos are named " + name.asText());
      }
      repoUri(repo.get("uri"), path + ".uri", caller.admin() ? uri -> true : repoHosts::allows, check);
      JsonNode trusted = repo.get("trusted");
      if (trusted != null && trusted.isBoolean() && trusted.asBoolean() && !caller.admin()) {
        check.add(path + ".trusted", "only admins may skip a repo's signature checks");
      }
      JsonNode keyring = repo.get("keyring");
      if (keyring != null && !keyring.isNull()) {
        keyring(keyring, path + ".keyring", check);
        if (!caller.admin()) {
          check.add(path + ".keyring", "only admins may give a repo its own keyring");
        }
      }
    }
  }

  /**
   * The {@code mirror} variable as a step reads it: a repo URI like any request's (an admin may have
   * changed it in Cockpit), on an allowed host or on the host of one of the build's own repos.
   */
  public List<Problem> validateMirror(Object mirror, BuildSpec spec) {
    if (!(mirror instanceof String text) || text.isEmpty()) {
      return List.of(new Problem("mirror", "must be the URI of the base repo"));
    }
    var check = new Check(RequestSchema.problems("repoUri", TextNode.valueOf(text), "mirror"));
    Set<String> requested = new HashSet<>();
    for (BuildSpec.RepoSpec repo : spec.repos() == null ? List.<BuildSpec.RepoSpec>of() : spec.repos()) {
      try {
        requested.add(RepoHosts.host(new URI(repo.uri())));
      } catch (URISyntaxException | NullPointerException e) {
        // the request's own check names it
      }
    }
    repoUri(TextNode.valueOf(text), "mirror", uri -> repoHosts.allows(uri) || requested.contains(RepoHosts.host(uri)), check);
    return check.problems;
  }

  /** A repo on an allowed host (http, https) or inside an allowed root (file). */
  private void repoUri(JsonNode uri, String path, Predicate<URI> hostAllowed, Check check) {
    if (uri == null || !uri.isTextual() || check.refused(path)) {
      return; // absent: the default mirror; malformed: the schema names it
    }
    try {
      URI parsed = new URI(uri.asText());
      String scheme = parsed.getScheme() == null ? "" : parsed.getScheme();
      switch (scheme) {
        case "http", "https" -> {
          if (parsed.getHost() == null || parsed.getRawQuery() != null || parsed.getRawFragment() != null
              || parsed.getUserInfo() != null) {
            check.add(path, "must be http(s)://host/path without user, query or fragment");
          } else if (!hostAllowed.test(parsed)) {
            check.add(path, "host " + parsed.getHost() + " is not in image-foundry.allowed-repo-hosts "
                + repoHosts.allowed() + ": only admins may use repos on other hosts");
          }
        }
        case "file" -> {
          // the path as decoded: %00 is a NUL here
          String decoded = parsed.getPath() == null ? "" : parsed.getPath();
          Path dir = decoded.chars().anyMatch(Character::isISOControl) ? Path.of("") : Path.of(decoded);
          if (!dir.isAbsolute() || !dir.normalize().equals(dir) || !AllowedRoots.contains(settings.allowedFileRepoRoots(), dir)) {
            check.add(path, "a file: repo must lie inside image-foundry.allowed-file-repo-roots "
                + settings.allowedFileRepoRoots());
          }
        }
        default -> check.add(path, "only http, https and file URIs are allowed");
      }
    } catch (URISyntaxException e) {
      check.add(path, "not a URI: " + e.getReason());
    }
  }

  /** A keyring of the build host's: an existing file in one of apt's keyring directories. */
  private static void keyring(JsonNode keyring, String path, Check check) {
    if (!keyring.isTextual() || check.refused(path)) {
      return;
    }
    if (keyring.asText().chars().anyMatch(Character::isISOControl)) {
      check.add(path, "must be the path of a keyring file on the build host");
      return;
    }
    Path file = Path.of(keyring.asText());
    if (!file.isAbsolute() || !file.normalize().equals(file) || !file.startsWith("/usr/share/keyrings")
        && !file.startsWith("/etc/apt/keyrings") || !Files.isRegularFile(file)) {
      check.add(path, "must be an existing keyring under /usr/share/keyrings or /etc/apt/keyrings");
    }
  }

  /** How many packages, and each one package by its exact name. */
  private void packages(JsonNode packages, Check check) {
    if (packages == null || !packages.isArray()) {
      return;
    }
    if (packages.size() > settings.limits().maxPackages()) {
      check.add("packages", "at most " + settings.limits().maxPackages() + " entries");
    }
    for (int i = 0; i < packages.size(); i++) {
      String path = "packages[" + i + "]";
      if (packages.get(i).isTextual()) {
        PackageNames.problem(packages.get(i).asText()).ifPresent(problem -> check.add(path, problem));
      }
    }
  }

  /** A proxy is where the service's and apt's fetches go: like a repo, on a listed host unless an admin asks. */
  private void proxies(JsonNode proxies, Caller caller, Check check) {
    JsonNode protocols = proxies == null ? null : proxies.get("protocols");
    if (protocols == null || !protocols.isObject()) {
      return;
    }
    for (var entry : protocols.properties()) {
      String path = "proxies.protocols." + entry.getKey();
      if (!entry.getValue().isTextual() || check.refused(path)) {
        continue;
      }
      try {
        URI parsed = new URI(entry.getValue().asText());
        if (parsed.getHost() == null) {
          check.add(path, "must be an http(s) URI");
        } else if (!caller.admin() && !repoHosts.allows(parsed)) {
          check.add(path, "host " + parsed.getHost() + " is not in image-foundry.allowed-repo-hosts "
              + repoHosts.allowed() + ": only admins may use proxies on other hosts");
        }
      } catch (URISyntaxException e) {
        check.add(path, "not a URI: " + e.getReason());
      }
    }
  }

  /** The problems so far: the schema's first, then the rules', which pass over a field the schema refused. */
  private static final class Check {
    final List<Problem> problems;
    private final Set<String> refused;

    Check(List<Problem> structural) {
      problems = new ArrayList<>(structural);
      refused = structural.stream().map(Problem::field).collect(Collectors.toSet());
    }

    /** For a rule's own use of a value, whose problems are named elsewhere. */
    Check() {
      this(List.of());
    }

    boolean refused(String field) {
      return refused.contains(field);
    }

    void add(String field, String message) {
      if (!refused(field)) {
        problems.add(new Problem(field, message));
      }
    }
  }
}
