package org.imagefoundry.engine;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * The jobs this node's job executor has taken on and not yet finished: handed to its thread pool,
 * executing, or queued behind another job of the same build. A lock this node holds on any other job
 * belongs to nobody (see {@link JobLocks}).
 */
@Component
public class RunningJobs {

  private final Set<String> ids = ConcurrentHashMap.newKeySet();

  void add(Collection<String> jobIds) {
    ids.addAll(jobIds);
  }

  void remove(Collection<String> jobIds) {
    ids.removeAll(jobIds);
  }

  public boolean contains(String jobId) {
    return ids.contains(jobId);
  }

  public int count() {
    return ids.size();
  }
}
