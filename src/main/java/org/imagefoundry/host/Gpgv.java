package org.imagefoundry.host;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.stereotype.Component;

/** {@code gpgv}: checks an OpenPGP clearsigned file (a repo's InRelease) against a keyring on the host. */
@Component
public class Gpgv {

  static final Duration TIMEOUT = Duration.ofMinutes(1);

  private final CommandRunner runner;

  public Gpgv(CommandRunner runner) {
    this.runner = runner;
  }

  /**
   * The text that a key of {@code keyring} signed in {@code clearsigned}, as gpgv writes it out: only
   * the signed part, never text around it; throws {@link CommandFailedException} when no good signature
   * of a key in the keyring is there. The content goes through standard input, so what is checked is
   * exactly what the caller read once.
   */
  public byte[] signedText(Path keyring, byte[] clearsigned) {
    var out = new ByteArrayOutputStream();
    runner.pipe(Command.of(TIMEOUT, "gpgv", "--keyring", keyring.toString(), "--output", "-", "-"),
        new ByteArrayInputStream(clearsigned), out);
    return out.toByteArray();
  }
}
