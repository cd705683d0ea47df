package org.imagefoundry.imagetree;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.imagefoundry.spec.BuildSpec.Proxies;

/** Files of an apt repository (Release, InRelease), fetched through the request's proxy unless its host is reached directly. */
public final class RepositoryFiles {

  /** Debian's InRelease is about 150 KB; a response larger than this is not read whole. */
  static final int MAX_SIZE = 16 << 20;

  private RepositoryFiles() {}

  /** {@code <uri>/dists/<suite>/<name>}. */
  public static byte[] fetch(String repoUri, String suite, String name, Proxies proxies) {
    URI uri = URI.create(repoUri.replaceAll("/+$", "") + "/dists/" + suite + "/" + name);
    try {
      if ("file".equals(uri.getScheme())) {
        return Files.readAllBytes(Path.of(uri));
      }
      HttpResponse<InputStream> response = client(uri, proxies).build().send(
          HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(2)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream body = response.body()) {
        if (response.statusCode() != 200) {
          throw new IllegalStateException("GET " + uri + " answered " + response.statusCode()
              + (response.statusCode() / 100 == 3 ? " (redirects are not followed: use the repo's final URI)" : ""));
        }
        byte[] content = body.readNBytes(MAX_SIZE + 1);
        if (content.length > MAX_SIZE) {
          throw new IllegalStateException("GET " + uri + " sent more than " + MAX_SIZE + " bytes: not a Release file");
        }
        return content;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not fetch " + uri, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted fetching " + uri, e);
    }
  }

  /**
   * A client for the repo of {@code uri}: through the request's proxy unless its host is reached directly,
   * following no redirect (the repo's host was checked against image-foundry.allowed-repo-hosts: a
   * redirect could lead anywhere).
   */
  public static HttpClient.Builder client(URI uri, Proxies proxies) {
    HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30))
        .followRedirects(HttpClient.Redirect.NEVER);
    proxyFor(uri, proxies).ifPresent(proxy -> client.proxy(
        ProxySelector.of(new InetSocketAddress(proxy.getHost(), proxy.getPort() < 0 ? 80 : proxy.getPort()))));
    return client;
  }

  static Optional<URI> proxyFor(URI uri, Proxies proxies) {
    if (proxies == null || proxies.protocols() == null) {
      return Optional.empty();
    }
    List<String> direct = proxies.directRepoAddrList() == null ? List.of() : proxies.directRepoAddrList();
    if (direct.contains(uri.getHost())) {
      return Optional.empty();
    }
    return Optional.ofNullable(proxies.protocols().get(uri.getScheme())).map(URI::create);
  }
}
