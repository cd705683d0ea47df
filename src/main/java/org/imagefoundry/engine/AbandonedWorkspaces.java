package org.imagefoundry.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.history.HistoricVariableInstance;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.imagefoundry.host.BuildResources;
import org.imagefoundry.host.Workspaces;
import org.imagefoundry.process.BuildProcess;
import org.imagefoundry.process.BuildVariables;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.spec.BuildRequests;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Releases the workspace of a build whose process no longer runs: one an operator deleted in Cockpit
 * (which skips compensation), or one removed from the database by hand; and what a build evacuated
 * from this node left here, unless this node has claimed that build again. Found by name in this
 * node's build root, like everything a build holds. Once at start, after the engine is built and before
 * its job executor runs or this node claims a build, then every minute.
 */
@Component
public class AbandonedWorkspaces extends AbstractProcessEnginePlugin {

  private static final Logger LOG = LoggerFactory.getLogger(AbandonedWorkspaces.class);

  private final FoundrySettings settings;
  private final NodeIdentity node;
  private final Workspaces workspaces;
  private final BuildResources resources;
  private volatile ProcessEngine engine;

  public AbandonedWorkspaces(FoundrySettings settings, NodeIdentity node, Workspaces workspaces,
      BuildResources resources) {
    this.settings = settings;
    this.node = node;
    this.workspaces = workspaces;
    this.resources = resources;
  }

  @Override
  public void postProcessEngineBuild(ProcessEngine processEngine) {
    this.engine = processEngine;
    release();
  }

  @Scheduled(fixedDelayString = "PT1M", initialDelayString = "PT1M")
  public void release() {
    Path root = settings.buildRoot();
    if (engine == null || !Files.isDirectory(root)) {
      return;
    }
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path dir : dirs.filter(Files::isDirectory).filter(AbandonedWorkspaces::isBuildId).toList()) {
        String buildId = dir.getFileName().toString();
        ProcessInstance running = engine.getRuntimeService().createProcessInstanceQuery()
            .processInstanceBusinessKey(buildId).singleResult();
        if (running == null) {
          releaseAbandoned(buildId, output(buildId));
        } else if (evacuatedFromHere(running)) {
          releaseAbandoned(buildId, null); // its outputs are the new node's business now
        }
      }
    } catch (IOException e) {
      LOG.warn("could not list {}: {}", root, e.getMessage());
    }
  }

  /** Evacuated from this node, and not claimed by it again since. */
  private boolean evacuatedFromHere(ProcessInstance build) {
    var variables = BuildVariables.of(engine.getRuntimeService(), build.getId());
    return variables.evacuatedFrom().contains(node.name()) && !variables.node().equals(Optional.of(node.name()));
  }

  /** Build ids are UUIDs; anything else in the build root is not a workspace. */
  static boolean isBuildId(Path dir) {
    return dir.getFileName().toString().matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  }

  private void releaseAbandoned(String buildId, Path output) {
    MDC.put(org.imagefoundry.host.BuildLog.BUILD_ID, buildId);
    try {
      LOG.warn("build {} no longer runs here but left its workspace on node {}: releasing it", buildId, node.name());
      resources.release(workspaces.of(buildId), output);
    } catch (RuntimeException e) {
      LOG.warn("could not release the workspace of build {} yet: {}", buildId, e.getMessage());
    } finally {
      MDC.remove(org.imagefoundry.host.BuildLog.BUILD_ID);
    }
  }

  private Path output(String buildId) {
    var history = engine.getHistoryService();
    var instance = history.createHistoricProcessInstanceQuery().processDefinitionKey(BuildProcess.KEY)
        .processInstanceBusinessKey(buildId).singleResult();
    if (instance == null) {
      return null;
    }
    HistoricVariableInstance request = history.createHistoricVariableInstanceQuery()
        .processInstanceId(instance.getId()).variableName(BuildVariables.REQUEST).singleResult();
    if (request == null || request.getValue() == null) {
      return null;
    }
    String json = BuildVariables.of(Map.of(BuildVariables.REQUEST, request.getValue())).request();
    return Path.of(BuildRequests.fromJson(json).output());
  }
}
