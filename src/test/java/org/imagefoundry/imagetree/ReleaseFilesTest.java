package org.imagefoundry.imagetree;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each Release file fetched once per lookup, and again by the next lookup. */
class ReleaseFilesTest {

  HttpServer server;
  final List<String> asked = new CopyOnWriteArrayList<>();

  @BeforeEach
  void serve() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/debian/dists/", exchange -> {
      asked.add(exchange.getRequestURI().getPath());
      byte[] body = ("Answer " + asked.size() + "\n").getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void aLookupAsksEachRepoOnceAndTheNextLookupAsksAgain() {
    String repo = "http://127.0.0.1:" + server.getAddress().getPort() + "/debian";
    ReleaseFiles lookup = new ReleaseFiles(null);

    byte[] first = lookup.fetch(repo, "bookworm", "InRelease");
    byte[] again = lookup.fetch(repo + "/", "bookworm", "InRelease");
    lookup.fetch(repo, "bookworm-updates", "InRelease");
    byte[] next = new ReleaseFiles(null).fetch(repo, "bookworm", "InRelease");

    assertThat(again).isEqualTo(first);
    assertThat(new String(next, StandardCharsets.UTF_8)).isEqualTo("Answer 3\n");
    assertThat(asked).containsExactly("/debian/dists/bookworm/InRelease", "/debian/dists/bookworm-updates/InRelease",
        "/debian/dists/bookworm/InRelease");
  }
}
