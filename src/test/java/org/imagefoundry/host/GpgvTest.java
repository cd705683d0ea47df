package org.imagefoundry.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.imagefoundry.testing.FakeHost;
import org.junit.jupiter.api.Test;

class GpgvTest {

  final FakeHost host = new FakeHost();

  @Test
  void checksTheContentItIsGivenOnStandardInputAgainstTheKeyringAndReturnsOnlyTheSignedText() {
    host.failOn(List.of("gpgv"), 0, 1, "Origin: Debian");

    byte[] text = new Gpgv(host).signedText(Path.of("/keys/repo.gpg"), new byte[0]);

    assertThat(new String(text, StandardCharsets.UTF_8)).isEqualTo("Origin: Debian\n");
    assertThat(host.commands()).containsExactly(List.of("gpgv", "--keyring", "/keys/repo.gpg", "--output", "-", "-"));
  }
}
