package org.imagefoundry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code build REQUEST.json [--wait] [--follow-log]}: starts a build; with --wait, waits for its end. */
@Command(name = "build", mixinStandardHelpOptions = true,
    description = {"Starts a build of the request (a JSON document; - reads standard input) and prints its id.",
        "With --wait, shows its progress until it ends, then its images' md5s and paths; the exit code says how it ended."})
public class BuildCommand implements Callable<Integer> {

  /** The service refuses larger requests (413): said here before anything is sent. */
  static final int MAX_REQUEST = 1 << 20;

  @ParentCommand ImageFoundryCommand root;

  @Parameters(paramLabel = "REQUEST.json", description = "the build request")
  String request;

  @Option(names = "--wait", description = "wait for the build's end: a live progress line on a terminal, one line per phase otherwise")
  boolean waitForEnd;

  @Option(names = "--follow-log", description = "print the build's log as it grows, until the build ends (implies --wait)")
  boolean followLog;

  @Override
  public Integer call() {
    Invocation invocation = root.invocation();
    String document = read();
    ServiceClient service = root.service();
    String id = service.startBuild(document);
    if (!waitForEnd && !followLog) {
      invocation.out().println(id);
      return ExitCodes.OK;
    }
    invocation.out().println("build " + id);
    BuildStatus end;
    if (followLog) {
      service.streamLines(ApiPaths.build(id) + "/log?follow=true", invocation.out()::println);
      // the log said it all: only the end is waited for
      end = new BuildWatch(service, invocation.pollInterval()).until(id, ProgressView.NONE);
    } else {
      ProgressView view = invocation.onTerminal() ? new LiveLine(invocation.out()) : new PhaseLines(invocation.out());
      end = new BuildWatch(service, invocation.pollInterval()).until(id, view);
    }
    return new BuildOutcome(service, invocation.out(), invocation.err()).report(end);
  }

  /** The request, checked to be one JSON object of at most 1 MiB; the service checks its fields. */
  private String read() {
    byte[] bytes;
    try {
      bytes = request.equals("-") ? System.in.readNBytes(MAX_REQUEST + 1) : readFile(Path.of(request));
    } catch (IOException e) {
      throw new Failure(ExitCodes.USAGE, "cannot read " + request + ": " + e.getMessage());
    }
    if (bytes.length > MAX_REQUEST) {
      throw new Failure(ExitCodes.USAGE, request + " is larger than 1 MiB, which the service refuses");
    }
    String text = new String(bytes, StandardCharsets.UTF_8);
    JsonNode document;
    try {
      document = ServiceClient.JSON.readTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new Failure(ExitCodes.USAGE, request + " is not JSON: " + e.getOriginalMessage());
    }
    if (document == null || !document.isObject()) {
      throw new Failure(ExitCodes.USAGE, request + " must hold one JSON object, a build request");
    }
    return text;
  }

  private static byte[] readFile(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("no such file");
    }
    try (var in = Files.newInputStream(file)) {
      return in.readNBytes(MAX_REQUEST + 1);
    }
  }
}
