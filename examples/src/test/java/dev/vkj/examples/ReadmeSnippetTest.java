package dev.vkj.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's embedding snippet compiles against vkj as it is now. The convention: the first
 * {@code ```java} block under the heading {@value #HEADING} is a whole compilation unit (imports
 * and one public top-level type), so a reader can copy it into a file of that type's name.
 */
class ReadmeSnippetTest {
  static final String HEADING = "## Embedding vkj in your application";
  private static final Pattern PUBLIC_TYPE =
      Pattern.compile(
          "^public\\s+(?:final\\s+|abstract\\s+)*(?:class|interface|record|enum)\\s+(\\w+)",
          Pattern.MULTILINE);

  @TempDir Path work;

  @Test
  void embeddingSnippetCompiles() throws IOException {
    String snippet = javaBlockUnder(Files.readString(readme()), HEADING);

    List<Diagnostic<? extends JavaFileObject>> errors = compile(snippet);

    assertThat(errors)
        .as("compiling the java block under '%s' of README.md:\n%s", HEADING, snippet)
        .extracting(ReadmeSnippetTest::describe)
        .isEmpty();
  }

  @Test
  void aSnippetThatDoesNotCompileFailsWithTheCompilersDiagnostics() throws IOException {
    String broken =
        "import dev.vkj.core.VirtualKubelet;\n"
            + "public final class Broken {\n"
            + "  void run() { VirtualKubelet.builder().noSuchOption(1); }\n"
            + "}\n";

    assertThat(compile(broken))
        .extracting(ReadmeSnippetTest::describe)
        .singleElement()
        .asString()
        .contains("Broken.java:3")
        .contains("noSuchOption");
  }

  @Test
  void extractsTheFirstJavaBlockOfTheSectionOnly() {
    String markdown =
        "# Title\n```java\nclass Before {}\n```\n"
            + HEADING
            + "\ntext\n```yaml\na: b\n```\n```java\nclass Mine {}\n```\n```java\nclass Second {}\n```\n"
            + "## Next\n```java\nclass After {}\n```\n";

    assertThat(javaBlockUnder(markdown, HEADING)).isEqualTo("class Mine {}\n");
  }

  @Test
  void aSectionWithoutJavaBlockIsAClearError() {
    String markdown = HEADING + "\nno code here\n## Next\n```java\nclass After {}\n```\n";

    assertThatThrownBy(() -> javaBlockUnder(markdown, HEADING))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("no ```java block under '" + HEADING + "'");
    assertThatThrownBy(() -> javaBlockUnder("# Other\n", HEADING))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("no heading '" + HEADING + "'");
  }

  /** The first {@code ```java} block between {@code heading} and the next heading of its level. */
  static String javaBlockUnder(String markdown, String heading) {
    List<String> lines = markdown.lines().toList();
    int start = lines.indexOf(heading);
    if (start < 0) {
      throw new AssertionError("README.md has no heading '" + heading + "'");
    }
    String level = heading.substring(0, heading.indexOf(' ') + 1);
    for (int i = start + 1; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.startsWith(level)) {
        break;
      }
      if (line.strip().equals("```java")) {
        StringBuilder block = new StringBuilder();
        for (int j = i + 1; j < lines.size(); j++) {
          if (lines.get(j).strip().equals("```")) {
            return block.toString();
          }
          block.append(lines.get(j)).append('\n');
        }
        throw new AssertionError("the ```java block under '" + heading + "' is not closed");
      }
    }
    throw new AssertionError("README.md has no ```java block under '" + heading + "'");
  }

  /** Compiles one compilation unit against the test classpath; returns the errors. */
  private List<Diagnostic<? extends JavaFileObject>> compile(String source) throws IOException {
    Matcher type = PUBLIC_TYPE.matcher(source);
    assertThat(type.find())
        .as("the snippet declares a public top-level type:\n%s", source)
        .isTrue();
    Path file = work.resolve(type.group(1) + ".java");
    Files.writeString(file, source);
    Path classes = Files.createDirectories(work.resolve("classes"));

    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    assertThat(compiler).as("a JDK with javac").isNotNull();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager files =
        compiler.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
      List<String> options =
          List.of(
              "--release",
              "17",
              "-proc:none",
              "-classpath",
              System.getProperty("java.class.path"),
              "-d",
              classes.toString());
      compiler
          .getTask(
              new StringWriter(), files, diagnostics, options, null, files.getJavaFileObjects(file))
          .call();
    }
    return diagnostics.getDiagnostics().stream()
        .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
        .collect(Collectors.toList());
  }

  private static String describe(Diagnostic<? extends JavaFileObject> d) {
    String name =
        d.getSource() == null ? "?" : Path.of(d.getSource().getName()).getFileName().toString();
    return name + ":" + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT);
  }

  /** README.md of the project: the first one found walking up from the working directory. */
  private static Path readme() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("README.md");
      if (Files.exists(candidate) && Files.exists(dir.resolve("examples"))) {
        return candidate;
      }
    }
    throw new AssertionError("no README.md above " + Path.of("").toAbsolutePath());
  }
}
