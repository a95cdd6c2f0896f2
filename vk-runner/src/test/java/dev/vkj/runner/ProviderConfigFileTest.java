package dev.vkj.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vkj.core.VkjException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ProviderConfigFileTest {
  @TempDir Path dir;

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  @Test
  void yaml() throws IOException {
    Path file =
        write(
            "aci.yaml",
            """
            # comment
            resourceGroup: vk
            cpu: 20
            enabled: true
            empty:
            azure:
              region: westeurope
              retry:
                attempts: 3
            """);

    assertThat(ProviderConfigFile.read(file, Map.of()))
        .containsExactly(
            Map.entry("resourceGroup", "vk"),
            Map.entry("cpu", "20"),
            Map.entry("enabled", "true"),
            Map.entry("empty", ""),
            Map.entry("azure.region", "westeurope"),
            Map.entry("azure.retry.attempts", "3"));
  }

  @Test
  void json() throws IOException {
    Path file = write("mock.json", "{\"cpu\": \"8\", \"pods\": 110, \"nested\": {\"a\": \"b\"}}");

    assertThat(ProviderConfigFile.read(file, Map.of()))
        .isEqualTo(Map.of("cpu", "8", "pods", "110", "nested.a", "b"));
  }

  @Test
  void properties() throws IOException {
    Path file = write("mock.properties", "# comment\ncpu=8\nmemory = 16Gi\nlabel.zone: a\n");

    assertThat(ProviderConfigFile.read(file, Map.of()))
        .isEqualTo(Map.of("cpu", "8", "memory", "16Gi", "label.zone", "a"));
  }

  @Test
  void emptyFileIsAnEmptyConfig() throws IOException {
    assertThat(ProviderConfigFile.read(write("empty.yaml", ""), Map.of())).isEmpty();
  }

  @Test
  void environmentReferences() throws IOException {
    Path file = write("c.yaml", "token: ${ENV:API_TOKEN}\nurl: https://${ENV:HOST}:443/x\n");

    assertThat(ProviderConfigFile.read(file, Map.of("API_TOKEN", "t0k$n", "HOST", "example")))
        .isEqualTo(Map.of("token", "t0k$n", "url", "https://example:443/x"));
  }

  @Test
  void unsetEnvironmentReferenceNamesKeyAndVariable() throws IOException {
    Path file = write("c.yaml", "token: ${ENV:API_TOKEN}\n");

    assertThatThrownBy(() -> ProviderConfigFile.read(file, Map.of()))
        .isInstanceOf(VkjException.class)
        .hasMessageContaining("key 'token'")
        .hasMessageContaining("'API_TOKEN'");
  }

  @Test
  void listsAreRejectedByKey() throws IOException {
    Path file = write("c.yaml", "zones:\n  - a\n  - b\n");

    assertThatThrownBy(() -> ProviderConfigFile.read(file, Map.of()))
        .isInstanceOf(VkjException.class)
        .hasMessageContaining("key 'zones'");
  }

  @Test
  void topLevelMustBeAMapping() throws IOException {
    Path file = write("c.yaml", "- a\n- b\n");

    assertThatThrownBy(() -> ProviderConfigFile.read(file, Map.of()))
        .isInstanceOf(VkjException.class)
        .hasMessageContaining("expected a mapping");
  }

  @Test
  void parseErrorsGiveThePositionButNotTheContent() throws IOException {
    Path file = write("c.yaml", "user: admin\npassword: \"hunter2\n");
    Path json = write("c.json", "{\"password\": \"hunter2\",, }");

    assertThatThrownBy(() -> ProviderConfigFile.read(file, Map.of()))
        .isInstanceOf(VkjException.class)
        .hasMessageContaining("cannot parse provider config file '" + file + "'")
        .hasMessageContaining("line ")
        .hasMessageNotContaining("hunter2")
        .satisfies(e -> assertThat(((VkjException) e).code()).isEqualTo(VkjException.Code.CONFIG));
    assertThatThrownBy(() -> ProviderConfigFile.read(json, Map.of()))
        .isInstanceOf(VkjException.class)
        .hasMessageContaining("cannot parse provider config file '" + json + "'")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void duplicateKeysAreRejected() throws IOException {
    Path file = write("c.yaml", "cpu: 1\ncpu: 2\n");

    assertThatThrownBy(() -> ProviderConfigFile.read(file, Map.of()))
        .isInstanceOf(VkjException.class)
        .hasMessageContaining("cpu");
  }

  @Test
  void missingFileIsNamed() {
    Path missing = dir.resolve("nope.yaml");

    assertThatThrownBy(() -> ProviderConfigFile.read(missing, Map.of()))
        .isInstanceOf(VkjException.class)
        .hasMessage("provider config file '" + missing + "' does not exist");
  }

  @Test
  void binaryContentIsRejected() throws IOException {
    Path file = Files.write(dir.resolve("c.yaml"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});

    assertThatThrownBy(() -> ProviderConfigFile.read(file, Map.of()))
        .isInstanceOf(VkjException.class)
        .hasMessageContaining("not UTF-8");
  }
}
