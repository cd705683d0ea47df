package org.imagefoundry.cache;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.imagefoundry.host.BuildLog;
import org.imagefoundry.host.Debootstrapper.PackageFile;
import org.imagefoundry.imagetree.RepositoryFiles;
import org.imagefoundry.spec.BuildSpec.Proxies;
import org.slf4j.MDC;
import org.springframework.stereotype.Component;

/**
 * Package files fetched several at a time: apt fetches one file after another from a host, and on this
 * project's build machine each file costs about 55 ms however small, so the 91 packages of a minbase
 * bootstrap took 5 s one after another and under 1 s eight at a time. Nothing fetched here is trusted: it
 * lands under the name asked for in a directory of its own, and only what a signed index vouches for goes
 * further (see {@link BootstrapPackages#prefetch}).
 */
@Component
public class PackageFetcher {

  /** Connections to the mirror at once. */
  static final int PARALLEL = 8;
  /** One file's time limit: the largest bootstrap package is a few MB. */
  static final Duration TIMEOUT = Duration.ofMinutes(2);
  /** All files' time limit: a mirror that slow is left to apt (the workers still running are interrupted). */
  static final Duration ALL = Duration.ofMinutes(5);

  private final Duration all;

  public PackageFetcher() {
    this(ALL);
  }

  PackageFetcher(Duration all) {
    this.all = all;
  }

  /**
   * Fetches {@code files} into {@code dir} (through the request's proxy unless the host is reached
   * directly, following no redirect), each under its name, keeping only a complete file of the size
   * asked for; returns how many arrived. A file that fails is left to apt.
   */
  public int fetch(List<PackageFile> files, Path dir, Proxies proxies) {
    if (files.isEmpty()) {
      return 0;
    }
    ExecutorService workers = Executors.newFixedThreadPool(PARALLEL);
    try {
      // the client's own executor: its tasks must never wait for a worker blocked in send()
      HttpClient client = RepositoryFiles.client(files.get(0).uri(), proxies).version(HttpClient.Version.HTTP_1_1).build();
      List<Future<Boolean>> results = new ArrayList<>();
      Map<String, String> buildLog = MDC.getCopyOfContextMap();
      // the largest first, so that no large file starts last and keeps the others waiting
      for (PackageFile file : files.stream().sorted(Comparator.comparingLong(PackageFile::size).reversed()).toList()) {
        results.add(workers.submit(() -> {
          if (buildLog != null) {
            MDC.setContextMap(buildLog);
          }
          return fetch(client, file, dir);
        }));
      }
      long deadline = System.nanoTime() + all.toNanos();
      for (Future<Boolean> result : results) {
        try {
          result.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
          BuildLog.warn("the packages not fetched within {} are left to apt", all);
          break;
        }
      }
      int fetched = 0;
      for (Future<Boolean> result : results) {
        if (result.isDone() && !result.isCancelled() && result.get()) {
          fetched++;
        }
      }
      return fetched;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while fetching packages", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } finally {
      workers.shutdownNow();
    }
  }

  private static boolean fetch(HttpClient client, PackageFile file, Path dir) {
    Path partial = dir.resolve("." + file.fileName() + ".partial");
    try {
      HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(file.uri()).timeout(TIMEOUT).GET().build(),
          HttpResponse.BodyHandlers.ofInputStream());
      long size;
      try (InputStream body = response.body()) {
        if (response.statusCode() != 200) {
          BuildLog.warn("GET {} answered {}: apt fetches it itself", file.uri(), response.statusCode());
          return false;
        }
        try (OutputStream out = Files.newOutputStream(partial, StandardOpenOption.CREATE_NEW)) {
          size = body.transferTo(new CappedOutput(out, file.size()));
        }
      }
      if (size != file.size()) {
        BuildLog.warn("GET {} sent {} bytes where the index says {}: apt fetches it itself", file.uri(), size, file.size());
        return false;
      }
      Files.move(partial, dir.resolve(file.fileName()), StandardCopyOption.ATOMIC_MOVE);
      return true;
    } catch (IOException | RuntimeException e) {
      BuildLog.warn("could not fetch {}: {}; apt fetches it itself", file.uri(), e.getMessage());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      try {
        Files.deleteIfExists(partial);
      } catch (IOException e) {
        BuildLog.warn("could not delete {}: {}", partial, e.getMessage());
      }
    }
  }

  /** Writes at most {@code max} bytes and then refuses more: a response longer than the index says is cut short. */
  private static final class CappedOutput extends OutputStream {
    private final OutputStream out;
    private long left;

    CappedOutput(OutputStream out, long max) {
      this.out = out;
      this.left = max;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (len > left) {
        throw new IOException("more bytes than the index says");
      }
      out.write(b, off, len);
      left -= len;
    }
  }
}
