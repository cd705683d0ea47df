package org.imagefoundry.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BinfmtTest {

  @TempDir Path dir;

  @Test
  void onlyAnEnabledHandlerWithTheFFlagRunsEverywhereABuildRunsPrograms() throws Exception {
    Files.writeString(dir.resolve("qemu-aarch64"), """
        enabled
        interpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P
        flags: POF
        offset 0
        magic 7f454c460201010000000000000000000200b700
        """);
    Files.writeString(dir.resolve("qemu-arm"), "enabled\ninterpreter /usr/bin/qemu-arm-static\nflags: OC\n");
    Files.writeString(dir.resolve("qemu-riscv64"), "disabled\ninterpreter /usr/bin/qemu-riscv64-static\nflags: F\n");
    Binfmt binfmt = new Binfmt(dir);

    assertThat(binfmt.runs("aarch64")).isTrue();
    assertThat(binfmt.runs("arm")).as("without F the emulator would have to be in the sandbox").isFalse();
    assertThat(binfmt.runs("riscv64")).as("disabled").isFalse();
    assertThat(binfmt.runs("s390x")).as("not registered").isFalse();
    assertThat(binfmt.runs("../qemu-aarch64")).isFalse();
    assertThat(new Binfmt(dir.resolve("not-mounted")).runs("aarch64")).isFalse();
    assertThat(binfmt.handler("aarch64")).isEqualTo(dir.resolve("qemu-aarch64"));
  }
}
