package org.imagefoundry.steps;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.imagefoundry.cache.ImageStore;
import org.imagefoundry.host.BuildFailure;
import org.imagefoundry.host.BuildLog;
import org.imagefoundry.host.ExtFiles;
import org.imagefoundry.host.Filesystems;
import org.imagefoundry.host.ImageShrinker;
import org.imagefoundry.imagetree.SystemIdentity;
import org.imagefoundry.process.BuildVariables;
import org.imagefoundry.spec.BuildSpec.Image;
import org.imagefoundry.spec.BuildSpec;
import org.springframework.stereotype.Component;

/**
 * Gives the stored images the request's root password when they hold another one: root's entry in
 * /etc/shadow is rewritten in a copy of the stored root image made for it (restoreStoredImages leaves
 * that image out: {@link #rewrites}), by debugfs (nothing attached or mounted); e2fsck must find the copy
 * clean, and only then it takes the root image's place. A retry makes the copy from the store again, so
 * it always starts from the stored bytes (should the entry have gone meanwhile, the build fails, as a
 * restore would). The root image is then no longer the stored one: its md5 is taken anew when it is
 * published, and none is recorded in the store. Nothing when the password is the stored one.
 */
@Component
public class SetRootPassword extends BuildStep {

  static final String SHADOW = "/etc/shadow";

  private final ExtFiles extFiles;
  private final ImageShrinker shrinker;
  private final ImageStore images;

  public SetRootPassword(StepSupport support, ExtFiles extFiles, ImageShrinker shrinker, ImageStore images) {
    super(support);
    this.extFiles = extFiles;
    this.shrinker = shrinker;
    this.images = images;
  }

  /**
   * The root image this step rewrites for {@code spec} when the stored images hold {@code storedHash}: the
   * request asks for another root password. Empty when it asks for none, or for the stored one.
   */
  static Optional<Image> rewrites(BuildSpec spec, String storedHash) {
    String wanted = spec.hashedRootPassword();
    if (wanted == null || wanted.equals(storedHash)) {
      return Optional.empty();
    }
    return Optional.of(spec.images().stream().filter(image -> "/".equals(image.mount())).findFirst()
        .filter(image -> Filesystems.isExt(image.spec().format()))
        .orElseThrow(() -> new IllegalStateException("the stored images have no ext root filesystem to set a password in")));
  }

  /** Whether this step can write {@code spec}'s root password into its stored images: an ext root filesystem. */
  static boolean canSet(BuildSpec spec) {
    return spec.images().stream().anyMatch(image -> "/".equals(image.mount()) && Filesystems.isExt(image.spec().format()));
  }

  @Override
  protected void run(Build build) {
    String wanted = build.spec().hashedRootPassword();
    String stored = build.variables().storedRootPassword().orElse(null);
    Optional<Image> rewritten = rewrites(build.spec(), stored);
    if (rewritten.isEmpty()) {
      return;
    }
    Image root = rewritten.get();
    Path image = build.workspace().imageFile(root.index());
    Path copy = image.resolveSibling(image.getFileName() + ".password");
    if (!images.restoreImage(CacheKeys.recordedContent(build), root.index(), copy, build.id())) {
      throw new BuildFailure(RestoreStoredImages.GONE);
    }
    String shadow = extFiles.read(copy, SHADOW, build.workspace().dir());
    extFiles.replace(copy, SHADOW, SystemIdentity.withRootPasswordHash(shadow, wanted), build.workspace().dir());
    shrinker.check(copy);
    try {
      Files.move(copy, image, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> md5s = build.getJson(BuildVariables.STORED_RAW_MD5S, new TypeReference<List<String>>() {});
    if (md5s != null) {
      List<String> unchanged = new ArrayList<>(md5s);
      unchanged.set(root.index(), null);
      build.setJson(BuildVariables.STORED_RAW_MD5S, unchanged);
    }
    build.setJson(BuildVariables.CONTENT_KEY, null);
    build.set(BuildVariables.STORED_ROOT_PASSWORD, wanted);
    BuildLog.info("the request's root password is set in the stored root image, which held {}",
        stored == null ? "none" : "another");
  }
}
