package org.imagefoundry.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.stereotype.Component;

/** {@code /proc/PID/ns/user}, {@code /proc/PID/uid_map} and {@code /proc/PID/gid_map}. */
@Component
public class ProcUserNamespaceFiles implements UserNamespaceFiles {

  private final Path proc;

  public ProcUserNamespaceFiles() {
    this(Path.of("/proc"));
  }

  ProcUserNamespaceFiles(Path proc) {
    this.proc = proc;
  }

  @Override
  public boolean inAnotherUserNamespace(long pid) {
    try {
      // the link reads "user:[inode]": the same inode is the same namespace
      return !Files.readSymbolicLink(proc.resolve(pid + "/ns/user"))
          .equals(Files.readSymbolicLink(proc.resolve("self/ns/user")));
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void writeIdMaps(long pid, String uidMap, String gidMap) {
    // each map in one write(2), as the kernel requires
    write(proc.resolve(pid + "/uid_map"), uidMap);
    write(proc.resolve(pid + "/gid_map"), gidMap);
  }

  @Override
  public String userNamespace(long pid) {
    return proc.resolve(pid + "/ns/user").toString();
  }

  private static void write(Path file, String map) {
    try {
      Files.write(file, (map + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + file + " (" + map + ")", e);
    }
  }
}
