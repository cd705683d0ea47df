package org.imagefoundry.cli;

/** The command's exit codes, which a CI job can trust. */
public final class ExitCodes {

  /** The call worked; a waited-for build SUCCEEDED or was SKIPPED. */
  public static final int OK = 0;
  /** A waited-for build ended FAILED or CANCELLED, or is in INCIDENT. */
  public static final int BUILD_FAILED = 1;
  /** Bad usage (options, arguments, credentials file), or the service could not be reached or refused the call. */
  public static final int USAGE = 2;
  /** The service refused the login (401), or the user's groups (403), or throttled failed logins (429). */
  public static final int LOGIN_REFUSED = 3;

  private ExitCodes() {}
}
