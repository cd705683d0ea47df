package org.imagefoundry.cache;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.imagefoundry.host.BuildLog;

/**
 * The lock of one cache entry: a FileChannel lock on its lock file, so that it holds between the
 * processes sharing a data directory. A JVM may hold one FileChannel lock on a file at a time (a second
 * throws OverlappingFileLockException), so the holders in this JVM are counted here, one object per lock
 * file: any number of leases (shared), or one owner (exclusive). The owner is a build, not a thread: a
 * build's steps run on several threads, and a build that holds an entry may also read it.
 */
final class EntryLock {

  private static final Map<Path, EntryLock> ALL = new ConcurrentHashMap<>();
  private static final long POLL_MILLIS = 100;

  private final Path file;
  // guarded by this
  private FileChannel channel;
  private FileLock fileLock;
  private int leases;
  private String owner;
  private int holds;
  /** A thread of this JVM is taking the file lock: shared, exclusive, or null for none. */
  private Boolean taking;

  private EntryLock(Path file) {
    this.file = file;
  }

  static EntryLock of(Path file) {
    return ALL.computeIfAbsent(file.toAbsolutePath().normalize(), EntryLock::new);
  }

  /** Ends every hold of {@code owner} on the entries whose lock files are under {@code dir}. */
  static void releaseAll(Path dir, String owner) {
    Path under = dir.toAbsolutePath().normalize();
    ALL.forEach((file, lock) -> {
      if (file.startsWith(under)) {
        lock.releaseOwner(owner);
      }
    });
  }

  /**
   * Takes the entry, shared or for {@code owner} alone, waiting until {@code deadline} ({@link System#nanoTime});
   * null when it is still taken then. An owner's second take of its own entry is granted at once.
   */
  Hold take(String owner, boolean shared, long deadline) throws IOException {
    synchronized (this) {
      while (true) {
        if (owner.equals(this.owner)) {
          holds++;
          return new Hold(owner);
        }
        if (shared && this.owner == null && leases > 0) {
          leases++;
          return new Hold(null);
        }
        // another reader of this JVM is taking the shared file lock: wait to share it rather than give up
        boolean free = this.owner == null && leases == 0;
        if (free && taking == null) {
          break;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 && !(shared && free && Boolean.TRUE.equals(taking))) {
          return null;
        }
        waitNanos(Math.max(left, 1_000_000));
      }
      taking = shared;
    }
    FileLock taken = null;
    try {
      taken = lockFile(shared, deadline);
    } finally {
      synchronized (this) {
        taking = null;
        if (taken == null) {
          close();
        } else {
          fileLock = taken;
          if (shared) {
            leases = 1;
          } else {
            this.owner = owner;
            holds = 1;
          }
        }
        notifyAll();
      }
    }
    return taken == null ? null : new Hold(shared ? null : owner);
  }

  private FileLock lockFile(boolean shared, long deadline) throws IOException {
    if (channel == null) {
      Files.createDirectories(file.getParent());
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }
    boolean told = false;
    while (true) {
      FileLock lock = channel.tryLock(0, Long.MAX_VALUE, shared);
      if (lock != null || System.nanoTime() - deadline >= 0) {
        return lock;
      }
      if (!told) {
        BuildLog.info("cache entry {} is in use by another process: waiting", file.getFileName());
        told = true;
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for cache entry " + file.getFileName(), e);
      }
    }
  }

  private synchronized void release(String owner) {
    if (owner == null ? --leases == 0 : owner.equals(this.owner) && --holds == 0) {
      this.owner = null;
      close();
      notifyAll();
    }
  }

  private synchronized void releaseOwner(String owner) {
    if (owner.equals(this.owner)) {
      this.owner = null;
      holds = 0;
      close();
      notifyAll();
    }
  }

  /** Closing the channel releases its file lock. */
  private void close() {
    fileLock = null;
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        BuildLog.warn("could not close the lock file {}: {}", file, e.getMessage());
      }
      channel = null;
    }
  }

  private void waitNanos(long nanos) {
    try {
      wait(nanos / 1_000_000, (int) (nanos % 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for cache entry " + file.getFileName(), e);
    }
  }

  /** A lease (no owner) or an owner's hold; closing it ends it, unless the owner's holds were all ended meanwhile. */
  final class Hold implements CacheStore.Hold {

    private final String owner;
    private boolean closed;

    private Hold(String owner) {
      this.owner = owner;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        release(owner);
      }
    }
  }
}
