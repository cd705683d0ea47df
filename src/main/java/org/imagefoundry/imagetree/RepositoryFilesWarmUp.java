package org.imagefoundry.imagetree;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Makes the repositories' client once the service has started, beside its first requests, so that the
 * first build's {@code checkExistingImages} does not wait for Java's TLS trust store (0.4-0.7 s here).
 */
@Component
public class RepositoryFilesWarmUp {

  @EventListener(ApplicationReadyEvent.class)
  public void warmUp() {
    Thread thread = new Thread(RepositoryFiles::warmUp, "repository-files-warm-up");
    thread.setDaemon(true);
    thread.start();
  }
}
