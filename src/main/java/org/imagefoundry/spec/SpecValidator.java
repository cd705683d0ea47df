package org.imagefoundry.spec;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.imagefoundry.rules.AllowedRoots;
import org.imagefoundry.rules.MkfsOptions;
import org.imagefoundry.rules.PackageNames;
import org.imagefoundry.rules.Problem;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.users.Caller;
import org.springframework.stereotype.Component;

/**
 * Checks a request before anything runs and reports every problem at once, each with its field path.
 * Everything that later reaches a command line or a path is checked here, against a whitelist.
 */
@Component
public class SpecValidator {

  static final Set<String> FIELDS = Set.of("image_data", "output", "codename", "repos", "packages", "root_password",
      "hashed_root_password", "proxies", "variant", "disk");
  static final Set<String> DISK_FIELDS = Set.of("name", "format", "partition_table", "boot", "size", "swap");
  static final Set<String> DISK_FORMATS = Set.of("raw", "qcow2");
  static final Set<String> PARTITION_TABLES = Set.of("gpt", "msdos");
  /** The firmware a disk boots with: bios (GRUB for BIOS), uefi (an EFI system partition, GRUB for UEFI), both. */
  static final Set<String> BOOT_MODES = Set.of("bios", "uefi", "both");
  static final Set<String> DISK_FILESYSTEMS = Set.of("ext2", "ext3", "ext4");
  static final Set<String> IMAGE_FIELDS = Set.of("uri", "format", "container", "options", "label", "size");
  static final Set<String> REPO_FIELDS = Set.of("name", "uri", "suite", "section", "priority", "type", "trusted",
      "keyring", "meta");
  static final Set<String> PROXY_FIELDS = Set.of("protocols", "direct_repo_addr_list");
  static final Set<String> FORMATS = Set.of("ext2", "ext3", "ext4", "xfs");
  static final Set<String> CONTAINERS = Set.of("raw", "gzip", "zstd", "xz");
  static final Set<String> VARIANTS = Set.of("minbase", "buildd");

  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Pattern SECTION = Pattern.compile("[a-z0-9][a-z0-9._/-]{0,63}( [a-z0-9][a-z0-9._/-]{0,63}){0,7}");
  private static final Pattern MOUNT = Pattern.compile("/|(/[A-Za-z0-9_][A-Za-z0-9._-]{0,63})+");
  private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,127}");
  private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9._-]{1,16}");
  private static final Pattern CRYPT_HASH = Pattern.compile("\\$(5|6|y|gy|2[abxy])\\$[A-Za-z0-9./$=]{8,400}");
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.:-]{0,252}(/[0-9]{1,3})?");

  private final FoundrySettings settings;
  private final RepoHosts repoHosts;

  public SpecValidator(FoundrySettings settings, RepoHosts repoHosts) {
    this.settings = settings;
    this.repoHosts = repoHosts;
  }

  /** Every problem of {@code request} as {@code caller} asks for it; empty when it may be built. */
  public List<Problem> validate(JsonNode request, Caller caller) {
    var check = new Check();
    if (request == null || !request.isObject()) {
      check.add("", "the request must be a JSON object");
      return check.problems;
    }
    check.unknownFields(request, FIELDS, "");
    images(request.get("image_data"), check);
    output(request.get("output"), check);
    String codename = check.token(request.get("codename"), "codename", true);
    repos(request.get("repos"), codename, caller, check);
    packages(request.get("packages"), check);
    passwords(request, check);
    proxies(request.get("proxies"), caller, check);
    JsonNode variant = request.get("variant");
    if (variant != null && !variant.isNull() && !(variant.isTextual() && VARIANTS.contains(variant.asText()))) {
      check.add("variant", "must be one of " + VARIANTS);
    }
    disk(request, check);
    return check.problems;
  }

  private void images(JsonNode images, Check check) {
    if (images == null || !images.isObject() || images.isEmpty()) {
      check.add("image_data", "must be an object of mount point to image, with at least \"/\"");
      return;
    }
    if (images.size() > settings.limits().maxImages()) {
      check.add("image_data", "at most " + settings.limits().maxImages() + " images");
    }
    if (!images.has("/")) {
      check.add("image_data", "must have an image for \"/\"");
    }
    Set<String> names = new HashSet<>();
    long total = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = images.fields(); it.hasNext(); ) {
      var entry = it.next();
      String mount = entry.getKey();
      String path = "image_data." + mount;
      if (!MOUNT.matcher(mount).matches() || mount.contains("/./") || mount.endsWith("/.") || mount.contains("..")) {
        check.add(path, "a mount point must be an absolute, normalized path of plain names");
      }
      JsonNode image = entry.getValue();
      if (!image.isObject()) {
        check.add(path, "must be an object");
        continue;
      }
      check.unknownFields(image, IMAGE_FIELDS, path + ".");
      String name = imageFileName(image.get("uri"), path + ".uri", check);
      if (name != null && !names.add(name)) {
        check.add(path + ".uri", "two images would both be written to " + name);
      }
      check.oneOf(image.get("format"), path + ".format", FORMATS, true);
      check.oneOf(image.get("container"), path + ".container", CONTAINERS, true);
      mkfsOptions(image.get("options"), image.get("format"), path + ".options", check);
      JsonNode label = image.get("label");
      if (label != null && !label.isNull() && !(label.isTextual() && LABEL.matcher(label.asText()).matches())) {
        check.add(path + ".label", "must be 1 to 16 letters, digits, '.', '_' or '-'");
      }
      total += size(image.get("size"), path + ".size", check);
    }
    if (total > settings.limits().maxTotalImageSize().toBytes()) {
      check.add("image_data", "the images' sizes add up to more than " + settings.limits().maxTotalImageSize());
    }
    if (images.has("/") && images.get("/").isObject()) {
      String rootName = imageFileName(images.get("/").get("uri"), "image_data./.uri", new Check());
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
  }

  /** A file name up to its first dot: what the metadata (.yaml) and the bill of materials (.spdx.json) are named after. */
  private static String baseName(String fileName) {
    return fileName.contains(".") ? fileName.substring(0, fileName.indexOf('.')) : fileName;
  }

  /**
   * A disk: its file name beside the images, format, partition table, boot mode, a size that holds its
   * partitions, a swap with a size, ext filesystems only (what GRUB reads), no image where a UEFI disk mounts
   * its EFI system partition, and a kernel among the packages.
   */
  private void disk(JsonNode request, Check check) {
    JsonNode disk = request.get("disk");
    if (disk == null || disk.isNull()) {
      return;
    }
    if (!disk.isObject()) {
      check.add("disk", "must be an object: {name, format, partition_table, boot, size, swap}");
      return;
    }
    check.unknownFields(disk, DISK_FIELDS, "disk.");
    String name = imageFileName(disk.get("name"), "disk.name", check);
    JsonNode boot = disk.get("boot");
    check.oneOf(boot, "disk.boot", BOOT_MODES, false);
    String bootName = boot == null || !boot.isTextual() ? "bios" : boot.asText();
    boolean efiSystemPartition = "uefi".equals(bootName) || "both".equals(bootName);
    JsonNode images = request.get("image_data");
    List<Long> sizes = new ArrayList<>();
    if (images != null && images.isObject()) {
      images.fields().forEachRemaining(entry -> {
        JsonNode image = entry.getValue();
        if (!image.isObject()) {
          return;
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
      });
    }
    check.oneOf(disk.get("format"), "disk.format", DISK_FORMATS, true);
    JsonNode table = disk.get("partition_table");
    check.oneOf(table, "disk.partition_table", PARTITION_TABLES, false);
    String tableName = table == null || !table.isTextual() ? "gpt" : table.asText();
    JsonNode swap = disk.get("swap");
    if (swap != null && !swap.isNull()) {
      if (!swap.isObject()) {
        check.add("disk.swap", "must be an object: {size}");
      } else {
        check.unknownFields(swap, Set.of("size"), "disk.swap.");
        if (!swap.hasNonNull("size")) {
          check.add("disk.swap.size", "required: the swap partition's size, e.g. 512M");
        } else {
          sizes.add(size(swap.get("size"), "disk.swap.size", check));
        }
      }
    }
    if ("msdos".equals(tableName) && sizes.size() + (efiSystemPartition ? 1 : 0) > 4) {
      check.add("disk.partition_table", "msdos holds at most 4 partitions" + (efiSystemPartition
          ? ", the EFI system partition among them" : "") + "; use gpt");
    }
    JsonNode size = disk.get("size");
    long minimum = DiskLayout.minimumSize(tableName, bootName, sizes);
    if (size == null || size.isNull()) {
      // the disk is then as large as its partitions: the same limit as a size that is given
      if (minimum > settings.limits().maxTotalImageSize().toBytes()) {
        check.add("disk.size", "absent, so the disk would be as large as its partitions, " + minimum
            + " bytes: more than " + settings.limits().maxTotalImageSize());
      }
    } else {
      Long bytes = size.isIntegralNumber() && size.canConvertToLong() ? Long.valueOf(size.asLong())
          : size.isTextual() ? Sizes.parse(size.asText()) : null;
      if (bytes == null) {
        check.add("disk.size", "must be a number of bytes or a size like 4G");
      } else if (bytes < minimum) {
        check.add("disk.size", "smaller than its partitions: at least " + minimum + " bytes");
      } else if (bytes > settings.limits().maxTotalImageSize().toBytes()) {
        check.add("disk.size", "must be at most " + settings.limits().maxTotalImageSize());
      }
    }
    JsonNode packages = request.get("packages");
    boolean kernel = packages != null && packages.isArray() && java.util.stream.StreamSupport.stream(packages.spliterator(), false)
        .anyMatch(p -> p.isTextual() && p.asText().startsWith("linux-image-"));
    if (!kernel) {
      check.add("packages", "a disk boots a kernel: add one, e.g. linux-image-amd64");
    }
  }

  private String imageFileName(JsonNode uri, String path, Check check) {
    if (uri == null || !uri.isTextual()) {
      check.add(path, "required: a URI whose last segment names the image file");
      return null;
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

  private long size(JsonNode size, String path, Check check) {
    if (size == null || size.isNull()) {
      return Sizes.DEFAULT_IMAGE_SIZE;
    }
    Long bytes = size.isIntegralNumber() ? Long.valueOf(size.asLong())
        : size.isTextual() ? Sizes.parse(size.asText()) : null;
    if (bytes == null || size.isIntegralNumber() && !size.canConvertToLong()) {
      check.add(path, "must be a number of bytes or a size like 1G or 8192M");
      return 0;
    }
    if (bytes < Sizes.MIN_IMAGE_SIZE || bytes > settings.limits().maxImageSize().toBytes()) {
      check.add(path, "must be between 64M and " + settings.limits().maxImageSize());
      return 0;
    }
    return bytes;
  }

  private void output(JsonNode output, Check check) {
    if (output == null || !output.isTextual()) {
      check.add("output", "required: the directory the images are published to");
      return;
    }
    String text = output.asText();
    if (text.isEmpty() || text.chars().anyMatch(Character::isISOControl)) {
      check.add("output", "must be an absolute, normalized path");
      return;
    }
    Path path = Path.of(text);
    if (!path.isAbsolute() || !path.normalize().toString().equals(text)) {
      check.add("output", "must be an absolute, normalized path");
      return;
    }
    if (!AllowedRoots.contains(settings.allowedOutputRoots(), path)) {
      check.add("output", "must lie inside one of " + settings.allowedOutputRoots() + " (image-foundry.allowed-output-roots)");
    }
  }

  private static void mkfsOptions(JsonNode options, JsonNode format, String path, Check check) {
    if (options == null || options.isNull()) {
      return;
    }
    if (!options.isArray() || options.size() > 32) {
      check.add(path, "must be a list of at most 32 strings: mkfs options, each value as the next entry");
      return;
    }
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < options.size(); i++) {
      if (!options.get(i).isTextual()) {
        check.add(path + "[" + i + "]", "must be a string");
        return;
      }
      texts.add(options.get(i).asText());
    }
    if (format != null && format.isTextual() && FORMATS.contains(format.asText())) {
      check.problems.addAll(MkfsOptions.check(format.asText(), texts, path));
    }
  }

  private void repos(JsonNode repos, String codename, Caller caller, Check check) {
    if (repos == null || repos.isNull()) {
      return;
    }
    if (!repos.isArray() || repos.isEmpty()) {
      check.add("repos", "must be a non-empty list; the first is the mirror debootstrap uses");
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
        check.add(path, "must be an object");
        continue;
      }
      check.unknownFields(repo, REPO_FIELDS, path + ".");
      String name = check.token(repo.get("name"), path + ".name", true);
      if (name != null && !names.add(name)) {
        check.add(path + ".name", "two repos are named " + name);
      }
      repoUri(repo.get("uri"), path + ".uri", caller.admin() ? uri -> true : repoHosts::allows, check);
      check.token(repo.get("suite"), path + ".suite", codename == null);
      JsonNode section = repo.get("section");
      if (section != null && !section.isNull() && !(section.isTextual() && SECTION.matcher(section.asText()).matches())) {
        check.add(path + ".section", "must be components like \"main\" or \"main contrib\"");
      }
      JsonNode priority = repo.get("priority");
      if (priority != null && !priority.isNull()
          && !(priority.isIntegralNumber() && priority.canConvertToInt() && Math.abs(priority.asInt()) <= 10000)) {
        check.add(path + ".priority", "must be null or an integer between -10000 and 10000");
      }
      JsonNode type = repo.get("type");
      if (type != null && !type.isNull() && !"deb".equals(type.asText())) {
        check.add(path + ".type", "only \"deb\" repos are supported");
      }
      JsonNode trusted = repo.get("trusted");
      if (trusted != null && !trusted.isNull() && !trusted.isBoolean()) {
        check.add(path + ".trusted", "must be true or false");
      } else if (trusted != null && trusted.asBoolean() && !caller.admin()) {
        check.add(path + ".trusted", "only admins may skip a repo's signature checks");
      }
      JsonNode keyring = repo.get("keyring");
      if (keyring != null && !keyring.isNull()) {
        keyring(keyring, path + ".keyring", check);
        if (!caller.admin()) {
          check.add(path + ".keyring", "only admins may give a repo its own keyring");
        }
      }
      JsonNode meta = repo.get("meta");
      if (meta != null && !meta.isNull() && !meta.isObject()) {
        check.add(path + ".meta", "must be null or an object");
      }
    }
  }

  /**
   * The {@code mirror} variable as a step reads it: a repo URI like any request's (an admin may have
   * changed it in Cockpit), on an allowed host or on the host of one of the build's own repos.
   */
  public List<Problem> validateMirror(Object mirror, BuildSpec spec) {
    var check = new Check();
    if (!(mirror instanceof String text) || text.isEmpty()) {
      check.add("mirror", "must be the URI of the base repo");
      return check.problems;
    }
    java.util.Set<String> requested = new HashSet<>();
    for (BuildSpec.RepoSpec repo : spec.repos() == null ? List.<BuildSpec.RepoSpec>of() : spec.repos()) {
      try {
        requested.add(RepoHosts.host(new URI(repo.uri())));
      } catch (URISyntaxException | NullPointerException e) {
        // the request's own check names it
      }
    }
    repoUri(com.fasterxml.jackson.databind.node.TextNode.valueOf(text), "mirror",
        uri -> repoHosts.allows(uri) || requested.contains(RepoHosts.host(uri)), check);
    return check.problems;
  }

  private void repoUri(JsonNode uri, String path, java.util.function.Predicate<URI> hostAllowed, Check check) {
    if (uri == null || uri.isNull()) {
      return; // the default mirror
    }
    if (!uri.isTextual()) {
      check.add(path, "must be a string");
      return;
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
          String filePath = parsed.getPath() == null ? "" : parsed.getPath();
          if (filePath.chars().anyMatch(Character::isISOControl)) {
            check.add(path, "a file: repo must lie inside image-foundry.allowed-file-repo-roots");
            return;
          }
          Path dir = Path.of(filePath);
          boolean allowed = dir.isAbsolute() && dir.normalize().equals(dir)
              && AllowedRoots.contains(settings.allowedFileRepoRoots(), dir);
          if (!allowed) {
            check.add(path, "a file: repo must lie inside image-foundry.allowed-file-repo-roots "
                + settings.allowedFileRepoRoots());
          }
        }
        default -> check.add(path, "only http, https and file URIs are allowed");
      }
      if (uri.asText().chars().anyMatch(c -> c <= ' ' || c == '"' || c == '\'' || c == '\\' || c == '`')) {
        check.add(path, "must not contain spaces, quotes or control characters");
      }
    } catch (URISyntaxException e) {
      check.add(path, "not a URI: " + e.getReason());
    }
  }

  private void keyring(JsonNode keyring, String path, Check check) {
    if (!keyring.isTextual() || keyring.asText().chars().anyMatch(Character::isISOControl)) {
      check.add(path, "must be the path of a keyring file on the build host");
      return;
    }
    Path file = Path.of(keyring.asText());
    if (!file.isAbsolute() || !file.normalize().equals(file) || !file.startsWith("/usr/share/keyrings")
        && !file.startsWith("/etc/apt/keyrings") || !Files.isRegularFile(file)) {
      check.add(path, "must be an existing keyring under /usr/share/keyrings or /etc/apt/keyrings");
    }
  }

  private void packages(JsonNode packages, Check check) {
    if (packages == null || packages.isNull()) {
      return;
    }
    if (!packages.isArray()) {
      check.add("packages", "must be a list of strings");
      return;
    }
    if (packages.size() > settings.limits().maxPackages()) {
      check.add("packages", "at most " + settings.limits().maxPackages() + " entries");
    }
    for (int i = 0; i < packages.size(); i++) {
      JsonNode item = packages.get(i);
      String path = "packages[" + i + "]";
      if (!item.isTextual()) {
        check.add(path, "must be a Debian package name");
      } else {
        PackageNames.problem(item.asText()).ifPresent(problem -> check.add(path, problem));
      }
    }
  }

  private void passwords(JsonNode request, Check check) {
    JsonNode plain = request.get("root_password");
    JsonNode hashed = request.get("hashed_root_password");
    boolean hasPlain = plain != null && !plain.isNull();
    boolean hasHashed = hashed != null && !hashed.isNull();
    if (hasPlain && hasHashed) {
      check.add("root_password", "give root_password or hashed_root_password, not both");
    }
    if (hasPlain && !(plain.isTextual() && !plain.asText().isEmpty() && plain.asText().length() <= 256
        && plain.asText().chars().noneMatch(Character::isISOControl))) {
      check.add("root_password", "must be 1 to 256 printable characters");
    }
    if (hasHashed && !(hashed.isTextual() && CRYPT_HASH.matcher(hashed.asText()).matches())) {
      check.add("hashed_root_password", "must be a crypt(5) hash such as $6$salt$hash");
    }
  }

  private void proxies(JsonNode proxies, Caller caller, Check check) {
    if (proxies == null || proxies.isNull()) {
      return;
    }
    if (!proxies.isObject()) {
      check.add("proxies", "must be an object");
      return;
    }
    check.unknownFields(proxies, PROXY_FIELDS, "proxies.");
    JsonNode protocols = proxies.get("protocols");
    if (protocols != null && !protocols.isNull()) {
      if (!protocols.isObject()) {
        check.add("proxies.protocols", "must be an object of protocol to proxy URI");
      } else {
        protocols.fields().forEachRemaining(entry -> {
          String path = "proxies.protocols." + entry.getKey();
          if (!Set.of("http", "https").contains(entry.getKey())) {
            check.add(path, "only http and https proxies are supported");
          }
          proxyUri(entry.getValue(), path, caller, check);
        });
      }
    }
    JsonNode direct = proxies.get("direct_repo_addr_list");
    if (direct != null && !direct.isNull()) {
      check.stringList(direct, "proxies.direct_repo_addr_list", HOST, 64, "a host name or address");
    }
  }

  /** A proxy is where the service's and apt's fetches go: like a repo, on a listed host unless an admin asks. */
  private void proxyUri(JsonNode uri, String path, Caller caller, Check check) {
    try {
      URI parsed = new URI(uri.isTextual() ? uri.asText() : "");
      if (!Set.of("http", "https").contains(String.valueOf(parsed.getScheme())) || parsed.getHost() == null
          || uri.asText().chars().anyMatch(c -> c <= ' ' || c == '"' || c == '\'' || c == '\\' || c == ';')) {
        check.add(path, "must be an http(s) URI");
      } else if (!caller.admin() && !repoHosts.allows(parsed)) {
        check.add(path, "host " + parsed.getHost() + " is not in image-foundry.allowed-repo-hosts "
            + repoHosts.allowed() + ": only admins may use proxies on other hosts");
      }
    } catch (URISyntaxException e) {
      check.add(path, "not a URI: " + e.getReason());
    }
  }

  /** Collects problems and holds the small checks used throughout. */
  private static final class Check {
    final List<Problem> problems = new ArrayList<>();

    void add(String field, String message) {
      problems.add(new Problem(field, message));
    }

    void unknownFields(JsonNode node, Set<String> known, String prefix) {
      node.fieldNames().forEachRemaining(name -> {
        if (!known.contains(name)) {
          add(prefix + name, "unknown field");
        }
      });
    }

    String token(JsonNode node, String path, boolean required) {
      if (node == null || node.isNull()) {
        if (required) {
          add(path, "required");
        }
        return null;
      }
      if (!node.isTextual() || !TOKEN.matcher(node.asText()).matches()) {
        add(path, "must be a plain name: letters, digits, '.', '_' or '-'");
        return null;
      }
      return node.asText();
    }

    void oneOf(JsonNode node, String path, Set<String> allowed, boolean required) {
      if (node == null || node.isNull()) {
        if (required) {
          add(path, "required: one of " + allowed);
        }
        return;
      }
      if (!node.isTextual() || !allowed.contains(node.asText())) {
        add(path, "must be one of " + allowed);
      }
    }

    void stringList(JsonNode node, String path, Pattern element, int max, String what) {
      if (!node.isArray()) {
        add(path, "must be a list of strings");
        return;
      }
      if (node.size() > max) {
        add(path, "at most " + max + " entries");
      }
      for (int i = 0; i < node.size(); i++) {
        JsonNode item = node.get(i);
        if (!item.isTextual() || !element.matcher(item.asText()).matches()) {
          add(path + "[" + i + "]", "must be " + what);
        }
      }
    }
  }
}
