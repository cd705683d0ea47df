package org.imagefoundry.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.imagefoundry.testing.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DefaultMirrorTest {

  @TempDir Path apt;

  DefaultMirror mirror() {
    return new DefaultMirror(Settings.defaults(), apt);
  }

  @Test
  void takesTheArchiveStanzaNotSecurityNorThirdParty() throws Exception {
    Files.createDirectories(apt.resolve("sources.list.d"));
    Files.writeString(apt.resolve("sources.list.d/a-vendor.list"), "deb https://vendor.invalid/apt stable-x main\n");
    Files.writeString(apt.resolve("sources.list.d/debian.sources"), """
        Types: deb
        URIs: http://127.0.0.2/debian-security
        Suites: bookworm-security
        Components: main

        Types: deb
        # a comment
        URIs: http://127.0.0.2/debian
        Suites: bookworm bookworm-updates
        Components: main
        """);

    assertThat(mirror().fromAptSources()).contains("http://127.0.0.2/debian");
  }

  @Test
  void readsOneLineSourcesToo() throws Exception {
    Files.writeString(apt.resolve("sources.list"), "# comment\ndeb [arch=amd64] http://127.0.0.3/debian bookworm main\n");

    assertThat(mirror().fromAptSources()).contains("http://127.0.0.3/debian");
  }

  @Test
  void disabledFilesAndStanzasAreIgnored() throws Exception {
    Files.createDirectories(apt.resolve("sources.list.d"));
    Files.writeString(apt.resolve("sources.list.d/old.list.disabled"), "deb http://127.0.0.4/debian bookworm main\n");
    Files.writeString(apt.resolve("sources.list.d/off.sources"),
        "Types: deb\nURIs: http://127.0.0.5/debian\nSuites: bookworm\nEnabled: no\n");

    assertThat(mirror().fromAptSources()).isEmpty();
  }
}
