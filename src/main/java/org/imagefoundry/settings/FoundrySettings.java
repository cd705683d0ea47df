package org.imagefoundry.settings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/** Everything an operator configures under {@code image-foundry.*} (see docs/operations.md, "Configuration"). */
@ConfigurationProperties("image-foundry")
public record FoundrySettings(
    @DefaultValue("/var/lib/image-foundry/build") Path buildRoot,
    @DefaultValue("/var/lib/image-foundry/data") Path dataDir,
    @DefaultValue("/var/lib/image-foundry/images") List<Path> allowedOutputRoots,
    String defaultMirror,
    String nodeName,
    @DefaultValue("R3/PT20S") String retryCycle,
    @DefaultValue("PT24H") Duration incidentTimeout,
    @DefaultValue List<Path> allowedFileRepoRoots,
    @DefaultValue Timeouts timeouts,
    @DefaultValue Limits limits,
    @DefaultValue Cache cache,
    Integer maxConcurrentBuilds,
    @DefaultValue("true") boolean discardFreeBlocks,
    @DefaultValue Health health,
    @DefaultValue Admin admin,
    @DefaultValue List<String> allowedRepoHosts) {

  /** What /actuator/health checks on the build host: the tools of every build, then those of disks. */
  public record Health(
      @DefaultValue({"mmdebstrap", "bwrap", "unshare", "nsenter", "losetup", "mount", "umount", "chroot", "mkfs.ext4", "e2fsck", "resize2fs",
          "tune2fs", "dumpe2fs", "debugfs", "blkid", "truncate", "tar", "zstd", "igzip", "xz",
          "sfdisk", "partx", "mkswap", "mkfs.vfat", "grub-install", "grub-mkimage", "mcopy", "qemu-img"}) List<String> requiredTools,
      @DefaultValue("5GB") DataSize minFreeSpace) {}

  /** This node's name: {@code image-foundry.node-name}, or the host name. */
  public String node() {
    if (nodeName != null && !nodeName.isBlank()) {
      return nodeName;
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return System.getenv().getOrDefault("HOSTNAME", "image-foundry");
    }
  }

  /** Builds at once on this node; further builds wait their turn. Default: the number of cores. */
  public int buildSlots() {
    return maxConcurrentBuilds != null && maxConcurrentBuilds > 0 ? maxConcurrentBuilds
        : Runtime.getRuntime().availableProcessors();
  }

  /**
   * The base-tree and package-layer caches (together within {@code maxSize}) and the shared apt package
   * pool, under {@code <data-dir>/cache}; {@code packageLayers} false keeps only the package layers off.
   * {@code compressTrees} packs new base trees and package layers with zstd: about 2.6 times less disk,
   * for 0.2 s more while a build waits for its layer (a plain tar packs a minbase in a third of the time).
   */
  public record Cache(
      @DefaultValue("true") boolean enabled,
      @DefaultValue("8GB") DataSize maxSize,
      @DefaultValue("2GB") DataSize maxPackagesSize,
      @DefaultValue("true") boolean packageLayers,
      @DefaultValue("60s") Duration releaseMaxAge,
      @DefaultValue("false") boolean compressTrees) {}

  /** Upper bounds on what one request may ask for, and on log followers ({@code ?follow=true}) at once. */
  public record Limits(
      @DefaultValue("64GB") DataSize maxImageSize,
      @DefaultValue("256GB") DataSize maxTotalImageSize,
      @DefaultValue("16") int maxImages,
      @DefaultValue("32") int maxRepos,
      @DefaultValue("1000") int maxPackages,
      @DefaultValue("64") int maxLogFollowers) {}

  /**
   * Time limits of commands; the job lock time is derived from the longest (see JobExecutorSettings).
   * {@code filesystemRelease} is how long a step waits for an image's filesystem to die in every mount
   * namespace before it fails (see LiveFilesystems).
   */
  public record Timeouts(
      @DefaultValue("PT10M") Duration command,
      @DefaultValue("PT45M") Duration debootstrap,
      @DefaultValue("PT60M") Duration apt,
      @DefaultValue("PT60M") Duration publish,
      @DefaultValue("PT30S") Duration filesystemRelease) {

    public Duration longest() {
      return List.of(command, debootstrap, apt, publish).stream().max(Duration::compareTo).orElseThrow();
    }
  }

  /** The first Camunda user; without a password one is generated and printed once. */
  public record Admin(@DefaultValue("admin") String username, String password) {}

}
