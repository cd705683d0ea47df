package org.imagefoundry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.imagefoundry.host.Command;
import org.imagefoundry.host.ProcessCommandRunner;
import org.imagefoundry.testing.Api;
import org.imagefoundry.testing.ImageChecks;
import org.imagefoundry.testing.Requests;
import org.imagefoundry.testing.ServiceProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A build root on a nearly full filesystem: the build ends FAILED saying so, and leaves nothing. */
class FullDiskIT {

  static final Path ROOT = Path.of("/var/tmp/image-foundry-full");
  static final ProcessCommandRunner RUN = new ProcessCommandRunner();
  static final Duration LIMIT = Duration.ofMinutes(1);
  static ServiceProcess service;

  @BeforeAll
  static void smallBuildRoot() throws Exception {
    Requests.delete(ROOT);
    Files.createDirectories(ROOT.resolve("build"));
    RUN.run(Command.of(LIMIT, "truncate", "--size", "256M", ROOT.resolve("small.img").toString()));
    RUN.run(Command.of(LIMIT, "mkfs.ext4", "-q", "-F", ROOT.resolve("small.img").toString()));
    RUN.run(Command.of(LIMIT, "mount", "-o", "loop", ROOT.resolve("small.img").toString(), ROOT.resolve("build").toString()));
    // no admission floor: this test is about a build that starts and then finds too little space (the floor's
    // 507 before anything starts is FreeSpaceFloorTest's)
    // its build root is the small filesystem this test mounted: the service must see that mount
    service = new ServiceProcess(null, ROOT, "full-disk-node", "--image-foundry.quotas.min-free-space=0B")
        .inTheTestsMountNamespace();
    service.start();
  }

  @AfterAll
  static void removeIt() {
    if (service != null) {
      service.stop();
    }
    RUN.run(Command.of(LIMIT, "umount", ROOT.resolve("build").toString()));
    Requests.delete(ROOT);
  }

  @Test
  void aBuildWithoutTheSpaceItNeedsFailsSayingSoAndLeavesNothing() {
    Api api = service.api();
    assertThat(api.get("/actuator/health").json().at("/components/buildHost/details/freeSpace").asText())
        .contains("less than image-foundry.health.min-free-space");

    String id = api.start("""
        {"image_data": {"/": {"uri": "http://images.invalid/full.img.gz", "format": "ext4", "container": "gzip"}},
         "output": "%s", "codename": "bookworm", "variant": "minbase", "packages": []}
        """.formatted(ROOT.resolve("images/full")));
    JsonNode build = api.awaitEnd(id, Duration.ofMinutes(3));

    assertThat(build.get("state").asText()).as(api.log(id)).isEqualTo("FAILED");
    assertThat(build.get("error").asText()).startsWith("createSparseFiles: no space left in the build root");
    ImageChecks.assertNothingLeft(ROOT.resolve("build"), id, ROOT.resolve("images/full"));
  }
}
