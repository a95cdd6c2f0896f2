package dev.vkj.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** {@code target/vkj-<version>.tar.gz}: one top folder holding the tree of {@code target/vkj}. */
class ArchiveIT {
  @Test
  void theArchiveHoldsTheUnpackedTreeUnderOneVersionedFolder() throws IOException {
    String version = System.getProperty("vkj.version");
    Path archive = Path.of(System.getProperty("vkj.dist.archive"));
    assertThat(archive).isRegularFile();
    String top = "vkj-" + version + "/";

    Map<String, Integer> entries = TarEntries.read(archive);

    assertThat(entries.keySet()).allMatch(name -> name.startsWith(top));
    Set<String> files =
        entries.keySet().stream()
            .filter(name -> !name.endsWith("/"))
            .map(name -> name.substring(top.length()))
            .collect(Collectors.toCollection(TreeSet::new));
    assertThat(files).containsExactlyElementsOf(filesOf(Launcher.home()));
    assertThat(files).contains("bin/vk-runner", "README.md", "LICENSE");
    assertThat(entries.get(top + "bin/vk-runner") & 0777).isEqualTo(0755);
  }

  private static Set<String> filesOf(Path home) throws IOException {
    try (Stream<Path> all = Files.walk(home)) {
      return all.filter(Files::isRegularFile)
          .map(p -> home.relativize(p).toString())
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }
}
