package org.imagefoundry.cache;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.codec.digest.DigestUtils;
import org.imagefoundry.host.Apt;
import org.imagefoundry.host.BuildLog;
import org.imagefoundry.host.Debootstrapper;
import org.imagefoundry.spec.BuildSpec.RepoSpec;
import org.springframework.stereotype.Component;

/**
 * The shared package pool fed to the bootstrap. After a bootstrap its downloaded packages enter the pool
 * (vouched for by the signed lists it fetched, as any build's), and a list of them is kept per recipe:
 * mirror, suite, architecture, variant, includes and keyring, not the suite's InRelease. The next bootstrap of
 * that recipe, after the archive changed (a new InRelease makes a new base-tree key), finds copies of
 * the pooled packages in the target's apt cache. apt takes a file already there whose name (so package,
 * version and architecture) and size the new index gives, without reading it, and downloads the rest.
 * That is safe because each name came from a signed index's entry for the file's SHA-256 (see
 * {@link PackagePool#collect(Path, Path, List, String, boolean)}), and an archive never gives one version of a
 * package two contents.
 * The list is {@code <data-dir>/cache/packages/bootstraps/<recipe digest>}: a line per package,
 * {@code <apt's file name> <size> <SHA-256>}, replaced whole by each bootstrap of the recipe.
 */
@Component
public class BootstrapPackages {

  private static final Pattern LINE = Pattern.compile("(\\S+) ([0-9]{1,12}) ([0-9a-f]{64})");
  /** A minbase bootstrap downloads about a hundred packages; a list is read up to this size. */
  static final long MAX_LIST_SIZE = 1L << 20;

  private final PackagePool pool;

  public BootstrapPackages(PackagePool pool) {
    this.pool = pool;
  }

  /** Copies of the recipe's pooled packages into the target's apt cache, before the bootstrap. */
  public void lend(Debootstrapper.Options options, Path root) {
    Path list = list(options);
    try {
      if (!BoundedInput.isPlainFile(list)) {
        return;
      }
      byte[] text;
      try (BoundedInput in = BoundedInput.open(list, MAX_LIST_SIZE)) {
        text = in.readAllBytes();
      }
      List<Apt.Download> packages = new ArrayList<>();
      for (String line : new String(text, StandardCharsets.UTF_8).split("\n")) {
        Matcher m = LINE.matcher(line);
        if (m.matches()) {
          packages.add(new Apt.Download(m.group(1), Long.parseLong(m.group(2)), "SHA256:" + m.group(3)));
        }
      }
      Path archives = Files.createDirectories(archives(root));
      int lent = pool.lendInto(archives, packages);
      BuildLog.info("{} of the {} package(s) of the last bootstrap like this one lent from the shared package pool",
          lent, packages.size());
    } catch (IOException | RuntimeException e) {
      BuildLog.warn("the shared package pool lent nothing to the bootstrap: {}", e.getMessage());
    }
  }

  /**
   * After the bootstrap: its packages into the pool, checked against the lists it fetched, and their
   * names as the recipe's list. Best effort: a failure here costs the next bootstrap its downloads, never
   * this build.
   */
  public void keep(Debootstrapper.Options options, Path root, String buildId) {
    try {
      RepoSpec repo = new RepoSpec("bootstrap", options.mirror(), options.suite(), "main", null, "deb",
          options.trusted(), options.keyring().toString());
      List<Apt.Download> pooled = pool.collect(archives(root), AptListsPool.lists(root), List.of(repo), buildId, true);
      if (pooled.isEmpty()) {
        return;
      }
      StringBuilder text = new StringBuilder();
      for (Apt.Download download : pooled) {
        text.append(download.fileName()).append(' ').append(download.size()).append(' ')
            .append(download.hash().substring("SHA256:".length())).append('\n');
      }
      Path list = list(options);
      Files.createDirectories(list.getParent());
      Path partial = list.resolveSibling("." + list.getFileName() + "." + buildId + ".partial");
      Files.writeString(partial, text);
      Files.move(partial, list, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      BuildLog.warn("the bootstrap's packages were not kept for the next one: {}", e.getMessage());
    }
  }

  Path list(Debootstrapper.Options options) {
    String recipe = String.join("\n", options.mirror(), options.suite(), options.arch(), String.valueOf(options.variant()),
        String.join(",", options.include()), options.keyring().toString(), String.valueOf(options.trusted()));
    return pool.dir().resolve("bootstraps").resolve(DigestUtils.sha256Hex(recipe));
  }

  static Path archives(Path root) {
    return root.resolve("var/cache/apt/archives");
  }
}
