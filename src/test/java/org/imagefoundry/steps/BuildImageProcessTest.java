package org.imagefoundry.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.init;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests;
import org.imagefoundry.builds.BuildService;
import org.imagefoundry.host.Workspace;
import org.imagefoundry.host.Workspaces;
import org.imagefoundry.metadata.MetadataFiles;
import org.imagefoundry.process.BuildVariables;
import org.imagefoundry.settings.FoundrySettings;
import org.imagefoundry.testing.FakeHost;
import org.imagefoundry.testing.ProcessDriver;
import org.imagefoundry.testing.ProcessTest;
import org.imagefoundry.testing.Requests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The build's happy path and skip path, job by job, with the real steps against a fake host: what the
 * steps do and which way their variables send the build. The order of the tasks on each path is
 * processes/BuildProcessFlowTest's, on the engine alone.
 */
@ProcessTest
class BuildImageProcessTest {

  static final org.imagefoundry.users.Caller ADMIN = new org.imagefoundry.users.Caller("admin", true);

  static final List<String> PHASES = List.of("checkExistingImages", "createChroot", "createSparseFiles",
      "attachLoopDevices", "makeFilesystems", "mountTarget", "debootstrap", "configureApt", "mountPseudoFilesystems",
      "installPackages", "listPackages", "storePackageLayer", "postInstall", "stopChrootProcesses", "unmount",
      "detachLoopDevices", "shrinkImages", "storeImages", "containerize", "writeSbom", "writeMetadata", "sweep");

  @Autowired ProcessEngine engine;

  @Autowired org.imagefoundry.engine.SlotClaims slotClaims;
  @Autowired BuildService builds;
  @Autowired FakeHost host;
  @Autowired FoundrySettings settings;
  @Autowired Workspaces workspaces;
  @Autowired org.imagefoundry.builds.BuildQueries queries;

  ProcessDriver driver;

  @BeforeEach
  void setUp() throws Exception {
    init(engine);
    host.reset();
    driver = new ProcessDriver(engine, slotClaims);
    Requests.clean(settings);
  }

  @AfterEach
  void resetClock() {
    ProcessDriver.resetClock();
  }

  /** The two images with a kernel among the packages and {@code disk} as the request's disk. */
  String diskRequest(String disk) {
    return Requests.twoImages(settings).replace("\"packages\": [\"less\"]",
        "\"packages\": [\"less\", \"linux-image-amd64\"], \"disk\": " + disk);
  }

  ProcessInstance start(String request) {
    String id = builds.start(request, ADMIN);
    return engine.getRuntimeService().createProcessInstanceQuery().processInstanceBusinessKey(id).singleResult();
  }

  @Test
  void happyPathRunsEveryPhaseInOrderAndPublishesImagesAndMetadata() throws Exception {
    ProcessInstance build = start(Requests.twoImages(settings));

    driver.run(build);

    BpmnAwareTests.assertThat(build).isEnded();
    assertThat(driver.activities(build)).contains("succeeded").doesNotContain("skipped", "failed", "cancelled");
    Path output = settings.allowedOutputRoots().get(0);
    assertThat(output.resolve("root.img.gz")).exists();
    assertThat(output.resolve("var.img.zst")).exists();
    var metadata = MetadataFiles.read(output.resolve("root.yaml")).orElseThrow();
    assertThat(metadata.images()).extracting(m -> m.containerName()).containsExactly("root.img.gz", "var.img.zst");
    assertThat(metadata.os().name()).isEqualTo("Debian");
    assertThat(metadata.os().major()).isEqualTo(12);
    assertThat(metadata.packages()).containsExactly("less");
    assertThat(host.commands("mmdebstrap")).hasSize(1);
    assertThat(host.commands("mmdebstrap").get(0)).contains("--variant=minbase",
        "--keyring=/usr/share/keyrings/debian-archive-keyring.gpg", "bookworm", "http://127.0.0.1:9/debian");
    // built in memory, then copied into the chroot
    Path workspace = settings.buildRoot().resolve(metadata.buildId());
    String scratch = workspace.resolve("bootstrap").toString();
    assertThat(host.commands("mmdebstrap").get(0)).contains(scratch);
    assertThat(host.commands("mount")).contains(
        List.of("mount", "-t", "tmpfs", "-o", "size=" + (9L << 30) + ",mode=0755", "tmpfs", scratch));
    assertThat(host.commands("cp")).contains(
        List.of("cp", "--archive", "--no-target-directory", "--", scratch, workspace.resolve("root").toString()));
    assertThat(host.commands("umount")).contains(List.of("umount", scratch));
    assertThat(host.commands("mkfs.ext4")).hasSize(2);
    // the images' ext4 filesystems without write barriers while they are built
    assertThat(host.commands("mount")).filteredOn(c -> c.contains("ext4"))
        .isNotEmpty().allMatch(c -> c.subList(3, 5).equals(List.of("-o", "nobarrier")));
    assertThat(host.loopDevices()).isEmpty();
    assertThat(host.mountPoints()).isEmpty();
    assertThat(settings.buildRoot().resolve(metadata.buildId())).doesNotExist();
    BpmnAwareTests.assertThat(build).hasNotPassed("partitionDisk");
    assertThat(metadata.disk()).isNull();
    assertThat(metadata.sbom()).isEqualTo("root.spdx.json");
    assertThat(output.resolve("root.spdx.json")).exists();
  }

  @Test
  void aDiskRequestTakesTheDiskTasksAndPublishesTheDiskWithItsLayoutInTheMetadata() throws Exception {
    String request = diskRequest("""
        {"name": "disk.qcow2", "format": "qcow2", "swap": {"size": "128M"}}""");
    ProcessInstance build = start(request);

    driver.run(build);

    BpmnAwareTests.assertThat(build).isEnded().hasPassed("partitionDisk", "succeeded");
    Path output = settings.allowedOutputRoots().get(0);
    var metadata = MetadataFiles.read(output.resolve("root.yaml")).orElseThrow();
    assertThat(metadata.disk().name()).isEqualTo("disk.qcow2");
    assertThat(metadata.disk().partitionTable()).isEqualTo("gpt");
    String disk = host.commands("grub-install").get(0).get(host.commands("grub-install").get(0).size() - 1);
    String loop = disk.substring("/dev/".length());
    assertThat(metadata.disk().partitions()).extracting(p -> p.role() + " " + p.mount() + " " + p.uuid()).containsExactly(
        "bios_boot null null", "filesystem / uuid-" + loop + "p2", "filesystem /var uuid-" + loop + "p3",
        "swap null uuid-" + loop + "p4");
    assertThat(output.resolve("disk.qcow2")).exists();
    assertThat(host.commands("sfdisk")).hasSize(1);
    assertThat(host.commands("grub-install").get(0)).contains("--target=i386-pc");
    assertThat(host.commands("qemu-img").get(0)).contains("-O", "qcow2");
    assertThat(host.commands("resize2fs")).filteredOn(c -> !c.contains("-M")).hasSize(2); // grown onto the partitions
    assertThat(host.commands("mkswap")).containsExactly(List.of("mkswap", disk + "p4"));
    assertThat(host.loopDevices()).isEmpty();
    assertThat(host.mountPoints()).isEmpty();
  }

  @Test
  void aDiskBootingBothGetsAnEfiSystemPartitionWithGrubsEfiImageAndGrubForBios() throws Exception {
    String request = diskRequest("""
        {"name": "disk.qcow2", "format": "qcow2", "boot": "both", "swap": {"size": "128M"}}""");
    ProcessInstance build = start(request);
    driver.runUntil(build, "releaseDisk");
    Path diskRoot = workspaces.of(build.getBusinessKey()).diskRoot();
    assertThat(Files.readString(diskRoot.resolve("etc/fstab"))).contains(" /boot/efi vfat umask=0077 0 2\n");
    assertThat(diskRoot.resolve("boot/efi")).isDirectory();
    assertThat(Files.readString(diskRoot.resolve("boot/grub/grub.cfg"))).contains("linux /boot/vmlinuz-6.1.0-test-amd64");

    driver.run(build);

    BpmnAwareTests.assertThat(build).isEnded().hasPassed("partitionDisk", "succeeded");
    var metadata = MetadataFiles.read(settings.allowedOutputRoots().get(0).resolve("root.yaml")).orElseThrow();
    assertThat(metadata.disk().boot()).isEqualTo("both");
    List<String> grubBios = host.commands("grub-install").get(0);
    String disk = grubBios.get(grubBios.size() - 1);
    String loop = disk.substring("/dev/".length());
    assertThat(metadata.disk().partitions()).extracting(p -> p.role() + " " + p.mount() + " " + p.filesystem() + " " + p.uuid())
        .containsExactly("bios_boot null null null", "efi_system /boot/efi vfat uuid-" + loop + "p2",
            "filesystem / ext4 uuid-" + loop + "p3", "filesystem /var ext4 uuid-" + loop + "p4",
            "swap null null uuid-" + loop + "p5");
    assertThat(host.commands("mkfs.vfat")).containsExactly(List.of("mkfs.vfat", "-F", "32", "-n", "EFI", disk + "p2"));
    assertThat(host.commands("mount")).noneMatch(c -> c.contains("vfat")); // written by mtools, never mounted
    assertThat(grubBios).contains("--target=i386-pc");
    Path files = workspaces.of(build.getBusinessKey()).efiSystemFiles();
    assertThat(host.commands("grub-mkimage")).singleElement().satisfies(c -> assertThat(c).contains("--format=x86_64-efi",
        "--output=" + files.resolve("EFI/BOOT/BOOTX64.EFI"), "--prefix=/boot/grub"));
    assertThat(host.commands("mcopy")).containsExactly(
        List.of("mcopy", "-i", disk + "p2", "-s", "-o", "-Q", files.resolve("EFI").toString(), "::/"));
    assertThat(host.loopDevices()).isEmpty();
    assertThat(host.mountPoints()).isEmpty();
  }

  @Test
  void aUefiDiskGetsNoBiosBootPartitionAndNoGrubForBios() throws Exception {
    String request = diskRequest("""
        {"name": "disk.img", "format": "raw", "partition_table": "msdos", "boot": "uefi"}""");
    ProcessInstance build = start(request);

    driver.run(build);

    BpmnAwareTests.assertThat(build).isEnded().hasPassed("installBootloader", "succeeded");
    var metadata = MetadataFiles.read(settings.allowedOutputRoots().get(0).resolve("root.yaml")).orElseThrow();
    assertThat(metadata.disk().partitions()).extracting(p -> p.role() + " " + p.mount())
        .containsExactly("efi_system /boot/efi", "filesystem /", "filesystem /var");
    assertThat(host.commands("grub-install")).isEmpty();
    assertThat(host.commands("grub-mkimage")).hasSize(1);
    assertThat(host.commands("mcopy")).singleElement().satisfies(c -> assertThat(c.get(2)).endsWith("p1"));
    assertThat(host.mountPoints()).isEmpty();
  }

  @Test
  void aFailingUefiGrubWaitsInIncidentAndACancelReleasesEverything() {
    host.failOn(List.of("grub-mkimage"), 1, 100, "grub-mkimage: error: the test's doing");
    String request = diskRequest("""
        {"name": "disk.qcow2", "format": "qcow2", "boot": "uefi"}""");
    ProcessInstance build = start(request);

    driver.run(build);

    var view = queries.find(build.getBusinessKey()).orElseThrow();
    assertThat(view.state()).isEqualTo(org.imagefoundry.builds.BuildState.INCIDENT);
    assertThat(view.phase()).isEqualTo("installBootloader");
    assertThat(host.mountPoints()).contains(workspaces.of(build.getBusinessKey()).diskRoot());

    builds.cancel(build.getBusinessKey(), "cancelled by a test");
    driver.run(build);

    BpmnAwareTests.assertThat(build).isEnded().hasPassed("cancelled");
    assertThat(host.mountPoints()).isEmpty();
    assertThat(host.loopDevices()).isEmpty();
    assertThat(settings.buildRoot().resolve(build.getBusinessKey())).doesNotExist();
  }

  @Test
  void identicalRequestIsSkippedWhenItsImagesAndMetadataExist() {
    ProcessInstance first = start(Requests.twoImages(settings));
    driver.run(first);
    host.reset();

    ProcessInstance second = start(Requests.twoImages(settings));
    driver.run(second);

    BpmnAwareTests.assertThat(second).isEnded().hasPassed("checkExistingImages", "skipped").hasNotPassed("createChroot");
    assertThat(host.commands()).isEmpty();
  }

  @Test
  void changedRequestIsBuiltAgainAlthoughItsFilesExist() {
    ProcessInstance first = start(Requests.twoImages(settings));
    driver.run(first);

    ProcessInstance second = start(Requests.twoImages(settings).replace("\"less\"", "\"less\", \"vim-tiny\""));
    driver.run(second);

    BpmnAwareTests.assertThat(second).isEnded().hasPassed("createChroot", "succeeded").hasNotPassed("skipped");
  }

  @Test
  void packagesFromThePackageLayerCacheSkipInstallingListingAndStoringPackages() {
    ProcessInstance build = start(Requests.twoImages(settings));
    driver.runUntil(build, "mountPseudoFilesystems");
    // as debootstrap sets it when it unpacked the package layer
    engine.getRuntimeService().setVariable(build.getId(), BuildVariables.PACKAGES_FROM_CACHE, true);
    engine.getRuntimeService().setVariable(build.getId(), BuildVariables.INSTALLED_PACKAGES,
        Build.json("[{\"name\":\"less\",\"version\":\"590-2\",\"architecture\":\"amd64\",\"source\":\"less\"}]"));

    driver.run(build);

    BpmnAwareTests.assertThat(build).isEnded().hasPassed("succeeded");
    // the bill of materials is the one recorded with the layer
    var metadata = MetadataFiles.read(settings.allowedOutputRoots().get(0).resolve("root.yaml")).orElseThrow();
    assertThat(metadata.installedPackages()).extracting(p -> p.name() + " " + p.version()).containsExactly("less 590-2");
    assertThat(host.commands()).noneMatch(command -> command.contains("update") || command.contains("dist-upgrade"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"debootstrap", "configureApt", "mountPseudoFilesystems", "installPackages", "postInstall",
      "stopChrootProcesses"})
  void aStepAfterARestartFindsNothingMountedAndMountsItAgainOnTheLoopDevicesStillAttached(String phase) {
    ProcessInstance build = start(Requests.twoImages(settings));
    driver.runUntil(build, phase);
    Workspace workspace = workspaces.of(build.getBusinessKey());
    var attached = host.loopDevices();
    host.forgetMounts();

    driver.step(build);

    BpmnAwareTests.assertThat(build).hasPassed(phase);
    assertThat(host.mountPoints()).contains(workspace.root(), workspace.root().resolve("var"));
    boolean pseudo = PHASES.indexOf(phase) >= PHASES.indexOf("mountPseudoFilesystems");
    assertThat(host.mountPoints().contains(workspace.root().resolve("proc"))).isEqualTo(pseudo);
    assertThat(host.mountPoints().contains(workspace.root().resolve("var/cache/apt/archives"))).isEqualTo(pseudo);
    assertThat(host.loopDevices()).isEqualTo(attached);
    driver.run(build);
    BpmnAwareTests.assertThat(build).isEnded().hasPassed("succeeded");
    assertThat(host.mountPoints()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"findKernel", "installBootloader"})
  void aDiskStepAfterARestartFindsTheDisksFilesystemsUnmountedAndMountsThemAgainOnItsLoopDevice(String phase) {
    String request = diskRequest("""
        {"name": "disk.qcow2", "format": "qcow2", "swap": {"size": "128M"}}""");
    ProcessInstance build = start(request);
    driver.runUntil(build, phase);
    Path diskRoot = workspaces.of(build.getBusinessKey()).diskRoot();
    assertThat(host.mountPoints()).contains(diskRoot, diskRoot.resolve("var"));
    var attached = host.loopDevices();
    host.forgetMounts();

    driver.step(build);

    BpmnAwareTests.assertThat(build).hasPassed(phase);
    assertThat(host.mountPoints()).containsExactly(diskRoot, diskRoot.resolve("var"));
    assertThat(host.loopDevices()).isEqualTo(attached);
    driver.run(build);
    BpmnAwareTests.assertThat(build).isEnded().hasPassed("succeeded");
    assertThat(host.mountPoints()).isEmpty();
  }
}
