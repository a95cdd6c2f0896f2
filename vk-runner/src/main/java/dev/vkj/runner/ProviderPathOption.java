package dev.vkj.runner;

import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --provider-path}, shared by {@code run} and {@code providers}. */
final class ProviderPathOption {
  @Env("VKJ_PROVIDER_PATH")
  @Option(
      names = "--provider-path",
      paramLabel = "DIR",
      description = {
        "Folder of provider jars, or of one sub-folder of jars per provider; each gets its own"
            + " class loader. Providers on the class path are always available.",
        "Env: VKJ_PROVIDER_PATH."
      })
  Path providerPath;

  Optional<Path> get() {
    return Optional.ofNullable(providerPath);
  }
}
