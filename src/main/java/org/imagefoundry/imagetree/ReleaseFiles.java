package org.imagefoundry.imagetree;

import java.util.HashMap;
import java.util.Map;
import org.imagefoundry.spec.BuildSpec.Proxies;

/**
 * Repos' Release files as they answer now, each fetched once for one lookup: a build's base-tree and
 * package-layer keys both ask the base suite for its InRelease (about 150 KB, 60–100 ms here each time).
 * Make one per lookup, never keep it: a later lookup sees what the repos answer then, or what this node
 * fetched within the {@link RecentReleases}' max age.
 */
public final class ReleaseFiles {

  private final Proxies proxies;
  private final RecentReleases recent;
  private final Map<String, byte[]> fetched = new HashMap<>();

  /** A lookup that asks the repos whatever was fetched before it. */
  public ReleaseFiles(Proxies proxies) {
    this(proxies, RecentReleases.none());
  }

  public ReleaseFiles(Proxies proxies, RecentReleases recent) {
    this.proxies = proxies;
    this.recent = recent;
  }

  /** {@code <uri>/dists/<suite>/<name>}, fetched the first time this lookup asks for it. */
  public byte[] fetch(String repoUri, String suite, String name) {
    String key = repoUri.replaceAll("/+$", "") + " " + suite + " " + name;
    byte[] content = fetched.get(key);
    if (content == null) {
      content = recent.get(key + " through " + proxies, () -> RepositoryFiles.fetch(repoUri, suite, name, proxies));
      fetched.put(key, content);
    }
    return content;
  }
}
