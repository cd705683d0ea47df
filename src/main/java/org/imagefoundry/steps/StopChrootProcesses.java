package org.imagefoundry.steps;

import org.imagefoundry.host.BuildLog;
import org.imagefoundry.host.ChrootProcesses;
import org.springframework.stereotype.Component;

/**
 * Makes sure no process runs in the chroot before unmount: daemons left running are the usual cause of
 * "umount: target is busy". The stopping itself (up to ten rounds of SIGTERM, then SIGKILL) is what
 * {@link BuildStep} does before every step, this one's included; this step then mounts again what a
 * restart lost and fails, to be retried, while a process survived.
 */
@Component
public class StopChrootProcesses extends BuildStep {

  private final ChrootProcesses processes;
  private final ChrootMounts chrootMounts;

  public StopChrootProcesses(StepSupport support, ChrootMounts chrootMounts) {
    super(support);
    this.processes = support.processes();
    this.chrootMounts = chrootMounts;
  }

  @Override
  protected void run(Build build) {
    // the tree as unmount expects it, whether or not the service was restarted since postInstall
    chrootMounts.remountAll(build);
    int left = processes.find(build.workspace()).size();
    if (left > 0) {
      throw new IllegalStateException(left + " process(es) of the chroot survived SIGKILL");
    }
    BuildLog.info("no process runs in the chroot");
  }
}
