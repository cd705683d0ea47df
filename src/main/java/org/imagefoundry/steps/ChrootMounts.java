package org.imagefoundry.steps;

import java.nio.file.Path;
import java.util.List;
import org.imagefoundry.cache.PackagePool;
import org.imagefoundry.host.BuildFailure;
import org.imagefoundry.host.BuildLog;
import org.imagefoundry.host.Filesystems;
import org.imagefoundry.host.LocalRepositories;
import org.imagefoundry.host.LoopDevices;
import org.imagefoundry.host.Mounts;
import org.imagefoundry.host.PseudoFilesystems;
import org.imagefoundry.rules.AllowedRoots;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.spec.BuildSpec.Image;
import org.springframework.stereotype.Component;

/**
 * The mounts a step between mountTarget and unmount works on, made by mountTarget and
 * mountPseudoFilesystems and made again by every later step that finds them missing: the service's
 * mounts live in its own mount namespace, which dies with it, so after a crash the loop devices are
 * still attached but nothing is mounted any more. What is mounted already is left as it is.
 */
@Component
public class ChrootMounts {

  private final LoopDevices loopDevices;
  private final Mounts mounts;
  private final PseudoFilesystems pseudoFilesystems;
  private final PackagePool packagePool;
  private final LocalRepositories localRepositories;
  private final FoundrySettings settings;

  public ChrootMounts(LoopDevices loopDevices, Mounts mounts, PseudoFilesystems pseudoFilesystems,
      PackagePool packagePool, LocalRepositories localRepositories, FoundrySettings settings) {
    this.loopDevices = loopDevices;
    this.mounts = mounts;
    this.pseudoFilesystems = pseudoFilesystems;
    this.packagePool = packagePool;
    this.localRepositories = localRepositories;
    this.settings = settings;
  }

  /** The images' filesystems, shallowest mount point first, each on its file's loop device. */
  public void mountImages(Build build) {
    List<Image> images = build.spec().images();
    for (String mount : Mounts.shallowestFirst(images.stream().map(Image::mount).toList())) {
      Path target = build.workspace().mountPoint(mount);
      if (mounts.isMounted(target)) {
        continue;
      }
      Image image = images.stream().filter(i -> i.mount().equals(mount)).findFirst().orElseThrow();
      String device = loopDevices.attach(build.workspace().imageFile(image.index()));
      mounts.mount(device, image.spec().format(), target, Filesystems.buildMountOptions(image.spec().format()));
    }
  }

  /**
   * The images, then /proc, /sys, /dev, /dev/pts, the build's share of the package pool and the
   * {@code file:} repos: what apt and maintainer scripts need in the chroot.
   */
  public void mountAll(Build build) {
    mountImages(build);
    Path root = build.workspace().root();
    pseudoFilesystems.mount(root);
    Path archives = root.resolve(PseudoFilesystems.APT_ARCHIVES);
    if (!mounts.isMounted(archives)) {
      mounts.bind(packagePool.prepare(build.workspace()), archives);
    }
    // checked again here: an admin may have pointed the mirror variable elsewhere since the request was checked
    List<Path> repositories = build.localRepositories();
    for (Path directory : repositories) {
      if (!AllowedRoots.contains(settings.allowedFileRepoRoots(), directory)) {
        throw new BuildFailure("the file: repository " + directory + " is outside image-foundry.allowed-file-repo-roots "
            + settings.allowedFileRepoRoots());
      }
    }
    localRepositories.lend(build.workspace(), repositories);
  }

  /** {@link #mountImages} for a step after mountTarget, saying so when it had to mount them again. */
  public void remountImages(Build build) {
    if (!allImagesMounted(build)) {
      BuildLog.warn("the image filesystems are not mounted (the service was restarted): mounting them again");
    }
    mountImages(build);
  }

  /** {@link #mountAll} for a step after mountPseudoFilesystems, saying so when it had to mount them again. */
  public void remountAll(Build build) {
    if (!allImagesMounted(build) || !mounts.isMounted(build.workspace().root().resolve("proc"))) {
      BuildLog.warn("the chroot's filesystems are not mounted (the service was restarted): mounting them again");
    }
    mountAll(build);
  }

  private boolean allImagesMounted(Build build) {
    return build.spec().images().stream().allMatch(image -> mounts.isMounted(build.workspace().mountPoint(image.mount())));
  }
}
