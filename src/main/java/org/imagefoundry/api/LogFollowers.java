package org.imagefoundry.api;

import jakarta.annotation.PreDestroy;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.imagefoundry.FoundrySettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Every {@code GET /api/builds/{id}/log?follow=true} at once, served by one thread: a tick copies what
 * each followed log has gained into its (non-blocking, Servlet async) response, asks the engine in one
 * query which of the followed builds still run, and ends the responses of the builds that have ended.
 * No thread waits per follower; at most {@code image-foundry.limits.max-log-followers} follow at once
 * (beyond, 429). A quiet log gets an empty line every few seconds: a write is the only way to learn
 * that a client has gone, and its follower is dropped at the first write that fails.
 */
@Component
public class LogFollowers {

  static final String THREAD_NAME = "log-followers";
  static final Duration TICK = Duration.ofMillis(250);
  static final Duration KEEPALIVE = Duration.ofSeconds(2);
  private static final int CHUNK = 64 * 1024;
  private static final int MAX_PER_TICK = 1 << 20;
  private static final Logger LOG = LoggerFactory.getLogger(LogFollowers.class);

  private final Map<Follower, Boolean> followers = new ConcurrentHashMap<>();
  private final AtomicInteger admitted = new AtomicInteger();
  private final int max;
  private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(
      task -> {
        Thread thread = new Thread(task, THREAD_NAME);
        thread.setDaemon(true);
        return thread;
      });
  private final BuildQueries queries;

  public LogFollowers(FoundrySettings settings, BuildQueries queries) {
    this.max = settings.limits().maxLogFollowers();
    this.queries = queries;
    ticks.scheduleWithFixedDelay(this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** How many follow now. */
  public int count() {
    return followers.size();
  }

  /** Starts following {@code file} of build {@code id}; false (and nothing started) when too many follow. */
  boolean follow(String id, Path file, HttpServletRequest request, HttpServletResponse response) throws IOException {
    if (admitted.incrementAndGet() > max) {
      admitted.decrementAndGet();
      return false;
    }
    try {
      response.setContentType("text/plain;charset=UTF-8");
      response.flushBuffer(); // the client learns at once that it follows
      AsyncContext async = request.startAsync();
      async.setTimeout(0); // ends with its build or its client, never by a timer
      ServletOutputStream out = response.getOutputStream();
      Follower follower = new Follower(id, file, async, out);
      async.addListener(follower);
      out.setWriteListener(follower);
      followers.put(follower, Boolean.TRUE);
      return true;
    } catch (IOException | RuntimeException e) {
      admitted.decrementAndGet();
      throw e;
    }
  }

  private void tick() {
    try {
      if (followers.isEmpty()) {
        return;
      }
      Set<String> ids = ConcurrentHashMap.newKeySet();
      followers.keySet().stream().filter(f -> !f.ended).forEach(f -> ids.add(f.id));
      Set<String> stillRunning = ids.isEmpty() ? Set.of() : queries.running(ids);
      long now = System.nanoTime();
      for (Follower follower : followers.keySet()) {
        // asked before reading, so lines written just before the end are sent
        follower.ended |= !stillRunning.contains(follower.id);
        follower.pump(now);
      }
    } catch (RuntimeException e) {
      LOG.warn("log followers: {}", e.toString());
    }
  }

  @PreDestroy
  void stop() {
    ticks.shutdownNow();
    followers.keySet().forEach(Follower::close);
  }

  /** One client following one build's log. */
  private final class Follower implements AsyncListener, WriteListener {
    final String id;
    final Path file;
    final AsyncContext async;
    final ServletOutputStream out;
    volatile boolean ended;
    volatile boolean closed;
    long position;
    long lastWrite = System.nanoTime();
    boolean atLineStart = true;

    Follower(String id, Path file, AsyncContext async, ServletOutputStream out) {
      this.id = id;
      this.file = file;
      this.async = async;
      this.out = out;
    }

    /** Copies what the log has gained while the client takes it; ends the response once the build has ended. */
    void pump(long now) {
      if (closed) {
        close();
        return;
      }
      try {
        if (!out.isReady()) {
          return; // the client reads slowly: try again next tick
        }
        boolean wrote = false;
        boolean atEnd = true;
        if (Files.exists(file)) {
          byte[] buffer = new byte[CHUNK];
          try (RandomAccessFile log = new RandomAccessFile(file.toFile(), "r")) {
            log.seek(position);
            int read;
            int sent = 0;
            while (sent < MAX_PER_TICK && (read = log.read(buffer)) > 0) {
              out.write(buffer, 0, read);
              position += read;
              sent += read;
              wrote = true;
              atLineStart = buffer[read - 1] == '\n';
              if (!out.isReady()) {
                break;
              }
            }
            atEnd = position >= log.length();
          }
        }
        if (!wrote && !ended && atLineStart && now - lastWrite >= KEEPALIVE.toNanos()) {
          out.write('\n'); // tells whether the client is still there
          wrote = true;
        }
        if (wrote) {
          lastWrite = now;
          if (out.isReady()) {
            out.flush();
          }
        }
        if (ended && atEnd && out.isReady()) {
          close();
        }
      } catch (IOException | IllegalStateException e) {
        close(); // the client has gone
      }
    }

    void close() {
      closed = true;
      if (followers.remove(this) != null) {
        admitted.decrementAndGet();
        try {
          async.complete();
        } catch (IllegalStateException e) {
          // already completed or failed
        }
      }
    }

    @Override
    public void onWritePossible() {
      // the next tick writes
    }

    @Override
    public void onError(Throwable t) {
      closed = true;
    }

    @Override
    public void onComplete(AsyncEvent event) {
      closed = true;
      if (followers.remove(this) != null) {
        admitted.decrementAndGet();
      }
    }

    @Override
    public void onTimeout(AsyncEvent event) {
      closed = true;
    }

    @Override
    public void onError(AsyncEvent event) {
      closed = true;
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
      // not restarted
    }
  }
}
