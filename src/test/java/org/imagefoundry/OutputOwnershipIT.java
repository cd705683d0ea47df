package org.imagefoundry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.User;
import org.imagefoundry.testing.Api;
import org.imagefoundry.testing.RealBuildTest;
import org.imagefoundry.testing.Requests;
import org.imagefoundry.users.Roles;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Real builds (minbase, one raw image; repeats are served from the image store) of two builders and of
 * one user to one output: another builder's start is refused while the first runs (409) and after it
 * has published (403), and the first build's files and the md5s the API reports for them stay as they
 * were; of one user's builds racing to one output one is accepted, and every SUCCEEDED build either
 * reports the md5s of the files on disk or says which build superseded it.
 */
@RealBuildTest
class OutputOwnershipIT {

  static final Path OUTPUT = Path.of(RealBuildTest.ROOT, "images");
  static final String PASSWORD = "owner-secret-1";

  @LocalServerPort int port;
  @Autowired IdentityService identity;
  Api one;
  Api two;

  @BeforeEach
  void setUp() {
    for (String user : List.of("ownerone", "ownertwo")) {
      if (identity.createUserQuery().userId(user).count() == 0) {
        User created = identity.newUser(user);
        created.setPassword(PASSWORD);
        identity.saveUser(created);
        identity.createMembership(user, Roles.BUILDERS);
      }
    }
    one = new Api("http://localhost:" + port, "ownerone", PASSWORD);
    two = new Api("http://localhost:" + port, "ownertwo", PASSWORD);
  }

  /**
   * Images of a label of their own, and packages no other real-build class asks for: the label is part of
   * the image store's content key, so a build is never served from images an earlier test stored (that
   * ends it in under a second, before the other builder's request could find it running), and no other
   * class gets this class's package layer.
   */
  static String request(Path output, String extra) {
    return request(output, extra, "own" + Long.toHexString(System.nanoTime() & 0xffffffffL));
  }

  static String request(Path output, String extra, String label) {
    return """
        {"image_data": {"/": {"uri": "http://images.invalid/owned.img", "format": "ext4", "container": "raw", "size": "1G",
                              "label": "%s"}},
         "output": "%s", "codename": "bookworm", "variant": "minbase", "packages": ["less", "ed"] %s}
        """.formatted(label, output, extra);
  }

  @Test
  void anotherBuilderCannotTouchTheFirstBuildersFilesWhileItRunsNorAfter() throws IOException {
    Path output = OUTPUT.resolve("owned-two-builders");
    Requests.delete(output);
    String first = one.start(request(output, ""));

    Api.Response whileRunning = two.post("/api/builds", request(output, ", \"root_password\": \"two-pw\""));
    assertThat(whileRunning.status()).as(whileRunning.body()).isEqualTo(409);
    assertThat(whileRunning.body()).contains(first);
    JsonNode built = one.awaitEnd(first, Duration.ofMinutes(20));
    assertThat(built.get("state").asText()).as(one.log(first)).isEqualTo("SUCCEEDED");
    List<String> before = md5s(output);
    assertThat(reported(one.build(first))).isEqualTo(before.get(0));

    Api.Response after = two.post("/api/builds", request(output, ", \"root_password\": \"two-pw\""));
    assertThat(after.status()).as(after.body()).isEqualTo(403);
    assertThat(after.body()).contains(first).contains("ownerone");

    assertThat(md5s(output)).as("image, metadata and bill of materials untouched").isEqualTo(before);
    assertThat(reported(one.build(first))).isEqualTo(before.get(0));
  }

  @Test
  void ofOneUsersBuildsRacingToOneOutputEverySucceededOneReportsTheFilesOnDiskOrItsSuccessor() throws Exception {
    Path output = OUTPUT.resolve("owned-one-user");
    Requests.delete(output);
    ExecutorService threads = Executors.newFixedThreadPool(2);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Api.Response>> answers = new ArrayList<>();
    for (String extra : List.of("", ", \"root_password\": \"race-pw\"")) {
      answers.add(threads.submit(() -> {
        go.await();
        return one.post("/api/builds", request(output, extra));
      }));
    }
    go.countDown();
    List<String> accepted = new ArrayList<>();
    for (Future<Api.Response> answer : answers) {
      Api.Response response = answer.get(2, TimeUnit.MINUTES);
      assertThat(response.status()).as(response.body()).isIn(201, 409);
      if (response.status() == 201) {
        accepted.add(response.json().get("id").asText());
      }
    }
    threads.shutdown();
    assertThat(accepted).hasSize(1);
    assertThat(one.awaitEnd(accepted.get(0), Duration.ofMinutes(20)).get("state").asText())
        .as(one.log(accepted.get(0))).isEqualTo("SUCCEEDED");
    // the same user replaces its files with another build of them
    String replacing = one.start(request(output, ", \"root_password\": \"again-pw\""));
    accepted.add(replacing);
    assertThat(one.awaitEnd(replacing, Duration.ofMinutes(20)).get("state").asText()).as(one.log(replacing))
        .isEqualTo("SUCCEEDED");

    String onDisk = md5(output.resolve("owned.img"));
    for (String id : accepted) {
      JsonNode build = one.build(id);
      if (build.get("supersededBy").isNull()) {
        assertThat(reported(build)).as("build %s reports the file on disk", id).isEqualTo(onDisk);
      } else {
        assertThat(build.get("images").isNull()).as("a superseded build reports no md5s").isTrue();
      }
    }
    assertThat(one.build(accepted.get(0)).get("supersededBy").asText()).isEqualTo(replacing);
  }

  static String reported(JsonNode build) {
    return build.get("images").get(0).get("container_md5").asText();
  }

  /** The md5s of the image, the metadata and the bill of materials on disk. */
  static List<String> md5s(Path output) throws IOException {
    return List.of(md5(output.resolve("owned.img")), md5(output.resolve("owned.yaml")),
        md5(output.resolve("owned.spdx.json")));
  }

  static String md5(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("MD5");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
