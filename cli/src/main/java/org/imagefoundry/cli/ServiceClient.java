package org.imagefoundry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The service's REST API ({@code /api/...}) over HTTP Basic. Every answer but a 2xx becomes a
 * {@link Failure} with the exit code it stands for; redirects are never followed, so the password goes
 * only to the URL the user gave.
 */
public class ServiceClient {

  static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

  private final URI base;
  private final Supplier<Credentials> credentials;
  private final HttpClient http;
  private Credentials resolved;

  /** {@code credentials} is asked once, at the first call: help and completion need none. */
  public ServiceClient(URI base, Supplier<Credentials> credentials) {
    this.base = base;
    this.credentials = credentials;
    this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
  }

  public JsonNode getJson(String path) {
    return json(send(request(path).GET(), HttpResponse.BodyHandlers.ofString()).body());
  }

  public String getText(String path) {
    return send(request(path).GET(), HttpResponse.BodyHandlers.ofString()).body();
  }

  public JsonNode post(String path) {
    return json(send(request(path).POST(HttpRequest.BodyPublishers.noBody()), HttpResponse.BodyHandlers.ofString()).body());
  }

  /** Starts a build from a request document and returns its id. */
  public String startBuild(String request) {
    HttpResponse<String> response = send(request("/api/builds").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(request)), HttpResponse.BodyHandlers.ofString());
    return json(response.body()).path("id").asText();
  }

  /**
   * Hands each line of a streamed answer to {@code line} until the service ends it. The service writes
   * a lone newline into a quiet stream to learn whether the reader is still there: empty lines are not
   * handed on.
   */
  public void streamLines(String path, Consumer<String> line) {
    HttpResponse<InputStream> response = send(request(path).GET(), HttpResponse.BodyHandlers.ofInputStream());
    try (var reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      for (String next = reader.readLine(); next != null; next = reader.readLine()) {
        if (!next.isEmpty()) {
          line.accept(next);
        }
      }
    } catch (IOException e) {
      throw new Failure(ExitCodes.USAGE, "the service at " + base + " broke off the stream of " + path + ": " + e.getMessage());
    }
  }

  private HttpRequest.Builder request(String path) {
    if (resolved == null) {
      resolved = credentials.get();
    }
    return HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", resolved.basicAuthorization())
        .header("Accept", "application/json, text/plain, */*");
  }

  private <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> body) {
    HttpRequest built = request.timeout(CALL_TIMEOUT).build();
    HttpResponse<T> response;
    try {
      response = http.send(built, body);
    } catch (IOException e) {
      throw new Failure(ExitCodes.USAGE, "cannot reach the service at " + base + ": "
          + (e.getMessage() == null ? e.getClass().getSimpleName() + " (refused or timed out)" : e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure(ExitCodes.USAGE, "interrupted");
    }
    int status = response.statusCode();
    if (status / 100 == 2) {
      return response;
    }
    String text = bodyText(response.body());
    String what = built.method() + " " + built.uri().getRawPath();
    throw switch (status) {
      case 401 -> new Failure(ExitCodes.LOGIN_REFUSED, "the service refused the login of " + resolved.user()
          + " (401): wrong user or password");
      case 403 -> new Failure(ExitCodes.LOGIN_REFUSED, "the service refused " + what + " to " + resolved.user()
          + " (403): the user's groups do not allow it");
      case 429 -> new Failure(ExitCodes.LOGIN_REFUSED, "the service refused " + what + " (429, too many failed "
          + "logins or log followers); try again in " + response.headers().firstValue("Retry-After").orElse("a few")
          + " s");
      case 404 -> new Failure(ExitCodes.USAGE, "not found: " + what);
      default -> new Failure(ExitCodes.USAGE, "the service answered " + what + " with " + status + problems(text));
    };
  }

  /** A problem document's detail and every problem with its field; else the body's first line. */
  private static String problems(String text) {
    if (text.isBlank()) {
      return "";
    }
    try {
      JsonNode node = JSON.readTree(text);
      StringBuilder message = new StringBuilder();
      for (String field : new String[] {"detail", "status", "message"}) {
        if (node.path(field).isTextual()) {
          message.append(": ").append(node.path(field).asText());
          break;
        }
      }
      for (JsonNode problem : node.path("problems")) {
        message.append("\n  ").append(problem.path("field").asText()).append(": ").append(problem.path("message").asText());
      }
      return message.toString();
    } catch (IOException e) {
      return ": " + text.lines().findFirst().orElse("");
    }
  }

  private static String bodyText(Object body) {
    if (body instanceof String text) {
      return text;
    }
    if (body instanceof InputStream in) {
      try (in) {
        return new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "";
      }
    }
    return "";
  }

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text.isBlank() ? "{}" : text);
    } catch (IOException e) {
      throw new Failure(ExitCodes.USAGE, "the service answered something that is not JSON: "
          + text.lines().findFirst().orElse(""));
    }
  }
}
