package dev.vkj.runner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A kubeconfig for a test API server (the fabric8 mock server), with a dummy token. */
final class TestKubeconfig {
  private TestKubeconfig() {}

  static Path write(Path file, String server) throws IOException {
    return Files.writeString(
        file,
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: mock
          cluster: {server: "%s", insecure-skip-tls-verify: true}
        users:
        - name: test
          user: {token: "not-a-real-token"}
        contexts:
        - name: mock
          context: {cluster: mock, user: test, namespace: default}
        current-context: mock
        """
            .formatted(server));
  }
}
