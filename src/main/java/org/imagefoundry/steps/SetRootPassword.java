package org.imagefoundry.steps;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.imagefoundry.cache.ImageStore;
import org.imagefoundry.host.BuildFailure;
import org.imagefoundry.host.BuildLog;
import org.imagefoundry.host.ExtFiles;
import org.imagefoundry.host.Filesystems;
import org.imagefoundry.host.ImageShrinker;
import org.imagefoundry.host.PatchedCopies;
import org.imagefoundry.host.PatchedCopies.Patch;
import org.imagefoundry.host.SparseFiles;
import org.imagefoundry.imagetree.SystemIdentity;
import org.imagefoundry.process.BuildVariables;
import org.imagefoundry.spec.BuildSpec.Image;
import org.imagefoundry.spec.BuildSpec;
import org.springframework.stereotype.Component;

/**
 * Gives the stored images the request's root password when they hold another one: root's entry in
 * /etc/shadow is rewritten in a copy of the stored root image made for it (restoreStoredImages leaves
 * that image out: {@link #rewrites}), nothing attached or mounted. Where the file's blocks hold the new
 * content, it is written into them in place, and the copy's md5 taken beside the copy; otherwise debugfs
 * replaces the file in the copy. Either way the file is read back, e2fsck must find the copy clean, and
 * only then it takes the root image's place. A retry makes the copy from the store again, so it always
 * starts from the stored bytes (should the entry have gone meanwhile, the build fails, as a restore
 * would). The root image is then no longer the stored one: none of its md5s is recorded in the store; the
 * one taken beside the copy is published with it. Nothing when the password is the stored one.
 */
@Component
public class SetRootPassword extends BuildStep {

  static final String SHADOW = "/etc/shadow";

  private final ExtFiles extFiles;
  private final ImageShrinker shrinker;
  private final ImageStore images;
  private final PatchedCopies patchedCopies;
  private final SparseFiles sparseFiles;

  public SetRootPassword(StepSupport support, ExtFiles extFiles, ImageShrinker shrinker, ImageStore images,
      PatchedCopies patchedCopies, SparseFiles sparseFiles) {
    super(support);
    this.extFiles = extFiles;
    this.shrinker = shrinker;
    this.images = images;
    this.patchedCopies = patchedCopies;
    this.sparseFiles = sparseFiles;
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
    Path scratch = image.getParent();
    try {
      Files.createDirectories(scratch);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Copied copied = images.readImage(CacheKeys.recordedContent(build), root.index(), build.id(),
        storedImage -> copy(storedImage, copy, wanted, scratch)).orElseThrow(() -> new BuildFailure(RestoreStoredImages.GONE));
    if (copied.md5() == null) {
      String shadow = extFiles.read(copy, SHADOW, scratch);
      extFiles.replace(copy, SHADOW, SystemIdentity.withRootPasswordHash(shadow, wanted), scratch);
    } else if (!extFiles.read(copy, SHADOW, scratch).equals(copied.shadow())) {
      throw new IllegalStateException(SHADOW + " in the copy of the stored root image is not what was written in place");
    }
    shrinker.check(copy);
    try {
      Files.move(copy, image, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> md5s = build.getJson(BuildVariables.STORED_RAW_MD5S, new TypeReference<List<String>>() {});
    List<String> known = new ArrayList<>(md5s != null ? md5s : Collections.nCopies(build.spec().images().size(), null));
    known.set(root.index(), copied.md5());
    build.setJson(BuildVariables.STORED_RAW_MD5S, known);
    build.setJson(BuildVariables.CONTENT_KEY, null);
    build.set(BuildVariables.STORED_ROOT_PASSWORD, wanted);
    BuildLog.info("the request's root password is set in the stored root image, which held {}{}",
        stored == null ? "none" : "another", copied.md5() == null ? "" : " (written in place, the copy's md5 taken beside it)");
  }

  /**
   * The copy of the stored root image, and, when root's entry was written in place, the /etc/shadow written
   * and the copy's md5 (both null: debugfs is to replace the file in the copy).
   */
  private record Copied(String shadow, String md5) {}

  /** Root's entry written in place: the new /etc/shadow, and the bytes to write into the copy. */
  private record InPlace(String shadow, List<Patch> patches) {}

  /**
   * Copies the stored root image to {@code copy}, with root's new entry written in place where it can be
   * ({@link #inPlace}); the copy's md5 is then taken from the stored bytes and the patches beside the copy.
   */
  private Copied copy(Path stored, Path copy, String wanted, Path scratch) {
    Optional<InPlace> inPlace;
    try {
      inPlace = inPlace(stored, wanted, scratch);
    } catch (RuntimeException e) {
      // not the entry's fault: debugfs's replace, after the copy, says what is wrong with the file, if anything
      BuildLog.warn("root's entry cannot be written in place ({}): debugfs replaces {} in the copy", e.getMessage(), SHADOW);
      inPlace = Optional.empty();
    }
    if (inPlace.isPresent()) {
      return new Copied(inPlace.get().shadow(), patchedCopies.copy(stored, copy, inPlace.get().patches()));
    }
    sparseFiles.copy(stored, copy);
    return new Copied(null, null);
  }

  /**
   * When /etc/shadow's blocks in the stored root image hold its new content too: that content, written over
   * all of the blocks (the rest zeroed, so the old hash does not stay in the image), and, when the size
   * changes, the inode table's block with the new size (debugfs on a copy of the image's metadata). Nothing
   * else of the filesystem changes.
   */
  private Optional<InPlace> inPlace(Path stored, String wanted, Path scratch) {
    Optional<ExtFiles.Placement> placed = extFiles.placement(stored, SHADOW, scratch);
    if (placed.isEmpty()) {
      return Optional.empty();
    }
    ExtFiles.Placement at = placed.get();
    byte[] updated = SystemIdentity.withRootPasswordHash(at.content(), wanted).getBytes(StandardCharsets.UTF_8);
    if (updated.length > at.capacity()) {
      return Optional.empty();
    }
    byte[] blocks = Arrays.copyOf(updated, Math.toIntExact(at.capacity()));
    List<Patch> patches = new ArrayList<>();
    for (int i = 0; i < at.blocks().size(); i++) {
      patches.add(new Patch(at.blocks().get(i) * at.blockSize(), Arrays.copyOfRange(blocks, i * at.blockSize(), (i + 1) * at.blockSize())));
    }
    if (updated.length != at.size()) {
      patches.add(new Patch(at.inodeBlock() * at.blockSize(), extFiles.inodeBlockWithSize(stored, at, updated.length, scratch)));
    }
    return Optional.of(new InPlace(new String(updated, StandardCharsets.UTF_8), patches));
  }
}
