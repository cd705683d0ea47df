package org.imagefoundry.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.regex.Pattern;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium, driven by its chromedriver, as an operator's browser: it remembers every
 * JavaScript error and every 4xx/5xx answer to the page's own requests, so a test can fail on them.
 */
public class Browser implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** How Cockpit asks who is logged in: a 404 is its answer "nobody", which shows the login form. */
  private static final Pattern WHO_IS_LOGGED_IN = Pattern.compile("/camunda/api/admin/auth/user/[a-z]+\\b(?!/)");

  private final String base;
  private final ChromeDriver driver;
  private final Path profile;
  private final List<String> problems = new ArrayList<>();

  public Browser(String base) {
    this.base = base;
    try {
      this.profile = Files.createTempDirectory("image-foundry-chromium");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary("/usr/bin/chromium");
    // as root, on a machine with no outside network: no sandbox, nothing that calls home
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1400,900", "--user-data-dir=" + profile);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    logs.enable(LogType.PERFORMANCE, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile()).usingAnyFreePort().build();
    this.driver = new ChromeDriver(service, options);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
  }

  public ChromeDriver driver() {
    return driver;
  }

  public void open(String path) {
    driver.get(base + path);
  }

  /** Logs in on Cockpit's own login form and waits for its dashboard. */
  public void logInToCockpit(String user, String password) {
    open("/camunda/app/cockpit/default/");
    type(await(By.cssSelector("input[ng-model='username']")), user);
    type(driver.findElement(By.cssSelector("input[ng-model='password']")), password);
    press(driver.findElement(By.cssSelector("button[type='submit']")));
    awaitText("Processes", Duration.ofSeconds(60));
  }

  /*
   * chromedriver's native key and mouse events never reach Camunda's pages in headless Chromium 156
   * (they reach a plain page; on Cockpit's only the focus they cause does), so a field gets its text
   * through Input.insertText, the browser's own text-input path, and a button is pressed by its click().
   */

  /** Focuses a field and enters text through the browser's text input. */
  public void type(WebElement field, String text) {
    driver.executeScript("arguments[0].focus()", field);
    driver.executeCdpCommand("Input.insertText", Map.of("text", text));
  }

  /** Presses a button or follows a link, once it is visible. */
  public void press(WebElement element) {
    new WebDriverWait(driver, Duration.ofSeconds(30)).until(ExpectedConditions.visibilityOf(element));
    driver.executeScript("arguments[0].click()", element);
  }

  /** Chooses an option of a select, as picking it with the mouse would. */
  public void choose(WebElement select, String value) {
    driver.executeScript("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change'))",
        select, value);
  }

  public WebElement await(By by) {
    return await(by, Duration.ofSeconds(60));
  }

  public WebElement await(By by, Duration timeout) {
    return new WebDriverWait(driver, timeout).until(ExpectedConditions.visibilityOfElementLocated(by));
  }

  /** Waits until no element matches {@code by}: the page re-renders after a change (a filter) at its own pace. */
  public void awaitGone(By by, Duration timeout) {
    new WebDriverWait(driver, timeout).until(ExpectedConditions.numberOfElementsToBe(by, 0));
  }

  /** Waits until the page's text contains {@code text}. */
  public void awaitText(String text, Duration timeout) {
    new WebDriverWait(driver, timeout).until(d -> d.findElement(By.tagName("body")).getText().contains(text));
  }

  public String text() {
    return driver.findElement(By.tagName("body")).getText();
  }

  public Path screenshot(Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), file, StandardCopyOption.REPLACE_EXISTING);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A picture of one element of the page, scrolled into view. */
  public Path screenshot(WebElement element, Path file) {
    driver.executeScript("arguments[0].scrollIntoView()", element);
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.copy(element.getScreenshotAs(OutputType.FILE).toPath(), file, StandardCopyOption.REPLACE_EXISTING);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * What went wrong since the last call: JavaScript errors, and answers of 400 or more to requests of
   * this service's own pages and assets.
   */
  public List<String> problems() {
    for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
      if (entry.getLevel().intValue() >= Level.SEVERE.intValue() && !WHO_IS_LOGGED_IN.matcher(entry.getMessage()).find()) {
        problems.add("console: " + entry.getMessage());
      }
    }
    for (LogEntry entry : driver.manage().logs().get(LogType.PERFORMANCE)) {
      failedResponse(entry.getMessage()).ifPresent(problems::add);
    }
    List<String> found = List.copyOf(problems);
    problems.clear();
    return found;
  }

  private Optional<String> failedResponse(String message) {
    try {
      JsonNode event = JSON.readTree(message).path("message");
      if (!"Network.responseReceived".equals(event.path("method").asText())) {
        return Optional.empty();
      }
      JsonNode response = event.path("params").path("response");
      int status = response.path("status").asInt();
      String url = response.path("url").asText();
      return status >= 400 && url.startsWith(base) && !(status == 404 && WHO_IS_LOGGED_IN.matcher(url).find())
          ? Optional.of(status + " " + url) : Optional.empty();
    } catch (IOException e) {
      return Optional.of("unreadable performance log entry: " + message);
    }
  }

  public Object script(String javascript, Object... args) {
    return driver.executeScript(javascript, args);
  }

  @Override
  public void close() {
    driver.quit();
    try (var files = Files.walk(profile)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a leftover profile in the temp dir is harmless
    }
  }
}
