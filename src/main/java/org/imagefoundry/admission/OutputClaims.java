package org.imagefoundry.admission;

import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.apache.commons.codec.digest.DigestUtils;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.imagefoundry.process.BuildProcess;
import org.imagefoundry.rules.AllowedRoots;
import org.imagefoundry.spec.BuildSpec;
import org.imagefoundry.users.Caller;
import org.springframework.context.annotation.Lazy;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Which build owns each output file (images, disk, metadata, bill of materials): one row per file, its
 * key the file's real path, in a table of the engine's database. A build claims its files in the
 * transaction that starts it, so of two starts naming one file on any nodes only one commits (the
 * primary key, or the conditional update of a finished build's row). A file held by a build that has
 * not ended cannot be claimed (409); a finished build's file only by its owner or an admin (else 403),
 * and then that build is superseded once the new one publishes. A build that ends without publishing
 * gives its files back to the build that held them before, or frees them.
 */
@Component
public class OutputClaims {

  private static final String CLAIMS = AdmissionTables.CLAIMS;
  private static final String SUPERSEDED = AdmissionTables.SUPERSEDED;

  private final JdbcTemplate jdbc;
  private final HistoryService history;
  private final TransactionTemplate ownTransaction;

  public OutputClaims(DataSource dataSource, @Lazy HistoryService history,
      @Lazy PlatformTransactionManager transactions) {
    this.jdbc = new JdbcTemplate(dataSource);
    this.history = history;
    this.ownTransaction = new TransactionTemplate(transactions);
    this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
  }

  /** Every file a build of {@code spec} publishes, by real path (links in the existing part followed). */
  public static List<Path> files(BuildSpec spec) {
    List<Path> files = new ArrayList<>();
    spec.images().forEach(image -> files.add(spec.outputFile(image.spec())));
    if (spec.disk() != null) {
      files.add(Path.of(spec.output()).resolve(spec.disk().name()));
    }
    files.add(spec.metadataFile());
    files.add(spec.sbomFile());
    return files.stream().map(AllowedRoots::resolveExisting).toList();
  }

  /**
   * Claims {@code files} for build {@code buildId} of {@code owner}, in the caller's transaction (the
   * build's start); throws {@link AdmissionRefused} naming the build or owner that holds one.
   */
  public void claim(String buildId, Caller owner, List<Path> files) {
    claim(buildId, owner, files, true);
  }

  /** What {@link #claim} would answer now, claiming nothing: so a refusal is known before a start begins. */
  public void check(String buildId, Caller owner, List<Path> files) {
    claim(buildId, owner, files, false);
  }

  private void claim(String buildId, Caller owner, List<Path> files, boolean write) {
    // a fixed order, so two starts that name the same files wait for each other rather than deadlock
    for (String path : new TreeSet<>(files.stream().map(Path::toString).toList())) {
      String key = key(path);
      List<Map<String, Object>> rows = jdbc.queryForList("SELECT BUILD_ID_, OWNER_, PUBLISHED_ FROM " + CLAIMS
          + " WHERE PATH_KEY_ = ?", key);
      if (rows.isEmpty()) {
        if (write) {
          insert(key, path, buildId, owner.user());
        }
        continue;
      }
      String holder = (String) rows.get(0).get("BUILD_ID_");
      String holderOwner = (String) rows.get(0).get("OWNER_");
      if (holder.equals(buildId)) {
        continue;
      }
      // a row of a build that ended without our end listener (deleted past its cancel) counts as finished
      if (!Boolean.TRUE.equals(rows.get(0).get("PUBLISHED_")) && !hasEnded(holder)) {
        throw new AdmissionRefused(409, "Output in use", path + " is claimed by build " + holder
            + ", which has not ended: choose another output, or wait for it to end", null);
      }
      if (!owner.admin() && !owner.user().equals(holderOwner)) {
        throw new AdmissionRefused(403, "Output owned by another user", path + " was published by build " + holder
            + " of " + holderOwner + ": only " + holderOwner + " or an admin may replace it", null);
      }
      if (!write) {
        continue;
      }
      int taken = jdbc.update("UPDATE " + CLAIMS + " SET BUILD_ID_ = ?, OWNER_ = ?, PUBLISHED_ = FALSE, "
          + "PREVIOUS_BUILD_ID_ = ?, PREVIOUS_OWNER_ = ? WHERE PATH_KEY_ = ? AND BUILD_ID_ = ?",
          buildId, owner.user(), holder, holderOwner, key, holder);
      if (taken == 0) {
        throw claimedMeanwhile(path);
      }
    }
  }

  private void insert(String key, String path, String buildId, String owner) {
    try {
      jdbc.update("INSERT INTO " + CLAIMS + " (PATH_KEY_, PATH_, BUILD_ID_, OWNER_, PUBLISHED_) VALUES (?, ?, ?, ?, FALSE)",
          key, path, buildId, owner);
    } catch (DataAccessException e) {
      // the primary key (or a lock wait on it) of a start that inserted the same file first
      throw claimedMeanwhile(path);
    }
  }

  private static AdmissionRefused claimedMeanwhile(String path) {
    return new AdmissionRefused(409, "Output in use", path + " was claimed by another build starting at the same "
        + "moment: choose another output, or see GET /api/builds", null);
  }

  /**
   * Before build {@code buildId} writes its first file: the builds it takes files from are superseded,
   * committed at once (its own transaction), so no one is shown their checksums for files being replaced.
   */
  public void publishing(String buildId) {
    ownTransaction.executeWithoutResult(status -> recordSuperseded(buildId));
  }

  /**
   * As build {@code buildId} ends: when it {@code published}, its files stay its own; otherwise they
   * go back to the builds that held them before it (or are freed).
   */
  public void ended(String buildId, boolean published) {
    if (published) {
      recordSuperseded(buildId);
      jdbc.update("UPDATE " + CLAIMS + " SET PUBLISHED_ = TRUE, PREVIOUS_BUILD_ID_ = NULL, PREVIOUS_OWNER_ = NULL "
          + "WHERE BUILD_ID_ = ?", buildId);
      return;
    }
    jdbc.update("UPDATE " + CLAIMS + " SET BUILD_ID_ = PREVIOUS_BUILD_ID_, OWNER_ = PREVIOUS_OWNER_, PUBLISHED_ = TRUE, "
        + "PREVIOUS_BUILD_ID_ = NULL, PREVIOUS_OWNER_ = NULL WHERE BUILD_ID_ = ? AND PREVIOUS_BUILD_ID_ IS NOT NULL",
        buildId);
    jdbc.update("DELETE FROM " + CLAIMS + " WHERE BUILD_ID_ = ?", buildId);
  }

  private void recordSuperseded(String buildId) {
    List<String> earlier = jdbc.queryForList("SELECT DISTINCT PREVIOUS_BUILD_ID_ FROM " + CLAIMS
        + " WHERE BUILD_ID_ = ? AND PREVIOUS_BUILD_ID_ IS NOT NULL", String.class, buildId);
    for (String build : earlier) {
      // only this build writes its own pairs, one step after another: look, then insert
      Integer known = jdbc.queryForObject("SELECT COUNT(*) FROM " + SUPERSEDED + " WHERE BUILD_ID_ = ? AND BY_BUILD_ID_ = ?",
          Integer.class, build, buildId);
      if (known == null || known == 0) {
        jdbc.update("INSERT INTO " + SUPERSEDED + " (BUILD_ID_, BY_BUILD_ID_, AT_) VALUES (?, ?, ?)", build, buildId,
            new Timestamp(ClockUtil.getCurrentTime().getTime()));
      }
    }
  }

  /** The build that last replaced files of build {@code buildId}, if one has. */
  public Optional<String> supersededBy(String buildId) {
    return jdbc.queryForList("SELECT BY_BUILD_ID_ FROM " + SUPERSEDED + " WHERE BUILD_ID_ = ? ORDER BY AT_ DESC",
        String.class, buildId).stream().findFirst();
  }

  /** The build and owner that hold {@code file} now, if any. */
  public Optional<Map<String, Object>> holder(Path file) {
    return jdbc.queryForList("SELECT BUILD_ID_, OWNER_, PUBLISHED_ FROM " + CLAIMS + " WHERE PATH_KEY_ = ?",
        key(AllowedRoots.resolveExisting(file).toString())).stream().findFirst();
  }

  private boolean hasEnded(String buildId) {
    var instance = history.createHistoricProcessInstanceQuery().processDefinitionKey(BuildProcess.KEY)
        .processInstanceBusinessKey(buildId).singleResult();
    return instance == null || instance.getEndTime() != null;
  }

  private static String key(String path) {
    return DigestUtils.sha256Hex(path);
  }
}
