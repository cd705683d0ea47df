package org.imagefoundry.host;

/** The kernel's files of a process's user namespace, as this process sees them in /proc. */
public interface UserNamespaceFiles {

  /** True once the process is in a user namespace other than this service's (it has unshared). */
  boolean inAnotherUserNamespace(long pid);

  /** Writes the process's uid_map and gid_map; the kernel takes each only once. */
  void writeIdMaps(long pid, String uidMap, String gidMap);

  /** The file that names the process's user namespace, for nsenter. */
  String userNamespace(long pid);
}
