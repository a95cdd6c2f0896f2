package dev.vkj.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The {@code Dockerfile} at the repository root, checked without Docker after {@code package}:
 * everything it copies exists, and the entrypoint and provider path it names are in the
 * distribution it copies.
 */
class DockerfileIT {
  private static final Path ROOT = Path.of(System.getProperty("vkj.root.dir", ".."));
  private static final Pattern QUOTED = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

  /** An instruction and its arguments, continuation lines joined. */
  private record Instruction(String keyword, String arguments) {}

  /** One COPY or ADD: sources relative to the build context, the destination in the image. */
  private record Copy(List<String> sources, String destination) {}

  @Test
  void everyCopySourceExistsAfterPackage() throws IOException {
    List<Copy> copies = copies(instructions());

    assertThat(copies).isNotEmpty();
    for (Copy copy : copies) {
      for (String source : copy.sources()) {
        assertThat(ROOT.resolve(source)).as("COPY source " + source).exists();
      }
    }
  }

  @Test
  void theEntrypointIsTheLauncherOfTheCopiedDistribution() throws IOException {
    List<Instruction> instructions = instructions();

    List<String> entrypoint = jsonArray(single(instructions, "ENTRYPOINT"));
    Path launcher = inBuildContext(copies(instructions), entrypoint.get(0));

    assertThat(launcher).isRegularFile().isExecutable();
    assertThat(launcher.toRealPath())
        .isEqualTo(Launcher.home().resolve("bin").resolve("vk-runner"));
    assertThat(jsonArray(single(instructions, "CMD"))).containsExactly("run");
  }

  @Test
  void theProviderPathHoldsEveryProviderFolder() throws IOException {
    List<Instruction> instructions = instructions();

    String providerPath = env(instructions).get("VKJ_PROVIDER_PATH");
    Path providers = inBuildContext(copies(instructions), providerPath);

    assertThat(providers).isDirectory();
    assertThat(providers.resolve("mock")).isDirectory();
    assertThat(providers.resolve("azure")).isDirectory();
    assertThat(providers.resolve("fargate")).isDirectory();
  }

  @Test
  void theImageRunsAsNonRootOnJava17() throws IOException {
    List<Instruction> instructions = instructions();

    assertThat(single(instructions, "FROM")).isEqualTo("eclipse-temurin:17-jre");
    assertThat(single(instructions, "USER")).isEqualTo("65532:65532");
  }

  /** Where an absolute path of the image comes from in the build context, through the COPYs. */
  private static Path inBuildContext(List<Copy> copies, String imagePath) {
    for (Copy copy : copies) {
      String destination =
          copy.destination().endsWith("/") ? copy.destination() : copy.destination() + "/";
      if (copy.sources().size() == 1 && imagePath.startsWith(destination)) {
        return ROOT.resolve(copy.sources().get(0))
            .resolve(imagePath.substring(destination.length()));
      }
    }
    throw new AssertionError(imagePath + " is not copied by any COPY of the Dockerfile");
  }

  private static List<Copy> copies(List<Instruction> instructions) {
    List<Copy> copies = new ArrayList<>();
    for (Instruction instruction : instructions) {
      if (!instruction.keyword().equals("COPY") && !instruction.keyword().equals("ADD")) {
        continue;
      }
      List<String> words =
          instruction.arguments().startsWith("[")
              ? jsonArray(instruction.arguments())
              : Arrays.asList(instruction.arguments().split("\\s+"));
      if (words.stream().anyMatch(w -> w.startsWith("--from="))) {
        continue; // from another stage or image, not from the build context
      }
      List<String> rest = words.stream().filter(w -> !w.startsWith("--")).toList();
      assertThat(rest).as(instruction.toString()).hasSizeGreaterThanOrEqualTo(2);
      copies.add(
          new Copy(List.copyOf(rest.subList(0, rest.size() - 1)), rest.get(rest.size() - 1)));
    }
    return copies;
  }

  private static Map<String, String> env(List<Instruction> instructions) {
    Map<String, String> env = new LinkedHashMap<>();
    Matcher pairs =
        Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"(?:[^\"\\\\]|\\\\.)*\"|\\S+)").matcher("");
    for (Instruction instruction : instructions) {
      if (instruction.keyword().equals("ENV")) {
        pairs.reset(instruction.arguments());
        while (pairs.find()) {
          String value = pairs.group(2);
          env.put(
              pairs.group(1),
              value.startsWith("\"") ? value.substring(1, value.length() - 1) : value);
        }
      }
    }
    return env;
  }

  private static String single(List<Instruction> instructions, String keyword) {
    List<String> found =
        instructions.stream()
            .filter(i -> i.keyword().equals(keyword))
            .map(Instruction::arguments)
            .toList();
    assertThat(found).as(keyword).hasSize(1);
    return found.get(0);
  }

  private static List<String> jsonArray(String arguments) {
    assertThat(arguments).as("exec form").startsWith("[").endsWith("]");
    List<String> values = new ArrayList<>();
    Matcher matcher = QUOTED.matcher(arguments);
    while (matcher.find()) {
      values.add(matcher.group(1));
    }
    return values;
  }

  private static List<Instruction> instructions() throws IOException {
    Path dockerfile = ROOT.resolve("Dockerfile");
    assertThat(dockerfile).isRegularFile();
    List<Instruction> instructions = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : Files.readAllLines(dockerfile)) {
      String trimmed = line.strip();
      if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.isEmpty())) {
        continue;
      }
      if (trimmed.endsWith("\\")) {
        current.append(trimmed, 0, trimmed.length() - 1).append(' ');
        continue;
      }
      current.append(trimmed);
      Optional.of(current.toString().strip())
          .filter(s -> !s.isEmpty())
          .ifPresent(
              s -> {
                String[] parts = s.split("\\s+", 2);
                instructions.add(
                    new Instruction(parts[0].toUpperCase(), parts.length > 1 ? parts[1] : ""));
              });
      current.setLength(0);
    }
    return instructions;
  }
}
