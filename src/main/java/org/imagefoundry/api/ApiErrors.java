package org.imagefoundry.api;

import java.util.List;
import org.imagefoundry.admission.AdmissionRefused;
import org.imagefoundry.rules.Problem;
import org.imagefoundry.spec.InvalidRequestException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Errors of the API as {@code application/problem+json}; a bad request lists every bad field. */
@RestControllerAdvice(assignableTypes = BuildController.class)
public class ApiErrors {

  @ExceptionHandler(InvalidRequestException.class)
  public ProblemDetail invalid(InvalidRequestException e) {
    return badRequest(e.problems());
  }

  /** A valid request not accepted now: too many builds (429), too little space (507), its outputs held (409, 403). */
  @ExceptionHandler(AdmissionRefused.class)
  public ResponseEntity<ProblemDetail> refused(AdmissionRefused e) {
    ProblemDetail detail = ProblemDetail.forStatusAndDetail(HttpStatus.valueOf(e.status()),
        e.getMessage() + "; nothing was started");
    detail.setTitle(e.title());
    var response = ResponseEntity.status(e.status()).contentType(MediaType.APPLICATION_PROBLEM_JSON);
    if (e.retryAfter() != null) {
      response.header(HttpHeaders.RETRY_AFTER, String.valueOf(e.retryAfter().toSeconds()));
    }
    return response.body(detail);
  }

  @ExceptionHandler(HttpMessageNotReadableException.class)
  public ProblemDetail unreadable(HttpMessageNotReadableException e) {
    return badRequest(List.of(new Problem("", "the body must be a JSON build request")));
  }

  /** A query parameter of the wrong type (a {@code state} no build has): a 400 naming it. */
  @ExceptionHandler(org.springframework.web.method.annotation.MethodArgumentTypeMismatchException.class)
  public ProblemDetail mismatch(org.springframework.web.method.annotation.MethodArgumentTypeMismatchException e) {
    return badRequest(List.of(new Problem(e.getName(), "not a valid value")));
  }

  static ProblemDetail badRequest(List<Problem> problems) {
    ProblemDetail detail = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
        problems.size() + " problem(s) in the build request; nothing was started");
    detail.setTitle("Invalid build request");
    detail.setProperty("problems", problems);
    return detail;
  }
}
