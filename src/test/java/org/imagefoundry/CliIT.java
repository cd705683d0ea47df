package org.imagefoundry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.imagefoundry.testing.Api;
import org.imagefoundry.testing.LocalRepository;
import org.imagefoundry.testing.RealBuildTest;
import org.imagefoundry.testing.Requests;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The command-line client ({@code cli/}, run as its jar in a process of its own, as
 * {@code scripts/image-foundry} runs it) against the real service: builds that succeed and fail with
 * their exit codes and output in a pipe and on a pseudo-terminal, cancel, list, a refused login and a
 * refused credentials file. The jar is {@value #JAR}: {@code scripts/test} builds it first
 * ({@code mvn -f cli/pom.xml package}).
 */
@RealBuildTest
class CliIT {

  static final String JAR = "cli/target/image-foundry-cli.jar";
  static final Path OUTPUT = Path.of(RealBuildTest.ROOT, "images", "cli");
  static final Duration BUILD = Duration.ofMinutes(20);
  /** A phase line in a pipe: elapsed, percentage, state, phase. */
  static final String PHASE_LINE = "\\d+:\\d\\d +\\d{1,3}%  (QUEUED|RUNNING|SUCCEEDED|SKIPPED)  \\S+";

  @LocalServerPort int port;
  @TempDir Path home;
  Api api;

  /** What one run of the client did. */
  record Result(int exitCode, String out, String err) {}

  @BeforeAll
  static void theJarIsBuilt() {
    assertThat(Path.of(JAR)).as("the client's jar: build it first with mvn -f cli/pom.xml package (scripts/test does)")
        .isRegularFile();
    Requests.delete(OUTPUT);
  }

  @BeforeEach
  void setUp() {
    api = new Api(url(), "admin", RealBuildTest.PASSWORD);
  }

  String url() {
    return "http://localhost:" + port;
  }

  /** Bookworm minbase with {@code packages}, one raw image {@code <OUTPUT>/<name>/<name>.img}. */
  Path request(String name, String... packages) {
    String list = java.util.Arrays.stream(packages).map(p -> "\"" + p + "\"").collect(Collectors.joining(", "));
    return write(name + ".json", """
        {"image_data": {"/": {"uri": "http://images.invalid/%s.img", "format": "ext4", "container": "raw", "size": "1G"}},
         "output": "%s", "codename": "bookworm", "variant": "minbase",
         "repos": [{"name": "debian", "suite": "bookworm", "section": "main", "priority": null, "type": "deb"}],
         "packages": [%s]}
        """.formatted(name, OUTPUT.resolve(name), list));
  }

  Path write(String name, String text) {
    try {
      return Files.writeString(home.resolve(name), text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The client as admin, with the password in the environment, its output a pipe. */
  Result cli(String... args) {
    return run(Map.of("IMAGE_FOUNDRY_PASSWORD", RealBuildTest.PASSWORD), command(args));
  }

  List<String> command(String... args) {
    List<String> command = new ArrayList<>(List.of("java", "-jar", Path.of(JAR).toAbsolutePath().toString()));
    command.addAll(List.of(args));
    return command;
  }

  Result run(Map<String, String> environment, List<String> command) {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().keySet().removeIf(name -> name.startsWith("IMAGE_FOUNDRY_") || name.equals("XDG_CONFIG_HOME"));
    builder.environment().put("HOME", home.toString());
    builder.environment().put("IMAGE_FOUNDRY_URL", url());
    builder.environment().putAll(environment);
    try {
      Path out = Files.createTempFile(home, "out", ".txt");
      Path err = Files.createTempFile(home, "err", ".txt");
      Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
      if (!process.waitFor(BUILD.toMinutes(), TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new AssertionError(command + " did not end within " + BUILD);
      }
      return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Test
  void aGoodBuildWithWaitExitsZeroAndPrintsItsImageOneLinePerPhaseInAPipe() throws Exception {
    Result result = cli("build", request("good", "less").toString(), "--wait");

    assertThat(result.exitCode()).as(result.err()).isZero();
    List<String> lines = result.out().lines().toList();
    assertThat(lines.get(0)).matches("build [0-9a-f-]{36}");
    String id = lines.get(0).substring("build ".length());
    JsonNode build = api.build(id);
    assertThat(build.get("state").asText()).isEqualTo("SUCCEEDED");
    String image = OUTPUT.resolve("good/good.img").toString();
    String md5 = build.get("images").get(0).get("container_md5").asText();
    String ended = "build " + id + " SUCCEEDED after ";
    int end = java.util.stream.IntStream.range(0, lines.size()).filter(i -> lines.get(i).startsWith(ended))
        .findFirst().orElseThrow(() -> new AssertionError("no result line in " + lines));
    assertThat(lines.subList(end, lines.size())).as(result.out()).containsExactly(lines.get(end),
        md5 + "  " + image, "metadata: " + OUTPUT.resolve("good/good.yaml"));
    assertThat(lines.get(end)).matches("build " + id + " SUCCEEDED after \\d+:\\d\\d");
    // in a pipe: one plain line per phase, never a carriage return, and never the same phase twice in a row
    List<String> phases = lines.subList(1, end);
    assertThat(phases).isNotEmpty().allSatisfy(line -> assertThat(line).matches(PHASE_LINE));
    for (int i = 1; i < phases.size(); i++) {
      assertThat(phases.get(i).replaceFirst("^\\S+ +\\d+%", "")).isNotEqualTo(phases.get(i - 1).replaceFirst("^\\S+ +\\d+%", ""));
    }
    assertThat(phases.get(phases.size() - 1)).contains("100%  SUCCEEDED");
    assertThat(result.out()).doesNotContain("\r");
    assertThat(Path.of(image)).isRegularFile();
    assertThat(org.apache.commons.codec.digest.DigestUtils.md5Hex(Files.newInputStream(Path.of(image)))).isEqualTo(md5);

    Result show = cli("show", id, "-o", "json");
    assertThat(show.exitCode()).isZero();
    assertThat(Api.ENDED).contains(new com.fasterxml.jackson.databind.ObjectMapper().readTree(show.out()).get("state").asText());
    assertThat(cli("packages", id).out()).contains("less");
  }

  @Test
  void aPackageThatDoesNotExistExitsOneWithAptsWordsAndListStateFailedShowsIt() {
    Result result = cli("build", request("missing", "less", "no-such-package-cli").toString(), "--wait");

    assertThat(result.exitCode()).as(result.out() + result.err()).isEqualTo(1);
    String id = result.out().lines().findFirst().orElseThrow().substring("build ".length());
    assertThat(result.err()).startsWith("build " + id + " FAILED").contains("Unable to locate package no-such-package-cli")
        .contains("last lines of its log:");
    assertThat(result.out()).doesNotContain("SUCCEEDED");

    Result failed = cli("list", "--state", "FAILED");
    assertThat(failed.exitCode()).isZero();
    assertThat(failed.out().lines().filter(line -> line.startsWith(id + " "))).singleElement().asString()
        .contains("FAILED", "no-such-package-cli");
    assertThat(failed.out().lines().skip(1)).allSatisfy(line -> assertThat(line).contains("  FAILED  "));
  }

  @Test
  void cancelOfARunningBuildExitsZeroAndTheBuildEndsCancelled() {
    Path repo = Path.of(RealBuildTest.ROOT, "repos", "cli-gate");
    Requests.delete(repo);
    LocalRepository.createWithGate(repo);
    Path request = write("held.json", Requests.gated("held", OUTPUT, repo));
    Result started = cli("build", request.toString());
    assertThat(started.exitCode()).as(started.err()).isZero();
    String id = started.out().strip();
    assertThat(id).matches("[0-9a-f-]{36}");
    for (int i = 0; i < 600 && !api.log(id).contains(LocalRepository.GATE_WAITING); i++) {
      Api.sleep(1000);
    }
    assertThat(api.build(id).get("state").asText()).isEqualTo("RUNNING");

    Result cancel = cli("cancel", id);

    assertThat(cancel.exitCode()).as(cancel.err()).isZero();
    assertThat(cancel.out()).isEqualTo("build " + id + ": cancelling\n");
    assertThat(api.awaitEnd(id, BUILD).get("state").asText()).as(api.log(id)).isEqualTo("CANCELLED");
    assertThat(cli("cancel", id).exitCode()).as("an ended build has nothing to cancel").isEqualTo(2);
  }

  @Test
  void aWrongPasswordExitsThreeAndACredentialsFileOthersMayReadIsRefused() throws Exception {
    Result wrong = run(Map.of("IMAGE_FOUNDRY_PASSWORD", "not-" + RealBuildTest.PASSWORD), command("list"));
    assertThat(wrong.exitCode()).isEqualTo(3);
    assertThat(wrong.err()).contains("refused the login of admin (401)").doesNotContain(RealBuildTest.PASSWORD);

    Path file = home.resolve(".config/image-foundry/credentials");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "user=admin\npassword=" + RealBuildTest.PASSWORD + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    Result refused = run(Map.of(), command("list"));
    assertThat(refused.exitCode()).isEqualTo(2);
    assertThat(refused.err()).contains("refusing the credentials file " + file, "chmod 600");

    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    Result accepted = run(Map.of(), command("list", "--limit", "1"));
    assertThat(accepted.exitCode()).as(accepted.err()).isZero();
    assertThat(accepted.out()).startsWith("ID ");
  }

  /**
   * On a terminal (a pseudo-terminal of util-linux's script) the progress is one line, redrawn in place:
   * frames separated by carriage returns, no newline among them.
   */
  @Test
  void onAPseudoTerminalTheProgressLineRedrawsInPlace() {
    Path request = request("terminal", "less");
    // script runs its command through the shell: the words are quoted, and none is the user's
    String command = command("build", request.toString(), "--wait").stream().map(word -> "'" + word + "'")
        .collect(Collectors.joining(" "));
    Result result = run(Map.of("IMAGE_FOUNDRY_PASSWORD", RealBuildTest.PASSWORD),
        List.of("script", "-qfec", command, "/dev/null"));

    assertThat(result.exitCode()).as(result.out() + result.err()).isZero();
    String out = result.out();
    // the terminal turns each newline into \r\n: the progress is what lies between the first line and the result
    int first = out.indexOf("\r\n", out.indexOf("build ")) + 2;
    int last = out.indexOf(" SUCCEEDED after ");
    assertThat(first).as(out).isGreaterThan(1);
    assertThat(last).as(out).isGreaterThan(first);
    String progress = out.substring(first, out.lastIndexOf("\r\nbuild ", last));
    assertThat(progress).as(out).startsWith("\r[");
    assertThat(progress).doesNotContain("\n");
    List<String> frames = java.util.Arrays.stream(progress.split("\r")).filter(frame -> !frame.isEmpty()).toList();
    assertThat(frames).as(out).hasSizeGreaterThanOrEqualTo(2)
        .allSatisfy(frame -> assertThat(frame).matches("\\[[#-]{24}\\] +\\d{1,3}%  .+  \\d+:\\d\\d *"));
    assertThat(frames.get(frames.size() - 1)).startsWith("[########################] 100%  SUCCEEDED ");
    assertThat(out).contains("  " + OUTPUT.resolve("terminal/terminal.img"));
  }
}
