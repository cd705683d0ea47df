package org.imagefoundry.engine;

import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.imagefoundry.host.ChrootProcesses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Before the process engine (and so its job executor) exists, kills the commands this node's previous
 * life left running: only those tagged with this node's name, so nodes sharing a host never kill each
 * other's builds.
 */
@Component
public class OrphanedCommands extends AbstractProcessEnginePlugin {

  private static final Logger LOG = LoggerFactory.getLogger(OrphanedCommands.class);

  private final NodeIdentity node;

  public OrphanedCommands(NodeIdentity node) {
    this.node = node;
  }

  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    int orphans = ChrootProcesses.stopOrphans(node.name());
    if (orphans > 0) {
      LOG.warn("killed {} command(s) a previous run of this node ({}) left behind", orphans, node.name());
    }
  }
}
