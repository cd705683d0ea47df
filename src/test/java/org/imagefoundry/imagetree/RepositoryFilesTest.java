package org.imagefoundry.imagetree;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.imagefoundry.spec.BuildSpec.Proxies;
import org.imagefoundry.testing.FileServer;
import org.junit.jupiter.api.Test;

/** One client per proxy serves every fetch of the repositories' files, and keeps its connection. */
class RepositoryFilesTest {

  private static final URI MIRROR = URI.create("http://mirror.invalid/debian");

  private static Proxies through(String proxy) {
    return new Proxies(Map.of("http", proxy), List.of());
  }

  @Test
  void fetchesOfOneRepoGoThroughOneConnection() {
    try (FileServer server = FileServer.answering(uri -> FileServer.Answer.ok(uri.getPath().getBytes(StandardCharsets.UTF_8)))) {
      byte[] first = RepositoryFiles.fetch(server.uri() + "/debian", "bookworm", "InRelease", null);
      byte[] second = RepositoryFiles.fetch(server.uri() + "/debian", "bookworm-updates", "InRelease", null);

      assertThat(new String(first, StandardCharsets.UTF_8)).isEqualTo("/debian/dists/bookworm/InRelease");
      assertThat(new String(second, StandardCharsets.UTF_8)).isEqualTo("/debian/dists/bookworm-updates/InRelease");
      assertThat(server.callers()).hasSize(2);
      assertThat(server.callers().get(1)).isEqualTo(server.callers().get(0));
    }
  }

  @Test
  void eachProxyHasItsClientAndProxiesBeyondTheBoundGetOneEachTime() {
    var direct = RepositoryFiles.reused(MIRROR, null);
    var proxied = RepositoryFiles.reused(MIRROR, through("http://proxy-a.invalid:3128"));

    assertThat(RepositoryFiles.reused(MIRROR, null)).isSameAs(direct);
    assertThat(RepositoryFiles.reused(MIRROR, new Proxies(Map.of("http", "http://proxy-a.invalid:3128"),
        List.of("mirror.invalid")))).as("the mirror reached directly").isSameAs(direct);
    assertThat(proxied).isNotSameAs(direct).isSameAs(RepositoryFiles.reused(MIRROR, through("http://proxy-a.invalid:3128")));

    for (int i = 0; i < RepositoryFiles.MAX_CLIENTS; i++) {
      RepositoryFiles.reused(MIRROR, through("http://proxy-" + i + ".invalid:3128"));
    }
    Proxies beyond = through("http://proxy-beyond.invalid:3128");
    assertThat(RepositoryFiles.reused(MIRROR, beyond)).isNotSameAs(RepositoryFiles.reused(MIRROR, beyond));
    assertThat(RepositoryFiles.reused(MIRROR, null)).isSameAs(direct);
  }
}
