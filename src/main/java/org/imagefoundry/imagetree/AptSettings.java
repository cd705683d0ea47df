package org.imagefoundry.imagetree;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.imagefoundry.spec.BuildSpec;
import org.imagefoundry.spec.BuildSpec.Proxies;
import org.imagefoundry.spec.BuildSpec.RepoSpec;
import org.springframework.stereotype.Component;

/**
 * apt's configuration inside the image: sources per repo, pins from each repo's Release file, and the
 * build-only settings (no Recommends/Suggests, no pipelining, proxies), which post-install removes.
 */
@Component
public class AptSettings {

  static final String BUILD_SETTINGS = "etc/apt/apt.conf.d/00image-foundry-build";

  /** Writes every apt file the build needs; {@code mirror} replaces the base repo's uri. */
  public void write(Path root, BuildSpec spec, String mirror) {
    ChrootFiles.write(root, BUILD_SETTINGS, buildSettings(spec.proxies()));
    ChrootFiles.write(root, "etc/apt/sources.list", "");
    List<RepoSpec> repos = repos(spec, mirror);
    for (RepoSpec repo : repos) {
      if (repo.keyring() != null) {
        copyKeyring(root, repo);
      }
      ChrootFiles.write(root, "etc/apt/sources.list.d/" + repo.name() + ".list", sourceLine(repo, spec.arch().name()));
      if (repo.priority() != null) {
        ChrootFiles.write(root, "etc/apt/preferences.d/" + repo.name() + ".pref",
            preferences(repo, release(repo, spec.proxies())));
      }
    }
  }

  /** A repo's own keyring goes into the image, where apt inside the chroot can read it. */
  private static void copyKeyring(Path root, RepoSpec repo) {
    Path target = ChrootFiles.resolve(root, keyringInImage(repo).substring(1));
    try {
      Files.createDirectories(target.getParent());
      Files.copy(Path.of(repo.keyring()), target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String keyringInImage(RepoSpec repo) {
    return "/etc/apt/keyrings/" + repo.name() + ".gpg";
  }

  public void removeBuildSettings(Path root) {
    ChrootFiles.delete(root, BUILD_SETTINGS);
  }

  /**
   * Drops the package lists (80 MB for Debian main), as apt-get clean drops the archives: the image
   * is smaller and a machine runs apt-get update before installing anyway.
   */
  public void removePackageLists(Path root) {
    Path lists = ChrootFiles.resolve(root, "var/lib/apt/lists");
    if (!Files.isDirectory(lists)) {
      return;
    }
    try (var entries = Files.list(lists)) {
      for (Path entry : entries.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals("lock")).toList()) {
        Files.delete(entry);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The repos as the build uses them: the first one's uri replaced by the build's mirror variable. */
  public static List<RepoSpec> repos(BuildSpec spec, String mirror) {
    List<RepoSpec> repos = new java.util.ArrayList<>(spec.repos());
    repos.set(0, repos.get(0).withUri(mirror));
    return repos;
  }

  static String buildSettings(Proxies proxies) {
    var text = new StringBuilder("// written by image-foundry for the build only (removed by post-install)\n");
    text.append("APT::Install-Recommends \"false\";\n");
    text.append("APT::Install-Suggests \"false\";\n");
    // pipelined requests broke on some proxies and mirrors (LP#1612731)
    text.append("Acquire::http::Pipeline-Depth \"0\";\n");
    text.append("Acquire::Retries \"3\";\n");
    // a repo's host was checked against image-foundry.allowed-repo-hosts: a redirect must not lead elsewhere
    text.append("Acquire::http::AllowRedirect \"false\";\n");
    text.append("Acquire::https::AllowRedirect \"false\";\n");
    // the shared package pool is bind-mounted from the host, where the chroot's _apt user cannot write
    text.append("APT::Sandbox::User \"root\";\n");
    // translations are 30 MB nobody reads on a server image
    text.append("Acquire::Languages \"none\";\n");
    if (proxies != null && proxies.protocols() != null) {
      proxies.protocols().forEach((protocol, proxy) ->
          text.append("Acquire::").append(protocol).append("::Proxy \"").append(proxy).append("\";\n"));
      if (proxies.directRepoAddrList() != null) {
        for (String host : proxies.directRepoAddrList()) {
          for (String protocol : proxies.protocols().keySet()) {
            text.append("Acquire::").append(protocol).append("::Proxy::").append(host).append(" \"DIRECT\";\n");
          }
        }
      }
    }
    return text.toString();
  }

  /**
   * A repo's line, for the image's architecture only ({@code arch=}): the same repos for amd64 and arm64 are
   * two apt configurations, so the apt lists pool (keyed by /etc/apt) keeps their lists apart.
   */
  static String sourceLine(RepoSpec repo, String architecture) {
    String options = "arch=" + architecture + (repo.skipsSignatureChecks() ? " trusted=yes"
        : repo.keyring() != null ? " signed-by=" + keyringInImage(repo) : "");
    return "deb [" + options + "] " + repo.uri() + " " + repo.suite() + " " + repo.section() + "\n";
  }

  static String preferences(RepoSpec repo, ReleaseFile release) {
    var text = new StringBuilder();
    for (String component : repo.section().split(" ")) {
      text.append("Package: *\n")
          .append("Pin: release ").append(release.pinCondition(component)).append("\n")
          .append("Pin-Priority: ").append(repo.priority()).append("\n\n");
    }
    return text.toString();
  }

  /** The repo's Release file. */
  static ReleaseFile release(RepoSpec repo, Proxies proxies) {
    return ReleaseFile.parse(new String(RepositoryFiles.fetch(repo.uri(), repo.suite(), "Release", proxies),
        java.nio.charset.StandardCharsets.UTF_8));
  }

  /** http_proxy/https_proxy/no_proxy for debootstrap, which reads them from its environment. */
  public static Map<String, String> proxyEnvironment(Proxies proxies) {
    var env = new java.util.HashMap<String, String>();
    if (proxies != null && proxies.protocols() != null) {
      proxies.protocols().forEach((protocol, proxy) -> env.put(protocol + "_proxy", proxy));
      if (proxies.directRepoAddrList() != null && !proxies.directRepoAddrList().isEmpty()) {
        env.put("no_proxy", String.join(",", proxies.directRepoAddrList()));
      }
    }
    return env;
  }
}
