package org.imagefoundry.steps;

import org.imagefoundry.host.ChrootProcesses;
import org.imagefoundry.host.FreeSpace;
import org.imagefoundry.host.Workspaces;
import org.imagefoundry.metrics.BuildMetrics;
import org.imagefoundry.spec.VariableCheck;
import org.springframework.stereotype.Component;

/** What every step needs besides its own tools. */
@Component
public record StepSupport(Workspaces workspaces, ChrootProcesses processes, FreeSpace freeSpace, BuildMetrics metrics,
    VariableCheck variables) {}
