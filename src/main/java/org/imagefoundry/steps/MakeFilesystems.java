package org.imagefoundry.steps;

import java.util.List;
import org.imagefoundry.host.Filesystems;
import org.imagefoundry.host.LoopDevices;
import org.imagefoundry.spec.BuildSpec.Image;
import org.springframework.stereotype.Component;

/** mkfs on each loop device, checked with blkid, with the journal off for the rest of the build. */
@Component
public class MakeFilesystems extends BuildStep {

  private final LoopDevices loopDevices;
  private final Filesystems filesystems;

  public MakeFilesystems(StepSupport support, LoopDevices loopDevices, Filesystems filesystems) {
    super(support);
    this.loopDevices = loopDevices;
    this.filesystems = filesystems;
  }

  @Override
  protected void run(Build build) {
    for (Image image : build.spec().images()) {
      String device = loopDevices.attach(build.workspace().imageFile(image.index()));
      String format = image.spec().format();
      List<String> options = image.spec().options() == null ? List.of() : image.spec().options();
      filesystems.make(device, format, options, image.spec().label());
      String found = filesystems.probe(device);
      if (!format.equals(found)) {
        throw new IllegalStateException("blkid finds " + (found.isEmpty() ? "no filesystem" : found)
            + " on " + device + " after mkfs." + format);
      }
      filesystems.disableJournal(device, format);
    }
  }
}
