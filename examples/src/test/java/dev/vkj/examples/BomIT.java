package dev.vkj.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * {@code dev.vkj:vkj-bom} as an application that imports it sees it: Maven's effective POM of the
 * BOM (inheritance and imports applied) manages every published module at the project's version and
 * nothing else, so importing it pins no third-party version.
 */
class BomIT {
  /** Modules of the reactor that are not published to Maven Central. */
  private static final Set<String> UNPUBLISHED =
      Set.of("examples", "charts", "vk-dist", "vk-bench", "vkj-bom");

  private static final String HELP_PLUGIN = "org.apache.maven.plugins:maven-help-plugin:3.5.2";

  @TempDir Path work;

  @Test
  void managesExactlyThePublishedModulesAtTheProjectVersion() throws Exception {
    Path root = projectRoot();
    Element parent = parse(root.resolve("pom.xml"));
    String version = text(parent, "version");
    List<String> modules = children(child(parent, "modules"), "module");
    assertThat(modules).as("root modules").contains("vkj-bom");
    List<String> expected = new ArrayList<>();
    for (String module : modules) {
      if (!UNPUBLISHED.contains(module)) {
        String artifactId = text(parse(root.resolve(module).resolve("pom.xml")), "artifactId");
        expected.add("dev.vkj:" + artifactId + ":" + version);
      }
    }
    assertThat(expected).as("published modules").hasSizeGreaterThanOrEqualTo(8);

    Element bom = effectivePom(root, root.resolve("vkj-bom").resolve("pom.xml"));

    assertThat(text(bom, "groupId") + ":" + text(bom, "artifactId") + ":" + text(bom, "version"))
        .isEqualTo("dev.vkj:vkj-bom:" + version);
    assertThat(text(bom, "packaging")).isEqualTo("pom");
    assertThat(child(bom, "dependencies")).as("dependencies of the BOM").isNull();
    Element management = child(bom, "dependencyManagement");
    assertThat(management).as("dependencyManagement").isNotNull();
    List<Element> dependencies = elements(child(management, "dependencies"), "dependency");
    assertThat(dependencies)
        .extracting(
            d -> text(d, "groupId") + ":" + text(d, "artifactId") + ":" + text(d, "version"))
        .as("what importing vkj-bom manages (effective POM)")
        .containsExactlyInAnyOrderElementsOf(expected);
    // a scope in a BOM would impose it on every application that imports the BOM
    assertThat(dependencies).extracting(d -> text(d, "scope")).containsOnlyNulls();
  }

  @Test
  void carriesTheMetadataMavenCentralRequires() throws Exception {
    Element bom = parse(projectRoot().resolve("vkj-bom").resolve("pom.xml"));
    for (String element : List.of("name", "description", "url")) {
      assertThat(text(bom, element)).as(element).isNotBlank();
    }
    assertThat(text(child(child(bom, "licenses"), "license"), "name")).isNotBlank();
    assertThat(text(child(child(bom, "developers"), "developer"), "name")).isNotBlank();
    assertThat(text(child(bom, "scm"), "connection")).startsWith("scm:git:");
    assertThat(text(child(bom, "scm"), "url")).isNotBlank();
  }

  /** Maven's effective POM of one project, built by the project's own Maven wrapper. */
  private Element effectivePom(Path root, Path pom) throws Exception {
    Path output = work.resolve("effective-pom.xml");
    Path log = work.resolve("maven.log");
    List<String> command = new ArrayList<>();
    command.add(root.resolve("mvnw").toString());
    command.add("-B");
    command.add("-q");
    if ("offline=true".equals(System.getProperty("vkj.maven.settings"))) {
      command.add("-o");
    }
    command.addAll(
        List.of("-f", pom.toString(), HELP_PLUGIN + ":effective-pom", "-Doutput=" + output));
    Process maven =
        new ProcessBuilder(command)
            .directory(root.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (!maven.waitFor(5, TimeUnit.MINUTES)) {
      maven.destroyForcibly();
      throw new AssertionError("effective-pom did not finish: " + Files.readString(log));
    }
    assertThat(maven.exitValue())
        .as("%s\n%s", String.join(" ", command), Files.readString(log))
        .isZero();
    return parse(output);
  }

  private static Path projectRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.exists(dir.resolve("mvnw")) && Files.exists(dir.resolve("vkj-bom"))) {
        return dir;
      }
    }
    throw new AssertionError("no project root above " + Path.of("").toAbsolutePath());
  }

  private static Element parse(Path file) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    try {
      return factory.newDocumentBuilder().parse(file.toFile()).getDocumentElement();
    } catch (IOException e) {
      throw new AssertionError("cannot read " + file, e);
    }
  }

  /** The direct child element of that name, or null. */
  private static Element child(Element parent, String name) {
    List<Element> found = elements(parent, name);
    return found.isEmpty() ? null : found.get(0);
  }

  private static List<Element> elements(Element parent, String name) {
    List<Element> found = new ArrayList<>();
    if (parent == null) {
      return found;
    }
    for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
      if (node instanceof Element element && name.equals(element.getTagName())) {
        found.add(element);
      }
    }
    return found;
  }

  private static List<String> children(Element parent, String name) {
    return elements(parent, name).stream().map(e -> e.getTextContent().strip()).toList();
  }

  /** The text of the direct child element of that name, or null. */
  private static String text(Element parent, String name) {
    Element element = child(parent, name);
    return element == null ? null : element.getTextContent().strip();
  }
}
