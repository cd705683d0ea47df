package org.imagefoundry.steps;

import org.imagefoundry.host.ChrootProcesses;
import org.imagefoundry.host.Workspaces;
import org.springframework.stereotype.Component;

/** The two things every step needs besides its own tools. */
@Component
public record StepSupport(Workspaces workspaces, ChrootProcesses processes) {}
