package org.imagefoundry.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.imagefoundry.host.Debootstrapper.PackageFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Package files fetched several at a time: only complete files of the size asked for, no redirect followed. */
class PackageFetcherTest {

  static final byte[] DEB = "a package".getBytes(StandardCharsets.UTF_8);

  HttpServer server;
  @TempDir Path dir;

  @BeforeEach
  void serve() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/debian/pool/", exchange -> {
      String name = exchange.getRequestURI().getPath().replaceAll(".*/", "");
      byte[] body = name.startsWith("long") ? "a package and then some more".getBytes(StandardCharsets.UTF_8) : DEB;
      if (name.startsWith("moved")) {
        exchange.getResponseHeaders().add("Location", "http://elsewhere.invalid/" + name);
        exchange.sendResponseHeaders(302, -1);
      } else if (name.startsWith("gone")) {
        exchange.sendResponseHeaders(404, -1);
      } else {
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
      }
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  PackageFile file(String name) {
    return new PackageFile(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/debian/pool/" + name), name,
        DEB.length);
  }

  @Test
  void manyFilesArriveEachUnderItsName() {
    List<PackageFile> files = new ArrayList<>();
    for (int i = 0; i < 3 * PackageFetcher.PARALLEL; i++) {
      files.add(file("p" + i + "_1_amd64.deb"));
    }

    int fetched = new PackageFetcher().fetch(files, dir, null);

    assertThat(fetched).isEqualTo(files.size());
    for (PackageFile file : files) {
      assertThat(dir.resolve(file.fileName())).hasBinaryContent(DEB);
    }
  }

  @Test
  void aLongerAnswerANotFoundAndARedirectLeaveNothing() {
    int fetched = new PackageFetcher().fetch(List.of(file("long_1_amd64.deb"), file("gone_1_amd64.deb"),
        file("moved_1_amd64.deb"), file("ok_1_amd64.deb")), dir, null);

    assertThat(fetched).isEqualTo(1);
    assertThat(dir.toFile().list()).containsExactly("ok_1_amd64.deb");
  }
}
