package org.imagefoundry.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.imagefoundry.testing.FakeHost;
import org.imagefoundry.testing.Settings;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalRepositoriesTest {

  @TempDir Path tmp;
  final FakeHost host = new FakeHost();
  final Mounts mounts = new Mounts(host, host, Settings.defaults());
  final LocalRepositories repositories = new LocalRepositories(mounts);
  Workspace workspace;
  Path repo;

  @BeforeEach
  void chrootWithSrv() throws IOException {
    workspace = new Workspace("b1", tmp.resolve("build"));
    Files.createDirectories(workspace.root().resolve("srv"));
    repo = Files.createDirectories(tmp.resolve("repos/local"));
  }

  @Test
  void aRepositoryIsMountedReadOnlyAtItsOwnPathInTheChroot() {
    repositories.lend(workspace, List.of(repo));

    Path target = workspace.root().resolve(repo.toString().substring(1));
    assertThat(host.commands("mount")).containsExactly(
        List.of("mount", "--bind", "-o", "ro", repo.toString(), target.toString()),
        List.of("mount", "--make-private", target.toString()));
    assertThat(target).isDirectory();
  }

  @Test
  void withdrawingUnmountsAndRemovesTheDirectoriesItMade() {
    repositories.lend(workspace, List.of(repo));
    Path target = workspace.root().resolve(repo.toString().substring(1));

    repositories.withdraw(workspace, List.of(repo));

    assertThat(host.commands("umount")).containsExactly(List.of("umount", target.toString()));
    assertThat(workspace.root().resolve(tmp.getName(0).toString())).doesNotExist();
    assertThat(workspace.root().resolve("srv")).isDirectory();
    assertThat(workspace.dir().resolve(LocalRepositories.MADE_DIRECTORIES)).doesNotExist();
  }

  @Test
  void directoriesTheImageAlreadyHadAreKept() throws IOException {
    Path target = Files.createDirectories(workspace.root().resolve(repo.toString().substring(1)));

    repositories.lend(workspace, List.of(repo));
    repositories.withdraw(workspace, List.of(repo));

    assertThat(target).isDirectory();
    assertThat(host.commands("mount")).hasSize(2);
  }

  @Test
  void withdrawingTwiceIsHarmless() {
    repositories.lend(workspace, List.of(repo));
    repositories.withdraw(workspace, List.of(repo));
    repositories.withdraw(workspace, List.of(repo));

    assertThat(host.commands("umount")).hasSize(1);
  }

  @Test
  void aRepositoryInsideAnotherIsReachedThroughTheOuterOne() {
    assertThat(LocalRepositories.outermost(List.of(Path.of("/r/a/b"), Path.of("/r/a"), Path.of("/r/c"), Path.of("/r/a"))))
        .containsExactly(Path.of("/r/a"), Path.of("/r/c"));
  }

  @Test
  void aSymbolicLinkInTheImageOnTheWayIsRefused() throws IOException {
    Files.createSymbolicLink(workspace.root().resolve(tmp.getName(0).toString()), Path.of("/"));

    assertThatThrownBy(() -> repositories.lend(workspace, List.of(repo)))
        .isInstanceOf(BuildFailure.class).hasMessageContaining("symbolic link");
    assertThat(host.commands("mount")).isEmpty();
  }

  @Test
  void aMissingRepositoryEndsTheBuildWithItsName() {
    Path gone = tmp.resolve("repos/gone");

    assertThatThrownBy(() -> repositories.lend(workspace, List.of(gone)))
        .isInstanceOf(BuildFailure.class).hasMessageContaining(gone.toString());
  }
}
