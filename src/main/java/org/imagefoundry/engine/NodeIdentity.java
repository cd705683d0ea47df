package org.imagefoundry.engine;

import org.imagefoundry.settings.FoundrySettings;
import org.springframework.stereotype.Component;

/**
 * This node's stable name ({@code image-foundry.node-name}, or the host name): the job executor's lock
 * owner, the engine's host name in the history job log, the tag on its commands, the {@code node} of
 * the builds it carries out. The same across restarts.
 */
@Component
public class NodeIdentity {

  private final String name;

  public NodeIdentity(FoundrySettings settings) {
    this.name = settings.node();
  }

  public String name() {
    return name;
  }
}
