package org.imagefoundry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CredentialsFileTest {

  @TempDir Path dir;

  Path file(String text, String mode) throws Exception {
    Path file = dir.resolve("credentials");
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    return file;
  }

  @Test
  void readsUserAndPasswordOfAFileOnlyItsOwnerMayRead() throws Exception {
    Path file = file("# the CI user\nuser = ci\npassword=p\\a=ss word \n", "rw-------");

    Credentials credentials = CredentialsFile.read(file);

    assertThat(credentials.user()).isEqualTo("ci");
    // the value verbatim: backslashes, '=' and spaces are the password's
    assertThat(credentials.password()).isEqualTo("p\\a=ss word ");
    assertThat(credentials.toString()).doesNotContain("p\\a=ss");
  }

  @ParameterizedTest
  @ValueSource(strings = {"rw-r--r--", "rw-r-----", "rw----r--", "rw------x", "rw--w----"})
  void refusesAFileItsGroupOrOthersMayUse(String mode) throws Exception {
    Path file = file("user=ci\npassword=secret\n", mode);

    assertThatThrownBy(() -> CredentialsFile.read(file)).isInstanceOfSatisfying(Failure.class, failure -> {
      assertThat(failure.exitCode()).isEqualTo(ExitCodes.USAGE);
      assertThat(failure.getMessage()).contains("refusing the credentials file " + file, mode, "chmod 600");
      assertThat(failure.getMessage()).doesNotContain("secret");
    });
  }

  @Test
  void withoutAUserItIsAdmin() throws Exception {
    assertThat(CredentialsFile.read(file("password=x\n", "r--------")).user()).isEqualTo("admin");
  }

  @Test
  void aFileWithoutAPasswordOrWithAnUnknownKeyIsRefused() throws Exception {
    assertThatThrownBy(() -> CredentialsFile.read(file("user=ci\n", "rw-------"))).hasMessageContaining("no password=");
    assertThatThrownBy(() -> CredentialsFile.read(file("user=ci\npassword=x\nurl=http://a\n", "rw-------")))
        .hasMessageContaining("unknown key 'url'");
    assertThatThrownBy(() -> CredentialsFile.read(file("secret\n", "rw-------")))
        .hasMessageContaining("without '='").hasMessageNotContaining("secret\n");
  }

  @Test
  void aMissingFileIsAUsageError() {
    assertThatThrownBy(() -> CredentialsFile.read(dir.resolve("none"))).isInstanceOfSatisfying(Failure.class,
        failure -> assertThat(failure.exitCode()).isEqualTo(ExitCodes.USAGE));
  }
}
