package org.imagefoundry.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.history.HistoricVariableInstance;
import org.imagefoundry.FoundrySettings;
import org.imagefoundry.api.BuildService;
import org.imagefoundry.host.BuildResources;
import org.imagefoundry.host.Workspaces;
import org.imagefoundry.spec.BuildRequests;
import org.imagefoundry.steps.BuildVariables;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Releases the workspace of a build whose process no longer runs: one an operator deleted in Cockpit
 * (which skips compensation), or one removed from the database by hand. Found by name in the build
 * root, like everything a build holds.
 */
@Component
public class AbandonedWorkspaces {

  private static final Logger LOG = LoggerFactory.getLogger(AbandonedWorkspaces.class);

  private final FoundrySettings settings;
  private final RuntimeService runtime;
  private final HistoryService history;
  private final Workspaces workspaces;
  private final BuildResources resources;

  public AbandonedWorkspaces(FoundrySettings settings, RuntimeService runtime, HistoryService history,
      Workspaces workspaces, BuildResources resources) {
    this.settings = settings;
    this.runtime = runtime;
    this.history = history;
    this.workspaces = workspaces;
    this.resources = resources;
  }

  @Scheduled(fixedDelayString = "PT1M", initialDelayString = "PT1M")
  public void release() {
    Path root = settings.buildRoot();
    if (!Files.isDirectory(root)) {
      return;
    }
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path dir : dirs.filter(Files::isDirectory).filter(AbandonedWorkspaces::isBuildId).toList()) {
        String buildId = dir.getFileName().toString();
        if (runtime.createProcessInstanceQuery().processInstanceBusinessKey(buildId).count() == 0) {
          releaseAbandoned(buildId);
        }
      }
    } catch (IOException e) {
      LOG.warn("could not list {}: {}", root, e.getMessage());
    }
  }

  /** Build ids are UUIDs; anything else in the build root is not a workspace. */
  static boolean isBuildId(Path dir) {
    return dir.getFileName().toString().matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  }

  private void releaseAbandoned(String buildId) {
    MDC.put(org.imagefoundry.host.BuildLog.BUILD_ID, buildId);
    try {
      LOG.warn("build {} no longer runs but left its workspace: releasing it", buildId);
      resources.release(workspaces.of(buildId), output(buildId));
    } catch (RuntimeException e) {
      LOG.warn("could not release the workspace of build {} yet: {}", buildId, e.getMessage());
    } finally {
      MDC.remove(org.imagefoundry.host.BuildLog.BUILD_ID);
    }
  }

  private Path output(String buildId) {
    var instance = history.createHistoricProcessInstanceQuery().processDefinitionKey(BuildService.PROCESS_KEY)
        .processInstanceBusinessKey(buildId).singleResult();
    if (instance == null) {
      return null;
    }
    HistoricVariableInstance request = history.createHistoricVariableInstanceQuery()
        .processInstanceId(instance.getId()).variableName(BuildVariables.REQUEST).singleResult();
    return request == null || request.getValue() == null ? null
        : Path.of(BuildRequests.fromJson(request.getValue().toString()).output());
  }
}
