package org.imagefoundry.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.imagefoundry.host.Command;
import org.imagefoundry.host.CommandResult;
import org.imagefoundry.host.ProcessCommandRunner;
import org.imagefoundry.metadata.BuildMetadata;
import org.imagefoundry.metadata.ImageMetadata;
import org.imagefoundry.metadata.MetadataFiles;

/**
 * What a real build must have produced: every image in the metadata exists with the md5 and size the
 * metadata says, its raw filesystem is clean, and mounted it holds the packages and the right os; and
 * what it must have left: nothing of the build on the host.
 */
public final class ImageChecks {

  private static final ProcessCommandRunner RUN = new ProcessCommandRunner();
  private static final Duration LIMIT = Duration.ofMinutes(5);

  private ImageChecks() {}

  /** Checks the published images and returns the metadata. */
  public static BuildMetadata verifyPublished(Path metadataFile, List<String> packages, Path scratch) {
    return verifyPublished(metadataFile, packages, scratch, mnt -> { });
  }

  /** As above, with {@code inImage} given the mounted image for further checks. */
  public static BuildMetadata verifyPublished(Path metadataFile, List<String> packages, Path scratch,
      java.util.function.Consumer<Path> inImage) {
    createDirectories(scratch);
    String yaml = read(metadataFile);
    for (String field : List.of("images:", "container:", "container_md5:", "container_name:", "container_size:",
        "format:", "raw_md5:", "raw_name:", "raw_size:", "os:", "packages:", "repos:")) {
      assertThat(yaml).as("metadata field " + field).contains(field);
    }
    BuildMetadata metadata = MetadataFiles.read(metadataFile).orElseThrow();
    assertThat(metadata.os().name()).isEqualTo("Debian");
    assertThat(metadata.os().major()).isEqualTo(12);
    Path output = metadataFile.getParent();
    Map<String, Path> raws = new java.util.LinkedHashMap<>();
    for (ImageMetadata image : metadata.images()) {
      Path container = output.resolve(image.containerName());
      assertThat(container).exists();
      assertThat(size(container)).as("container_size of " + container).isEqualTo(image.containerSize());
      assertThat(md5(container)).as("container_md5 of " + container).isEqualTo(image.containerMd5());
      Path raw = scratch.resolve(image.containerName() + ".raw");
      decompress(container, image.container(), raw);
      assertThat(size(raw)).as("raw_size of " + container).isEqualTo(image.rawSize());
      assertThat(md5(raw)).as("raw_md5 of " + container).isEqualTo(image.rawMd5());
      CommandResult fsck = RUN.run(Command.of(LIMIT, "e2fsck", "-fn", raw.toString()).okExitCodes(0, 1, 2, 4, 8));
      assertThat(fsck.exitCode()).as("e2fsck -fn " + raw + ":\n" + fsck.output()).isZero();
      if (image.mount().equals("/")) {
        assertShrunkToItsContent(raw);
      }
      raws.put(image.mount(), raw);
    }
    Path mnt = scratch.resolve("mnt");
    List<Path> mounted = new ArrayList<>();
    try {
      for (String mount : raws.keySet().stream().sorted(Comparator.comparingInt(String::length)).toList()) {
        Path target = mount.equals("/") ? mnt : mnt.resolve(mount.substring(1));
        Files.createDirectories(target);
        RUN.run(Command.of(LIMIT, "mount", "-o", "loop,ro", raws.get(mount).toString(), target.toString()));
        mounted.add(0, target);
      }
      String status = read(mnt.resolve("var/lib/dpkg/status"));
      for (String pkg : packages) {
        assertThat(status).as("package " + pkg + " installed").contains("Package: " + pkg + "\nStatus: install ok installed");
      }
      assertThat(read(mnt.resolve("usr/lib/os-release"))).contains("ID=debian").contains("VERSION_ID=\"12\"");
      assertThat(mnt.resolve("usr/sbin/policy-rc.d")).doesNotExist();
      try (var debs = Files.list(mnt.resolve("var/cache/apt/archives"))) {
        assertThat(debs.map(Path::toString)).as("no packages left in apt's cache").noneMatch(d -> d.endsWith(".deb"));
      }
      inImage.accept(mnt);
      if (Files.exists(mnt.resolve("etc/hostname"))) {
        assertThat(read(mnt.resolve("etc/hostname"))).as("the build host's name is not the image's").isEqualTo("localhost\n");
      }
      if (Files.exists(mnt.resolve("etc/machine-id"))) {
        assertThat(read(mnt.resolve("etc/machine-id"))).as("machine-id").isEmpty();
      }
      try (var keys = Files.list(mnt.resolve("etc"))) {
        assertThat(keys.map(Path::toString)).as("no SSH host keys").noneMatch(k -> k.contains("ssh_host_"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      mounted.forEach(target -> RUN.run(Command.of(LIMIT, "umount", target.toString())));
    }
    return metadata;
  }

  /**
   * resize2fs -M ran until it took off little: its estimate of the minimum (resize2fs -P, read-only) is
   * not a twentieth below the size. (Free blocks alone do not say it: resize2fs leaves some images, an
   * arm64 disk's root, with a third of their blocks free and estimates them at their size.)
   */
  private static void assertShrunkToItsContent(Path raw) {
    long blocks = field(RUN.run(Command.of(LIMIT, "dumpe2fs", "-h", raw.toString())).lines(), "Block count:");
    long minimum = field(RUN.run(Command.of(LIMIT, "resize2fs", "-P", raw.toString())).lines(),
        "Estimated minimum size of the filesystem:");
    assertThat(minimum).as("resize2fs's estimate of the minimum of " + raw + " (" + blocks + " blocks)")
        .isGreaterThan(blocks - blocks / 20);
  }

  private static long field(List<String> lines, String name) {
    return lines.stream().filter(line -> line.startsWith(name)).map(line -> Long.parseLong(line.substring(name.length()).trim()))
        .findFirst().orElseThrow(() -> new AssertionError("printed no " + name));
  }

  /**
   * Nothing of the build is left: no loop device on its files, no mount under its workspace in any
   * process's mount namespace (the service's own included), no workspace, no partial output.
   */
  public static void assertNothingLeft(Path buildRoot, String buildId, Path output) {
    Path workspace = buildRoot.resolve(buildId);
    String loops = RUN.run(Command.of(LIMIT, "losetup", "--all")).output();
    assertThat(loops).as("loop devices").doesNotContain(workspace.toString());
    assertThat(mountsInEveryNamespace()).as("mounts, in any mount namespace").noneMatch(m -> m.contains(workspace.toString()));
    assertThat(workspace).as("workspace").doesNotExist();
    if (Files.isDirectory(output)) {
      try (var files = Files.list(output)) {
        assertThat(files.map(p -> p.getFileName().toString())).as("partial outputs")
            .noneMatch(n -> n.endsWith("." + buildId + ".partial"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Every process's mountinfo lines, each namespace's once, tagged with a pid that has it. */
  public static List<String> mountsInEveryNamespace() {
    Map<String, String> byNamespace = new java.util.HashMap<>();
    try (var processes = Files.list(Path.of("/proc"))) {
      for (Path process : processes.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          String namespace = Files.readSymbolicLink(process.resolve("ns/mnt")).toString();
          if (!byNamespace.containsKey(namespace)) {
            byNamespace.put(namespace, "pid " + process.getFileName() + ": " + Files.readString(process.resolve("mountinfo")));
          }
        } catch (IOException ended) {
          // the process ended meanwhile, or its namespace cannot be read
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return byNamespace.values().stream().toList();
  }

  private static void decompress(Path container, String type, Path raw) {
    List<String> args = switch (type) {
      case "gzip" -> List.of("gzip", "-dc", container.toString());
      case "zstd" -> List.of("zstd", "-dc", container.toString());
      case "xz" -> List.of("xz", "-dc", container.toString());
      default -> List.of("cat", container.toString());
    };
    try (var out = Files.newOutputStream(raw)) {
      RUN.pipe(Command.of(LIMIT, args), InputStream.nullInputStream(), out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String md5(Path file) {
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("MD5"))) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
