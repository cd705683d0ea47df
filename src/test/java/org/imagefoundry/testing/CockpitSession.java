package org.imagefoundry.testing;

import java.io.IOException;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/**
 * A user logged in to Cockpit as its login page does it: the session cookie, and the CSRF token
 * Camunda's webapps want on every request that changes something.
 */
public class CockpitSession {

  private final String base;
  private final CookieManager cookies = new CookieManager();
  private final HttpClient http;

  private CockpitSession(String base) {
    this.base = base;
    this.http = HttpClient.newBuilder().cookieHandler(cookies).build();
  }

  /** Logs in; the answer of the login (200, or 401/403 when refused) is in {@link #loginStatus}. */
  public static CockpitSession logIn(String base, String user, String password) {
    return logIn(base, user, password, "cockpit");
  }

  /** Logs in through the login form of {@code app} (cockpit, tasklist, admin, welcome). */
  public static CockpitSession logIn(String base, String user, String password, String app) {
    CockpitSession session = new CockpitSession(base);
    session.send("GET", "/camunda/app/cockpit/default/", null);
    String form = "username=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password="
        + URLEncoder.encode(password, StandardCharsets.UTF_8);
    session.loginStatus = session.send(HttpRequest.newBuilder(URI.create(base + "/camunda/api/admin/auth/user/default/login/" + app))
        .header("Content-Type", "application/x-www-form-urlencoded").header("X-XSRF-TOKEN", session.csrfToken())
        .POST(HttpRequest.BodyPublishers.ofString(form))).status();
    session.send("GET", "/camunda/app/cockpit/default/", null); // the token of the session the login made
    return session;
  }

  private int loginStatus;

  public int loginStatus() {
    return loginStatus;
  }

  public String csrfToken() {
    return cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals("XSRF-TOKEN"))
        .map(HttpCookie::getValue).reduce((first, last) -> last).orElse("");
  }

  /** A request with the session cookie and, unless {@code withToken} is false, the CSRF token. */
  public Api.Response send(String method, String path, String body, boolean withToken) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("Accept", "application/json");
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (withToken) {
      request.header("X-XSRF-TOKEN", csrfToken());
    }
    return send(request);
  }

  /** A GET that accepts {@code accept}, as a browser's link to a log or a file does. */
  public Api.Response get(String path, String accept) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET().header("Accept", accept));
  }

  public Api.Response send(String method, String path, String body) {
    return send(method, path, body, true);
  }

  private Api.Response send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Api.Response(response.statusCode(), response.body());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
