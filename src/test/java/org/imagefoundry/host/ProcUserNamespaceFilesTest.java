package org.imagefoundry.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcUserNamespaceFilesTest {

  @TempDir Path proc;

  /** A /proc with this process in user:[1] and process 7 in {@code namespace}. */
  ProcUserNamespaceFiles procWith(String namespace) throws Exception {
    Files.createDirectories(proc.resolve("self/ns"));
    Files.createSymbolicLink(proc.resolve("self/ns/user"), Path.of("user:[1]"));
    Files.createDirectories(proc.resolve("7/ns"));
    Files.createSymbolicLink(proc.resolve("7/ns/user"), Path.of(namespace));
    return new ProcUserNamespaceFiles(proc);
  }

  @Test
  void aProcessIsInAnotherUserNamespaceWhenItsLinkNamesAnother() throws Exception {
    assertThat(procWith("user:[2]").inAnotherUserNamespace(7)).isTrue();
  }

  @Test
  void notYetWhileItsLinkNamesOursAndNotWhenItIsGone() throws Exception {
    ProcUserNamespaceFiles files = procWith("user:[1]");

    assertThat(files.inAnotherUserNamespace(7)).isFalse();
    assertThat(files.inAnotherUserNamespace(8)).isFalse();
  }

  @Test
  void theMapsAreWrittenEachAsOneLine() throws Exception {
    ProcUserNamespaceFiles files = procWith("user:[2]");

    files.writeIdMaps(7, "0 0 4294967295", "0 0 4294967295");

    assertThat(proc.resolve("7/uid_map")).hasContent("0 0 4294967295\n");
    assertThat(proc.resolve("7/gid_map")).hasContent("0 0 4294967295\n");
    assertThat(files.userNamespace(7)).isEqualTo(proc.resolve("7/ns/user").toString());
  }
}
