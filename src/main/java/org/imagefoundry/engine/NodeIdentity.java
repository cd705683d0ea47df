package org.imagefoundry.engine;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.imagefoundry.FoundrySettings;
import org.springframework.stereotype.Component;

/** This node's stable name: the job executor's lock owner, the same across restarts. */
@Component
public class NodeIdentity {

  private final String name;

  public NodeIdentity(FoundrySettings settings) {
    this.name = settings.nodeName() != null && !settings.nodeName().isBlank() ? settings.nodeName() : hostName();
  }

  public String name() {
    return name;
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return System.getenv().getOrDefault("HOSTNAME", "image-foundry");
    }
  }
}
