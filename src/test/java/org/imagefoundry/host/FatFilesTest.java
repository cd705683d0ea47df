package org.imagefoundry.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.imagefoundry.testing.FakeHost;
import org.imagefoundry.testing.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FatFilesTest {

  final FakeHost host = new FakeHost();
  final FatFiles fatFiles = new FatFiles(host, Settings.defaults());

  @Test
  void theTreeIsCopiedRecursivelyIntoTheFilesystemsRootOverwritingWhatARetryFinds(@TempDir Path tree) throws Exception {
    Files.createDirectories(tree.resolve("EFI/BOOT"));
    Files.writeString(tree.resolve("EFI/BOOT/BOOTX64.EFI"), "grub");

    fatFiles.copyTree(tree, "/dev/loop2p2");

    assertThat(host.commands()).containsExactly(
        List.of("mcopy", "-i", "/dev/loop2p2", "-s", "-o", "-Q", tree.resolve("EFI").toString(), "::/"));
  }
}
