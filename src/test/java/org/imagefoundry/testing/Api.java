package org.imagefoundry.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;

/** The service's HTTP API as an upstream system calls it. */
public class Api {

  public static final Set<String> ENDED = Set.of("SUCCEEDED", "SKIPPED", "FAILED", "CANCELLED");

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newHttpClient();
  private final String base;
  private final String authorization;

  public Api(String base, String user, String password) {
    this.base = base;
    this.authorization = user == null ? null : "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  public record Response(int status, String body) {
    public JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new IllegalStateException("not JSON: " + body, e);
      }
    }
  }

  public Response post(String path, String body) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  public Response get(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  public Response delete(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE());
  }

  /** Starts a build and returns its id; fails the test unless the service answers 201. */
  public String start(String request) {
    Response response = post("/api/builds", request);
    if (response.status() != 201) {
      throw new AssertionError("POST /api/builds answered " + response.status() + ": " + response.body());
    }
    return response.json().get("id").asText();
  }

  /**
   * Retries the build's failed step as an operator would: while its node has no free slot (409 with
   * Retry-After: builds of other test classes may hold them all) it asks again, for at most {@code timeout}.
   * Returns the last answer.
   */
  public Response retry(String id, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    Response response = post("/api/builds/" + id + "/retry", "");
    while (response.status() == 409 && response.body().contains("no free build slot") && Instant.now().isBefore(deadline)) {
      sleep(2000);
      response = post("/api/builds/" + id + "/retry", "");
    }
    return response;
  }

  public JsonNode build(String id) {
    return get("/api/builds/" + id).json();
  }

  /** Polls the build until it is in one of {@code states}; fails after {@code timeout}. */
  public JsonNode awaitState(String id, Duration timeout, Set<String> states) {
    Instant deadline = Instant.now().plus(timeout);
    JsonNode build = build(id);
    while (!states.contains(build.get("state").asText())) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("build " + id + " still " + build + " after " + timeout + "; log:\n" + tail(log(id)));
      }
      sleep(1000);
      build = build(id);
    }
    return build;
  }

  public JsonNode awaitEnd(String id, Duration timeout) {
    return awaitState(id, timeout, ENDED);
  }

  public String log(String id) {
    return get("/api/builds/" + id + "/log").body();
  }

  private static String tail(String log) {
    String[] lines = log.split("\n");
    return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 40), lines.length));
  }

  private Response send(HttpRequest.Builder request) {
    try {
      if (authorization != null) {
        request.header("Authorization", authorization);
      }
      HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(60)).build(),
          HttpResponse.BodyHandlers.ofString());
      return new Response(response.statusCode(), response.body());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public static void sleepSeconds(long seconds) {
    sleep(seconds * 1000);
  }

  public static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
