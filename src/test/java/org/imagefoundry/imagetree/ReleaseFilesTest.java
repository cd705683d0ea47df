package org.imagefoundry.imagetree;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.imagefoundry.testing.FileServer;
import org.junit.jupiter.api.Test;

/** Each Release file fetched once per lookup, and again by the next lookup. */
class ReleaseFilesTest {

  @Test
  void aLookupAsksEachRepoOnceAndTheNextLookupAsksAgain() {
    int[] answers = {0};
    try (FileServer server = FileServer.answering(
        uri -> FileServer.Answer.ok(("Answer " + ++answers[0] + "\n").getBytes(StandardCharsets.UTF_8)))) {
      String repo = server.uri() + "/debian";
      ReleaseFiles lookup = new ReleaseFiles(null);

      byte[] first = lookup.fetch(repo, "bookworm", "InRelease");
      byte[] again = lookup.fetch(repo + "/", "bookworm", "InRelease");
      lookup.fetch(repo, "bookworm-updates", "InRelease");
      byte[] next = new ReleaseFiles(null).fetch(repo, "bookworm", "InRelease");

      assertThat(again).isEqualTo(first);
      assertThat(new String(next, StandardCharsets.UTF_8)).isEqualTo("Answer 3\n");
      assertThat(server.asked()).containsExactly(URI.create("/debian/dists/bookworm/InRelease"),
          URI.create("/debian/dists/bookworm-updates/InRelease"), URI.create("/debian/dists/bookworm/InRelease"));
    }
  }
}
