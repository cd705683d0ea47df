package org.imagefoundry.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The liveness proof against fake /proc and /sys trees laid out as the kernel lays them out, and against the real ones. */
class LiveFilesystemsTest {

  static final Path IMAGE = Path.of("/build/b1/images/0.img");

  @TempDir Path dir;
  Path proc;
  Path sys;

  @BeforeEach
  void emptyHost() throws IOException {
    proc = Files.createDirectories(dir.resolve("proc"));
    sys = dir.resolve("sys");
    Files.createDirectories(sys.resolve("block"));
    Files.createDirectories(sys.resolve("fs/ext4"));
    Files.createDirectories(sys.resolve("fs/xfs"));
    process(1, "/sbin/init", "1 0 254:1 / / rw,relatime shared:1 - ext4 /dev/vda rw");
  }

  LiveFilesystems live(Duration wait) {
    return new LiveFilesystems(proc, sys, wait);
  }

  void loop(int n, Path backingFile, boolean autoclear) throws IOException {
    Path block = Files.createDirectories(sys.resolve("block/loop" + n));
    Files.writeString(block.resolve("dev"), "7:" + n + "\n");
    if (backingFile != null) {
      Files.createDirectories(block.resolve("loop"));
      Files.writeString(block.resolve("loop/backing_file"), backingFile + "\n");
      Files.writeString(block.resolve("loop/autoclear"), (autoclear ? "1" : "0") + "\n");
    }
  }

  void process(long pid, String cmdline, String... mountinfo) throws IOException {
    Path p = Files.createDirectories(proc.resolve(Long.toString(pid)));
    Files.writeString(p.resolve("cmdline"), cmdline.replace(' ', '\0') + "\0");
    Files.writeString(p.resolve("mountinfo"), String.join("\n", mountinfo) + "\n");
  }

  static String mountOf(int loop, String mountPoint) {
    return "812 811 7:" + loop + " / " + mountPoint + " rw,relatime - ext4 /dev/loop" + loop + " rw";
  }

  @Test
  void aFilesystemWhoseLoopDeviceIsUnboundIsDeadAndTheWaitReturnsAtOnce() throws IOException {
    loop(3, null, false);
    Files.createDirectories(sys.resolve("fs/ext4/loop3")); // another build's filesystem on a reused device name

    assertThat(live(Duration.ofMinutes(5)).find(List.of(IMAGE))).isEmpty();
    live(Duration.ofMinutes(5)).awaitDead(List.of(IMAGE));
  }

  @Test
  void aDeviceStillBoundToTheImageNamesTheProcessesWhoseNamespaceMountsItAndItsSysfsEntry() throws IOException {
    loop(3, IMAGE, true);
    loop(4, Path.of("/build/b2/images/0.img"), false);
    Files.createDirectories(sys.resolve("fs/ext4/loop3"));
    process(4242, "unshare --mount sleep 100", mountOf(3, "/build/b1/root"), mountOf(4, "/build/b2/root"));
    process(4300, "sleep 100", mountOf(4, "/build/b2/root"));

    var alive = live(Duration.ofMinutes(5)).find(List.of(IMAGE, Path.of("/build/b1/images/1.img")));

    assertThat(alive).singleElement().satisfies(a -> {
      assertThat(a.device()).isEqualTo("loop3");
      assertThat(a.majorMinor()).isEqualTo("7:3");
      assertThat(a.autoclear()).isTrue();
      assertThat(a.holders()).containsExactly(new LiveFilesystems.Holder(4242, "unshare --mount sleep 100"));
      assertThat(a.sysfsEntries()).containsExactly(sys.resolve("fs/ext4/loop3"));
      assertThat(a.describe()).contains("/build/b1/images/0.img is still bound to /dev/loop3 (7:3, autoclear set)")
          .contains("pid 4242 (unshare --mount sleep 100)").contains("loop3 exists");
    });
  }

  @Test
  void aBoundDeviceThatNoMountinfoShowsIsStillAliveAndSaysWhatMayHoldIt() throws IOException {
    loop(3, IMAGE, false);

    var alive = live(Duration.ofMinutes(5)).find(List.of(IMAGE));

    assertThat(alive).singleElement().satisfies(a -> assertThat(a.describe()).contains("mounted in no process's mountinfo"));
  }

  @Test
  void aDeletedBackingFileIsStillRecognized() throws IOException {
    loop(7, Path.of(IMAGE + " (deleted)"), true);

    assertThat(live(Duration.ofMinutes(5)).find(List.of(IMAGE))).extracting(LiveFilesystems.Alive::device)
        .containsExactly("loop7");
  }

  @Test
  void stillAliveAfterTheWaitFailsTheStepNamingTheHolder() throws IOException {
    loop(3, IMAGE, true);
    process(4242, "unshare --mount sleep 100", mountOf(3, "/build/b1/root"));

    assertThatThrownBy(() -> live(Duration.ofMillis(600)).awaitDead(List.of(IMAGE)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("still lives in another mount namespace")
        .hasMessageContaining("pid 4242 (unshare --mount sleep 100)")
        .hasMessageContaining("retry the step");
  }

  @Test
  void aFilesystemReleasedWhileWaitingEndsTheWait() throws Exception {
    loop(3, IMAGE, true);
    process(4242, "sleep 100", mountOf(3, "/build/b1/root"));
    // the holder exits: its namespace dies, the filesystem is put, autoclear unbinds the device
    var release = CompletableFuture.runAsync(() -> {
      try {
        Thread.sleep(500);
        Files.delete(proc.resolve("4242/mountinfo"));
        Files.delete(sys.resolve("block/loop3/loop/backing_file"));
      } catch (IOException | InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });

    live(Duration.ofMinutes(5)).awaitDead(List.of(IMAGE));

    release.get();
    assertThat(live(Duration.ofMinutes(5)).find(List.of(IMAGE))).isEmpty();
  }

  @Test
  void onTheRealHostAFileNoLoopDeviceIsBoundToIsDead() throws IOException {
    Path file = Files.createFile(dir.resolve("never-attached.img"));

    assertThat(new LiveFilesystems(Path.of("/proc"), Path.of("/sys"), Duration.ofSeconds(1)).find(List.of(file)))
        .isEmpty();
  }

  @Test
  void readsTheDeviceFromTheThirdFieldOfMountinfo() {
    assertThat(LiveFilesystems.mountsDevice(mountOf(3, "/x"), "7:3")).isTrue();
    assertThat(LiveFilesystems.mountsDevice(mountOf(30, "/x"), "7:3")).isFalse();
    assertThat(LiveFilesystems.mountsDevice("", "7:3")).isFalse();
  }
}
