package org.imagefoundry.admission;

import java.time.Duration;
import org.camunda.bpm.engine.BadUserRequestException;

/**
 * Why a valid build request is not accepted now: its user has too many builds (429), the node is short
 * of space (507), or its output files belong to another build (409, 403). Thrown by the start listener,
 * so the whole start rolls back; the API answers it as {@code application/problem+json}.
 */
public class AdmissionRefused extends BadUserRequestException {

  private final int status;
  private final String title;
  private final Duration retryAfter;

  public AdmissionRefused(int status, String title, String detail, Duration retryAfter) {
    super(detail);
    this.status = status;
    this.title = title;
    this.retryAfter = retryAfter;
  }

  public int status() {
    return status;
  }

  public String title() {
    return title;
  }

  /** When asking again may help; null when it will not by itself. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
