package org.imagefoundry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.imagefoundry.metadata.BuildMetadata;
import org.imagefoundry.testing.Api;
import org.imagefoundry.testing.ImageChecks;
import org.imagefoundry.testing.Requests;
import org.imagefoundry.testing.ServiceProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cold build on an empty data directory, then the same content after the archive changed: the base,
 * package-layer and image caches gone, the package pool and apt's lists kept (a new InRelease makes new
 * keys for the first three). The second bootstrap is fed from the pool: every package the first one
 * downloaded is lent to it. The first bootstrap's packages are fetched several at a time before mmdebstrap
 * runs, and lent to it once a signed index vouched for them. Each build checks out as any build does. A service of its own (H2), so that
 * emptying its caches touches no other test's builds.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NewArchiveStateIT {

  static final Path ROOT = Path.of("/var/tmp/image-foundry-archive-state");
  static final Path CACHE = ROOT.resolve("data/cache");
  static final Pattern LENT = Pattern.compile(
      "\\[debootstrap] (\\d+) of the (\\d+) package\\(s\\) of the last bootstrap like this one lent from the shared package pool");

  static final Pattern FETCHED = Pattern.compile("\\[debootstrap] (\\d+) of the bootstrap's (\\d+) package\\(s\\) fetched "
      + "\\d+ at a time in \\d+ ms, (\\d+) of them vouched for by the signed index and lent to it");

  static ServiceProcess service;

  @TempDir Path scratch;

  @BeforeAll
  static void startService() {
    Requests.delete(ROOT);
    service = new ServiceProcess(null, ROOT, "archive-state-node");
    service.start();
  }

  @AfterAll
  static void stopService() {
    if (service != null) {
      service.stop();
    }
  }

  static String request(String name) {
    return """
        {"image_data": {"/": {"uri": "http://images.invalid/%s.img.gz", "format": "ext4", "container": "gzip", "size": "1G"}},
         "output": "%s", "codename": "bookworm", "variant": "minbase", "packages": ["less"]}
        """.formatted(name, ROOT.resolve("images").resolve(name));
  }

  record Built(BuildMetadata metadata, String log) {}

  Built build(String name, Api api) {
    String id = api.start(request(name));
    JsonNode build = api.awaitEnd(id, Duration.ofMinutes(15));
    String log = api.log(id);
    assertThat(build.get("state").asText()).as(log).isEqualTo("SUCCEEDED");
    BuildMetadata metadata = ImageChecks.verifyPublished(Path.of(build.get("metadataPath").asText()), List.of("less"),
        scratch);
    ImageChecks.assertNothingLeft(ROOT.resolve("build"), id, ROOT.resolve("images").resolve(name));
    return new Built(metadata, log);
  }

  /** The first build of an empty node: every cache misses; its bootstrap's packages enter the pool. */
  @Test
  @Order(1)
  void aColdBuildFillsThePoolAndItsAptReusesTheBootstrapsLists() throws Exception {
    Built built = build("cold", service.api());
    BuildMetadata cold = built.metadata();
    String log = built.log();

    assertThat(cold.baseFromCache()).isFalse();
    assertThat(cold.packagesFromCache()).isFalse();
    assertThat(cold.imagesFromCache()).isFalse();
    assertThat(log).doesNotContain("of the last bootstrap like this one lent").containsPattern(
        "\\[debootstrap] [1-9][0-9]+ package\\(s\\) added to the shared package pool");
    // the bootstrap's packages were fetched several at a time, checked and lent to it before mmdebstrap ran
    Matcher fetched = FETCHED.matcher(log);
    assertThat(fetched.find()).as(log).isTrue();
    assertThat(Integer.parseInt(fetched.group(2))).as("packages the bootstrap needs").isGreaterThan(50);
    assertThat(fetched.group(1)).as("fetched of them").isEqualTo(fetched.group(2));
    assertThat(fetched.group(3)).as("lent of them").isEqualTo(fetched.group(2));
    try (var lists = Files.list(CACHE.resolve("packages/bootstraps"))) {
      assertThat(lists).hasSize(1);
    }
    // the base tree was stored from the bootstrap's tmpfs beside the next steps, which did not kill the store
    try (var entries = Files.list(CACHE.resolve("base"))) {
      assertThat(entries.filter(entry -> Files.isRegularFile(entry.resolve("tree.tar")))).as(log).hasSize(1);
    }
    // apt-get update found the bootstrap's lists of the same suite: it fetched no Packages index again
    assertThat(log.lines().filter(line -> line.contains("[installPackages]") && line.contains("Get:")
        && line.contains(" Packages "))).isEmpty();
  }

  /** The base, layer and image caches gone: the bootstrap runs again, fed with every package from the pool. */
  @Test
  @Order(2)
  void aNewArchiveStateBootstrapsAgainWithEveryPackageFromThePool() throws Exception {
    for (String layer : List.of("base", "layers", "images")) {
      Requests.delete(CACHE.resolve(layer));
    }
    Built built = build("again", service.api());
    BuildMetadata again = built.metadata();
    String log = built.log();

    assertThat(again.baseFromCache()).isFalse();
    assertThat(again.packagesFromCache()).isFalse();
    assertThat(again.imagesFromCache()).isFalse();
    Matcher lent = LENT.matcher(log);
    assertThat(lent.find()).as(log).isTrue();
    assertThat(Integer.parseInt(lent.group(2))).as("packages of the first bootstrap").isGreaterThan(50);
    assertThat(lent.group(1)).as("lent of them").isEqualTo(lent.group(2));
  }
}
