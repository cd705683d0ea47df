package org.imagefoundry.imagetree;

import java.util.HashMap;
import java.util.Map;
import org.imagefoundry.spec.BuildSpec.Proxies;

/**
 * Repos' Release files as they answer now, each fetched once for one lookup: a build's base-tree and
 * package-layer keys both ask the base suite for its InRelease (about 150 KB, 60–90 ms here each time).
 * Make one per lookup, never keep it: a later lookup must see what the repos answer then.
 */
public final class ReleaseFiles {

  private final Proxies proxies;
  private final Map<String, byte[]> fetched = new HashMap<>();

  public ReleaseFiles(Proxies proxies) {
    this.proxies = proxies;
  }

  /** {@code <uri>/dists/<suite>/<name>}, fetched the first time this lookup asks for it. */
  public byte[] fetch(String repoUri, String suite, String name) {
    String key = repoUri.replaceAll("/+$", "") + " " + suite + " " + name;
    byte[] content = fetched.get(key);
    if (content == null) {
      content = RepositoryFiles.fetch(repoUri, suite, name, proxies);
      fetched.put(key, content);
    }
    return content;
  }
}
