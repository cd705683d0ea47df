package org.imagefoundry.host;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.slf4j.MDC;
import org.springframework.stereotype.Component;

/**
 * Work a build runs beside its later steps, on a thread of its own, logging into the build's log: the
 * base tree stored from the bootstrap's tmpfs while apt runs, say. Its commands are tagged apart
 * ({@link BuildLog#processTag}), so the next step does not kill them as the build's leftovers, and run at
 * a lower priority than the steps'. Nothing waits for it but whoever must: {@link #await} before the
 * build's resources are released, or before a step that would pull the ground from under it runs again.
 * Such work is best effort (a cache's fill): its failure is logged, never the build's. A crash ends it
 * with the service; what it held is under the build's workspace, which the sweep releases.
 */
@Component
public class BesideTasks {

  private final Map<String, List<FutureTask<Void>>> running = new ConcurrentHashMap<>();

  /** Starts {@code task} for build {@code buildId} on a thread of its own. */
  public void start(String buildId, Runnable task) {
    FutureTask<Void> future = new FutureTask<>(BuildLog.withContext(() -> {
      MDC.put(BuildLog.BESIDE, "true");
      task.run();
    }), null);
    running.computeIfAbsent(buildId, id -> new ArrayList<>()).add(future);
    Thread thread = new Thread(future, "beside " + buildId);
    thread.setDaemon(true);
    thread.start();
  }

  /** Waits until every task of {@code buildId} has ended; a task's failure is logged, not thrown. */
  public void await(String buildId) {
    List<FutureTask<Void>> tasks = running.remove(buildId);
    if (tasks == null) {
      return;
    }
    for (FutureTask<Void> task : tasks) {
      try {
        task.get();
      } catch (ExecutionException e) {
        BuildLog.warn("work beside the build failed: {}", String.valueOf(e.getCause().getMessage()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the work beside build " + buildId, e);
      }
    }
  }
}
