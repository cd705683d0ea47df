package org.imagefoundry.cockpit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import org.imagefoundry.builds.BuildState;
import org.imagefoundry.builds.BuildView;
import org.junit.jupiter.api.Test;

class CockpitBuildsTest {

  static final ObjectMapper JSON = new ObjectMapper();

  static BuildView view(String images, String disk) throws Exception {
    return new BuildView("b1", BuildState.SUCCEEDED, "sweep", "n", "arm64", Instant.EPOCH, Instant.EPOCH, null,
        images == null ? null : JSON.readTree(images), disk == null ? null : JSON.readTree(disk),
        "/srv/images/a-root.yaml", 1, List.of(), null);
  }

  @Test
  void thePanelLinksTheImagesThenTheDisk() throws Exception {
    var files = CockpitBuilds.images(view("""
        [{"container_name": "a-root.img.gz", "container_size": 10, "container_md5": "aaa"}]""",
        """
        {"name": "a.qcow2", "size": 20, "md5": "ddd", "format": "qcow2", "boot": "uefi"}"""));

    assertThat(files).containsExactly(new CockpitBuilds.ImageFile("a-root.img.gz", 10L, "aaa"),
        new CockpitBuilds.ImageFile("a.qcow2", 20L, "ddd"));
  }

  @Test
  void aBuildWithoutDiskOrSupersededLinksWhatItHas() throws Exception {
    assertThat(CockpitBuilds.images(view("[{\"container_name\": \"a-root.img.gz\"}]", null)))
        .extracting(CockpitBuilds.ImageFile::name).containsExactly("a-root.img.gz");
    assertThat(CockpitBuilds.images(view(null, null))).isEmpty();
  }
}
