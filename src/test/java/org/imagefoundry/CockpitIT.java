package org.imagefoundry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.imagefoundry.testing.Api;
import org.imagefoundry.testing.Browser;
import org.imagefoundry.testing.ImageChecks;
import org.imagefoundry.testing.LocalRepository;
import org.imagefoundry.testing.RealBuildTest;
import org.imagefoundry.testing.Requests;
import org.imagefoundry.testing.ServiceProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * Cockpit as an operator sees it, in Debian's headless Chromium driven by Selenium, on the service
 * started as {@code scripts/service} starts it (the extracted jar, embedded H2) and from the packed jar:
 * it loads, shows a running build's token on its task, the Builds panel with ended builds and their
 * files, the Build log tab, and cancels a build with compensation. Any JavaScript error or any 4xx/5xx
 * of the page's own requests fails the test. The screenshots it takes are those in docs/screenshots/,
 * which the README and docs/ show. The Phases pictures' test runs first, so that its cold build is cold
 * (no cache has the content yet).
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class CockpitIT {

  static final Path ROOT = Path.of("/var/tmp/image-foundry-cockpit");
  static final Path SCREENSHOTS = Path.of("docs/screenshots");
  static final Duration BUILD = Duration.ofMinutes(10);

  static ServiceProcess service;

  @TempDir Path scratch;

  @BeforeAll
  static void startService() {
    Requests.delete(ROOT);
    service = new ServiceProcess(null, ROOT, "cockpit-node",
        "--image-foundry.allowed-file-repo-roots=" + ROOT.resolve("repos"),
        "--image-foundry.max-concurrent-builds=3");
    service.start();
  }

  @AfterAll
  static void stopService() {
    if (service != null) {
      service.stop();
    }
  }

  @Test
  void anOperatorWatchesReadsAndCancelsBuildsInCockpit() throws Exception {
    Api api = service.api();
    String succeeded = api.start(request("succeeded"));
    Path heldRepo = ROOT.resolve("repos/held");
    LocalRepository.createWithGate(heldRepo);
    String held = api.start(Requests.gated("held", ROOT.resolve("images"), heldRepo));
    awaitLog(api, held, LocalRepository.GATE_WAITING);
    JsonNode done = api.awaitEnd(succeeded, BUILD);
    assertThat(done.get("state").asText()).as(api.log(succeeded)).isEqualTo("SUCCEEDED");

    try (Browser browser = new Browser(service.base())) {
      browser.logInToCockpit("admin", RealBuildTest.PASSWORD);

      // the dashboard's Builds panel: the ended build with its log, metadata and image; the held one running
      WebElement panel = browser.await(By.cssSelector(".image-foundry-builds"));
      WebElement endedRow = browser.await(By.cssSelector("tr[data-build='" + succeeded + "']"));
      assertThat(endedRow.getText()).contains("SUCCEEDED", "100 %", "cockpit-node", "succeeded.img.zst");
      assertThat(browser.await(By.cssSelector("tr[data-build='" + held + "']")).getText())
          .contains("RUNNING", "installPackages");
      browser.screenshot(panel, SCREENSHOTS.resolve("cockpit-builds.png"));
      assertThat(browser.problems()).as("the dashboard").isEmpty();
      String metadataLink = endedRow.findElement(By.linkText("metadata")).getAttribute("href");

      // a running build: its token on the task it is in, the Build log tab following its log
      String instance = api.get("/engine-rest/process-instance?businessKey=" + held).json().get(0).get("id").asText();
      browser.open("/camunda/app/cockpit/default/#/process-instance/" + instance + "/runtime");
      WebElement token = browser.await(By.cssSelector(".djs-overlays[data-container-id='installPackages'] .instance-count"),
          Duration.ofSeconds(60));
      assertThat(token.getText()).isEqualTo("1");
      browser.press(browser.await(By.xpath("//a[normalize-space()='Build log']")));
      browser.awaitText(LocalRepository.GATE_WAITING, Duration.ofSeconds(30));
      assertThat(browser.await(By.cssSelector(".image-foundry-log-status")).getText()).contains("following the log");
      browser.screenshot(SCREENSHOTS.resolve("cockpit-running-build.png"));
      browser.press(browser.await(By.xpath("//a[normalize-space()='Phases']")));
      WebElement running = browser.await(By.cssSelector(".image-foundry-phases-tab svg.image-foundry-phases"));
      assertThat(running.findElements(By.cssSelector("rect.bar.running"))).hasSize(1);
      assertThat(browser.problems()).as("the process instance view").isEmpty();

      // the Cancel build action: compensation, then the sweep, CANCELLED with nothing left
      browser.press(browser.await(By.cssSelector(".image-foundry-cancel")));
      browser.press(browser.await(By.cssSelector(".image-foundry-cancel-confirm")));
      browser.awaitText("cancelling: compensation runs", Duration.ofSeconds(30));
      JsonNode cancelled = api.awaitEnd(held, BUILD);
      assertThat(cancelled.get("state").asText()).as(api.log(held)).isEqualTo("CANCELLED");
      assertThat(cancelled.get("error").asText()).isEqualTo("cancelled by admin in Cockpit");
      assertThat(api.log(held)).contains("phase undoMountPseudoFilesystems finished", "phase sweepAfterCancel finished");
      ImageChecks.assertNothingLeft(ROOT.resolve("build"), held, ROOT.resolve("images/held"));
      assertThat(browser.problems()).as("cancelling").isEmpty();

      // ended builds stay in the Builds panel: filtered by state
      browser.open("/camunda/app/cockpit/default/#/dashboard");
      browser.choose(browser.await(By.id("image-foundry-state")), "CANCELLED");
      browser.awaitText("cancelled by admin in Cockpit", Duration.ofSeconds(30));
      // the cancelled build's error was on the page before the filter too: wait for the table to re-render
      browser.awaitGone(By.cssSelector("tr[data-build='" + succeeded + "']"), Duration.ofSeconds(30));
      assertThat(browser.driver().findElements(By.cssSelector("tr[data-build='" + held + "']"))).hasSize(1);

      // the metadata link opens the YAML the build wrote
      browser.driver().get(metadataLink);
      assertThat(browser.text()).contains("container_md5", "succeeded.img.zst");
      assertThat(browser.problems()).as("the Builds panel").isEmpty();
    }
    ImageChecks.verifyPublished(Path.of(done.get("metadataPath").asText()), List.of("less"), scratch);
  }

  /** Cockpit's own delete of a build's process instance compensates like the cancel action. */
  @Test
  void deletingABuildsProcessInstanceCancelsItWithCompensation() {
    Api api = service.api();
    Path repo = ROOT.resolve("repos/deleted");
    LocalRepository.createWithGate(repo);
    String id = api.start(Requests.gated("deleted", ROOT.resolve("images"), repo));
    awaitLog(api, id, LocalRepository.GATE_WAITING);
    String instance = api.get("/engine-rest/process-instance?businessKey=" + id).json().get(0).get("id").asText();

    assertThat(api.delete("/engine-rest/process-instance/" + instance).status()).isEqualTo(204);

    JsonNode build = api.awaitEnd(id, BUILD);
    assertThat(build.get("state").asText()).as(api.log(id)).isEqualTo("CANCELLED");
    assertThat(build.get("error").asText()).isEqualTo("cancelled by admin with a delete of its process instance");
    assertThat(api.log(id)).contains("phase undoMountPseudoFilesystems finished", "phase sweepAfterCancel finished");
    ImageChecks.assertNothingLeft(ROOT.resolve("build"), id, ROOT.resolve("images/deleted"));
  }

  /**
   * The dashboard opens on the Builds panel (above Cockpit's own sections), and each build's Phases
   * picture shows where its time went: a cold build in debootstrap and apt, a warm one (the same
   * content, from the image store) in a few short steps, a failed one cut short, then compensated.
   */
  @Test
  @org.junit.jupiter.api.Order(1)
  void theDashboardOpensOnTheBuildsAndEachBuildShowsItsPhases() {
    Api api = service.api();
    String cold = api.start(request("phases-cold"));
    JsonNode coldBuild = api.awaitEnd(cold, BUILD);
    assertThat(coldBuild.get("state").asText()).as(api.log(cold)).isEqualTo("SUCCEEDED");
    String warm = api.start(request("phases-warm"));
    String failed = api.start(request("phases-failed").replace("\"less\"", "\"less\", \"no-such-package\""));
    assertThat(api.awaitEnd(warm, BUILD).get("state").asText()).as(api.log(warm)).isEqualTo("SUCCEEDED");
    assertThat(api.awaitEnd(failed, BUILD).get("state").asText()).as(api.log(failed)).isEqualTo("FAILED");

    try (Browser browser = new Browser(service.base())) {
      browser.logInToCockpit("admin", RealBuildTest.PASSWORD);
      WebElement panel = browser.await(By.cssSelector(".image-foundry-builds"));
      browser.await(By.cssSelector("tr[data-build='" + failed + "']"));
      WebElement rightNow = browser.await(By.cssSelector(".dashboard section.actual"));
      assertThat(panel.getLocation().getY()).as("the Builds panel above Cockpit's own sections")
          .isLessThan(rightNow.getLocation().getY());
      assertThat(browser.text()).doesNotContain("Custom Plugins");
      browser.screenshot(SCREENSHOTS.resolve("cockpit-dashboard.png"));
      assertThat(browser.problems()).as("the dashboard").isEmpty();

      WebElement coldPicture = phases(browser, cold);
      assertThat(coldPicture.findElements(By.cssSelector("rect.bar.phase[data-phase='debootstrap']"))).hasSize(1);
      assertThat(coldPicture.findElements(By.cssSelector("rect.bar.phase[data-phase='installPackages']"))).hasSize(1);
      browser.screenshot(row(browser, cold), SCREENSHOTS.resolve("cockpit-phases-cold.png"));

      WebElement warmPicture = phases(browser, warm);
      assertThat(warmPicture.findElements(By.cssSelector("rect.bar[data-phase='restoreStoredImages']"))).hasSize(1);
      assertThat(warmPicture.findElements(By.cssSelector("rect.bar[data-phase='debootstrap']"))).isEmpty();
      browser.screenshot(row(browser, warm), SCREENSHOTS.resolve("cockpit-phases-warm.png"));

      WebElement failedPicture = phases(browser, failed);
      assertThat(failedPicture.findElements(By.cssSelector("rect.bar.compensation"))).isNotEmpty();
      assertThat(failedPicture.findElements(By.cssSelector("rect.bar.sweep[data-phase='sweepAfterFailure']"))).hasSize(1);
      assertThat(row(browser, failed).getText()).contains("FAILED", "no-such-package");
      browser.screenshot(row(browser, failed), SCREENSHOTS.resolve("cockpit-phases-failed.png"));
      assertThat(browser.problems()).as("the Phases pictures").isEmpty();
    }
  }

  /** Opens a build's Phases picture in the Builds panel and returns it once drawn. */
  static WebElement phases(Browser browser, String id) {
    browser.press(browser.await(By.cssSelector("tr[data-build='" + id + "'] .image-foundry-phases-toggle")));
    return browser.await(By.cssSelector("tr[data-phases-of='" + id + "'] svg.image-foundry-phases"));
  }

  static WebElement row(Browser browser, String id) {
    return browser.await(By.cssSelector("tr[data-phases-of='" + id + "']"));
  }

  /** {@code java -jar target/image-foundry.jar}: Cockpit and the Builds panel load there too. */
  @Test
  void cockpitLoadsFromThePackedJar() {
    Path root = ROOT.resolve("packed");
    ServiceProcess packed = ServiceProcess.packedJar(root, "packed-node");
    packed.start();
    try (Browser browser = new Browser(packed.base())) {
      browser.logInToCockpit("admin", RealBuildTest.PASSWORD);
      browser.await(By.cssSelector(".image-foundry-builds"));
      browser.awaitText("no builds yet", Duration.ofSeconds(30));
      assertThat(browser.problems()).isEmpty();
    } finally {
      packed.stop();
    }
  }

  /** Bookworm minbase with less, published as {@code <images>/<name>/<name>.img.zst}. */
  static String request(String name) {
    return """
        {"image_data": {"/": {"uri": "http://images.invalid/%s.img.zst", "format": "ext4", "container": "zstd", "size": "2G"}},
         "output": "%s", "codename": "bookworm", "variant": "minbase",
         "repos": [{"name": "debian", "suite": "bookworm", "section": "main", "priority": null, "type": "deb"}],
         "packages": ["less"]}
        """.formatted(name, ROOT.resolve("images").resolve(name));
  }

  static void awaitLog(Api api, String id, String text) {
    for (int i = 0; i < 600 && !api.log(id).contains(text); i++) {
      Api.sleep(1000);
    }
    assertThat(api.log(id)).contains(text);
  }
}
