package org.imagefoundry.imagetree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.imagefoundry.testing.FileServer;
import org.junit.jupiter.api.Test;

/** Each Release file fetched once per lookup, and again by the next lookup unless this node fetched it lately. */
class ReleaseFilesTest {

  /** A server whose n-th answer, whatever is asked, is "Answer n". */
  static FileServer numbered() {
    int[] answers = {0};
    return FileServer.answering(
        uri -> FileServer.Answer.ok(("Answer " + ++answers[0] + "\n").getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void aLookupAsksEachRepoOnceAndTheNextLookupAsksAgain() {
    try (FileServer server = numbered()) {
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

  @Test
  void aLookupWithinTheMaxAgeTakesTheRecentFetchAndALaterOneAsksAgain() {
    try (FileServer server = numbered()) {
      String repo = server.uri() + "/debian";
      AtomicLong now = new AtomicLong();
      RecentReleases recent = new RecentReleases(Duration.ofSeconds(60), now::get);

      byte[] first = new ReleaseFiles(null, recent).fetch(repo, "bookworm", "InRelease");
      now.addAndGet(Duration.ofSeconds(59).toNanos());
      byte[] within = new ReleaseFiles(null, recent).fetch(repo, "bookworm", "InRelease");
      byte[] otherSuite = new ReleaseFiles(null, recent).fetch(repo, "bookworm-updates", "InRelease");
      now.addAndGet(Duration.ofSeconds(1).toNanos());
      byte[] after = new ReleaseFiles(null, recent).fetch(repo, "bookworm", "InRelease");

      assertThat(within).isEqualTo(first);
      assertThat(new String(otherSuite, StandardCharsets.UTF_8)).isEqualTo("Answer 2\n");
      assertThat(new String(after, StandardCharsets.UTF_8)).isEqualTo("Answer 3\n");
      assertThat(server.asked()).containsExactly(URI.create("/debian/dists/bookworm/InRelease"),
          URI.create("/debian/dists/bookworm-updates/InRelease"), URI.create("/debian/dists/bookworm/InRelease"));
    }
  }

  @Test
  void aFailedFetchIsNotKept() {
    int[] asked = {0};
    try (FileServer server = FileServer.answering(uri -> ++asked[0] == 1 ? FileServer.Answer.notFound()
        : FileServer.Answer.ok("Signed\n".getBytes(StandardCharsets.UTF_8)))) {
      String repo = server.uri() + "/debian";
      RecentReleases recent = new RecentReleases(Duration.ofSeconds(60), () -> 0L);

      assertThatThrownBy(() -> new ReleaseFiles(null, recent).fetch(repo, "bookworm", "InRelease"));
      assertThat(new ReleaseFiles(null, recent).fetch(repo, "bookworm", "InRelease"))
          .isEqualTo("Signed\n".getBytes(StandardCharsets.UTF_8));
      assertThat(asked[0]).isEqualTo(2);
    }
  }
}
