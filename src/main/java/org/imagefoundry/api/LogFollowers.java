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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.ExecutionListener;
import org.camunda.bpm.engine.impl.cfg.TransactionState;
import org.camunda.bpm.engine.impl.context.Context;
import org.imagefoundry.builds.BuildQueries;
import org.imagefoundry.settings.FoundrySettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Every {@code GET /api/builds/{id}/log?follow=true} at once, served by one thread: a tick copies what
 * each followed log has gained into its (non-blocking, Servlet async) response, asks the engine in one
 * query which of the followed builds still run, and ends the responses of the builds that have ended.
 * No thread waits per follower; at most {@code image-foundry.limits.max-log-followers} follow at once
 * (beyond, 429), and they are shared between users: a user may start one while they hold fewer than
 * max / (n + 1), n being the number of users following, them included (alone, half; beyond, 429). So
 * however many one user holds, others find room. A quiet log gets an empty line every few seconds: a
 * write is the only way to learn that a client has gone, and its follower is dropped at the first
 * write that fails. {@code ${logFollowers}} in the diagram, on the process's end: once a build's end is
 * committed, a tick runs at once, so its followers end then rather than at the next tick.
 */
@Component("logFollowers")
public class LogFollowers implements ExecutionListener {

  static final String THREAD_NAME = "log-followers";
  static final Duration TICK = Duration.ofMillis(250);
  static final Duration KEEPALIVE = Duration.ofSeconds(2);
  private static final int CHUNK = 64 * 1024;
  private static final int MAX_PER_TICK = 1 << 20;
  private static final Logger LOG = LoggerFactory.getLogger(LogFollowers.class);

  private final Map<Follower, Boolean> followers = new ConcurrentHashMap<>();
  /** Followers admitted, per user; guarded by {@code this}. */
  private final Map<String, Integer> admitted = new HashMap<>();
  private int admittedInAll; // guarded by this
  private final int max;
  private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(
      task -> {
        Thread thread = new Thread(task, THREAD_NAME);
        thread.setDaemon(true);
        return thread;
      });
  private final BuildQueries queries;
  private final AtomicLong wakes = new AtomicLong();

  public LogFollowers(FoundrySettings settings, BuildQueries queries) {
    this.max = settings.limits().maxLogFollowers();
    this.queries = queries;
    ticks.scheduleWithFixedDelay(this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** How many ticks a build's end has asked for. */
  long wakes() {
    return wakes.get();
  }

  /** How many follow now. */
  public int count() {
    return followers.size();
  }

  /** How many followers a user may hold while {@code users} users follow, that user among them. */
  static int share(int max, int users) {
    return Math.max(1, max / (users + 1));
  }

  /** Counts one more follower of {@code user}, if they may start one now. */
  private synchronized boolean admit(String user) {
    int held = admitted.getOrDefault(user, 0);
    int users = admitted.size() + (held == 0 ? 1 : 0);
    if (admittedInAll >= max || held >= share(max, users)) {
      return false;
    }
    admitted.merge(user, 1, Integer::sum);
    admittedInAll++;
    return true;
  }

  private synchronized void release(String user) {
    admitted.computeIfPresent(user, (key, held) -> held <= 1 ? null : held - 1);
    admittedInAll--;
  }

  /**
   * Starts following {@code file} of build {@code id} for {@code user}; false (and nothing started) when
   * too many follow, or that user holds their share.
   */
  boolean follow(String id, Path file, String user, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    if (!admit(user)) {
      return false;
    }
    try {
      response.setContentType("text/plain;charset=UTF-8");
      response.flushBuffer(); // the client learns at once that it follows
      AsyncContext async = request.startAsync();
      async.setTimeout(0); // ends with its build or its client, never by a timer
      ServletOutputStream out = response.getOutputStream();
      Follower follower = new Follower(id, file, user, async, out);
      async.addListener(follower);
      out.setWriteListener(follower);
      followers.put(follower, Boolean.TRUE);
      return true;
    } catch (IOException | RuntimeException e) {
      release(user);
      throw e;
    }
  }

  @Override
  public void notify(DelegateExecution execution) {
    Context.getCommandContext().getTransactionContext()
        .addTransactionListener(TransactionState.COMMITTED, commandContext -> wake());
  }

  /** A tick now, beside the scheduled ones (on the same thread: never two at once). */
  void wake() {
    wakes.incrementAndGet();
    try {
      ticks.execute(this::tick);
    } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
      // the service stops: its followers end with it
    }
  }

  private void tick() {
    try {
      if (followers.isEmpty()) {
        return;
      }
      // one snapshot: a follower added while the engine is asked waits for the next tick, rather than
      // being taken for one of an ended build (its id was not asked about)
      List<Follower> current = List.copyOf(followers.keySet());
      Set<String> ids = new HashSet<>();
      current.stream().filter(f -> !f.ended).forEach(f -> ids.add(f.id));
      Set<String> stillRunning = ids.isEmpty() ? Set.of() : queries.running(ids);
      long now = System.nanoTime();
      for (Follower follower : current) {
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
    final String user;
    final AsyncContext async;
    final ServletOutputStream out;
    volatile boolean ended;
    volatile boolean closed;
    long position;
    long lastWrite = System.nanoTime();
    boolean atLineStart = true;

    Follower(String id, Path file, String user, AsyncContext async, ServletOutputStream out) {
      this.id = id;
      this.file = file;
      this.user = user;
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
        release(user);
      }
      // every time, also when the tick closed it first: a complete() that lost the race with the
      // container's own error handling threw, and without one now the container dispatches to its error page
      try {
        async.complete();
      } catch (IllegalStateException e) {
        // already completed
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
        release(user);
      }
    }

    @Override
    public void onTimeout(AsyncEvent event) {
      closed = true;
    }

    @Override
    public void onError(AsyncEvent event) {
      // completed here, or the container dispatches to its error page, which cannot write its JSON as
      // text: two warnings in the log for every client that leaves
      close();
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
      // not restarted
    }
  }
}
