package org.imagefoundry.spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.imagefoundry.settings.FoundrySettings;
import org.springframework.stereotype.Component;

/**
 * The mirror a repo without {@code uri} uses: {@code image-foundry.default-mirror}, or else the first
 * Debian archive URI in the host's apt sources, read when asked (never written into the code).
 */
@Component
public class DefaultMirror {

  private final FoundrySettings settings;
  private final Path aptDir;

  @org.springframework.beans.factory.annotation.Autowired
  public DefaultMirror(FoundrySettings settings) {
    this(settings, Path.of("/etc/apt"));
  }

  DefaultMirror(FoundrySettings settings, Path aptDir) {
    this.settings = settings;
    this.aptDir = aptDir;
  }

  public String uri() {
    if (settings.defaultMirror() != null && !settings.defaultMirror().isBlank()) {
      return settings.defaultMirror();
    }
    return fromAptSources().orElseThrow(() -> new IllegalStateException(
        "no default mirror: set image-foundry.default-mirror or add a Debian source under " + aptDir));
  }

  /** The first {@code deb} source whose suites include a bare release name (the archive, not -security or -updates). */
  Optional<String> fromAptSources() {
    for (Path file : sourceFiles()) {
      for (Source source : read(file)) {
        if (source.types().contains("deb") && source.suites().stream().anyMatch(s -> s.matches("[a-z]+"))
            && !source.uris().isEmpty()) {
          return Optional.of(source.uris().get(0));
        }
      }
    }
    return Optional.empty();
  }

  private record Source(List<String> types, List<String> uris, List<String> suites) {}

  private List<Path> sourceFiles() {
    List<Path> files = new ArrayList<>();
    Path main = aptDir.resolve("sources.list");
    if (Files.isRegularFile(main)) {
      files.add(main);
    }
    Path dir = aptDir.resolve("sources.list.d");
    if (Files.isDirectory(dir)) {
      try (Stream<Path> entries = Files.list(dir)) {
        entries.filter(p -> p.toString().endsWith(".list") || p.toString().endsWith(".sources")).sorted().forEach(files::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return files;
  }

  private static List<Source> read(Path file) {
    try {
      List<String> lines = Files.readAllLines(file);
      return file.toString().endsWith(".sources") ? deb822(lines) : oneLine(lines);
    } catch (IOException e) {
      return List.of();
    }
  }

  /** deb822 stanzas: "Types:", "URIs:", "Suites:" fields, stanzas separated by blank lines. */
  private static List<Source> deb822(List<String> lines) {
    List<Source> sources = new ArrayList<>();
    List<String> stanza = new ArrayList<>();
    for (String line : lines) {
      if (line.isBlank()) {
        addStanza(stanza, sources);
        stanza.clear();
      } else if (!line.startsWith("#")) {
        stanza.add(line);
      }
    }
    addStanza(stanza, sources);
    return sources;
  }

  private static void addStanza(List<String> stanza, List<Source> sources) {
    if (stanza.isEmpty()) {
      return;
    }
    if (field(stanza, "Enabled").equals(List.of("no"))) {
      return;
    }
    sources.add(new Source(field(stanza, "Types"), field(stanza, "URIs"), field(stanza, "Suites")));
  }

  private static List<String> field(List<String> stanza, String name) {
    return stanza.stream().filter(l -> l.regionMatches(true, 0, name + ":", 0, name.length() + 1))
        .findFirst().map(l -> List.of(l.substring(name.length() + 1).trim().split("\\s+"))).orElse(List.of());
  }

  /** One-line style: {@code deb [options] uri suite component...}. */
  private static List<Source> oneLine(List<String> lines) {
    List<Source> sources = new ArrayList<>();
    for (String raw : lines) {
      String line = raw.replaceAll("#.*", "").replaceAll("\\[[^]]*]", " ").trim();
      String[] words = line.split("\\s+");
      if (words.length >= 3) {
        sources.add(new Source(List.of(words[0]), List.of(words[1]), List.of(words[2])));
      }
    }
    return sources;
  }
}
