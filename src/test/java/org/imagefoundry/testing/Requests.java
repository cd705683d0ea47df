package org.imagefoundry.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.imagefoundry.settings.FoundrySettings;

/** Build requests used across tests. */
public final class Requests {

  private Requests() {}

  /**
   * {@link #twoImages(FoundrySettings)} publishing into {@code directory} of the first output root: its
   * files are another build's than those of the plain request (outputs belong to builds).
   */
  public static String twoImagesIn(FoundrySettings settings, String directory) {
    return twoImages(settings).replace("\"output\": \"" + settings.allowedOutputRoots().get(0) + "\"",
        "\"output\": \"" + settings.allowedOutputRoots().get(0).resolve(directory) + "\"");
  }

  /** fuel-agent's two-image request ("/" and "/var"), publishing into the first allowed output root. */
  public static String twoImages(FoundrySettings settings) {
    return """
        {
          "image_data": {
            "/": {"uri": "http://images.invalid/root.img.gz", "format": "ext4", "container": "gzip"},
            "/var": {"uri": "http://images.invalid/var.img.zst", "format": "ext4", "container": "zstd", "size": "1G"}
          },
          "output": "%s",
          "codename": "bookworm",
          "variant": "minbase",
          "repos": [{"name": "debian", "suite": "bookworm", "section": "main", "priority": null}],
          "packages": ["less"]
        }
        """.formatted(settings.allowedOutputRoots().get(0));
  }

  /**
   * Bookworm minbase with less and the gate package of {@code repo} (see LocalRepository#createWithGate),
   * published as {@code <images>/<name>}: a build that holds in installPackages until its gate opens.
   */
  public static String gated(String name, Path images, Path repo) {
    return """
        {"image_data": {"/": {"uri": "http://images.invalid/%s.img", "format": "ext4", "container": "zstd", "size": "2G"}},
         "output": "%s", "codename": "bookworm", "variant": "minbase",
         "repos": [{"name": "debian", "suite": "bookworm", "section": "main", "priority": null, "type": "deb"},
                   {"name": "local", "uri": "file://%s", "suite": "local", "section": "main", "priority": null,
                    "type": "deb", "trusted": true}],
         "packages": ["less", "%s"]}
        """.formatted(name, images.resolve(name), repo, LocalRepository.GATE);
  }

  /** Empties the build root, the output roots and the logs, so each test starts from nothing. */
  public static void clean(FoundrySettings settings) {
    delete(settings.buildRoot());
    settings.allowedOutputRoots().forEach(Requests::delete);
  }

  public static void delete(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
