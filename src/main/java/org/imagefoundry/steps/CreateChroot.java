package org.imagefoundry.steps;

import org.springframework.stereotype.Component;

/** Makes the build's workspace: the chroot directory and the directory of its image files. */
@Component
public class CreateChroot extends BuildStep {

  private final org.imagefoundry.host.Workspaces workspaces;

  public CreateChroot(StepSupport support) {
    super(support);
    this.workspaces = support.workspaces();
  }

  @Override
  protected void run(Build build) {
    workspaces.create(build.workspace());
  }
}
