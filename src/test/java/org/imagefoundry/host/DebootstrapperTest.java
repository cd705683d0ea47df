package org.imagefoundry.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DebootstrapperTest {

  @TempDir Path dir;

  @Test
  void debootstrapsWgetFollowsNoRedirect() throws Exception {
    Files.createDirectories(dir.resolve("b1/root"));

    Path wgetrc = Debootstrapper.noRedirects(dir.resolve("b1/root"));

    assertThat(wgetrc).isEqualTo(dir.resolve("b1/wgetrc"));
    assertThat(Files.readAllLines(wgetrc)).contains("max_redirect = 0");
  }
}
