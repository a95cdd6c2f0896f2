package dev.vkj.runner;

import dev.vkj.spi.ConfigKey;
import dev.vkj.spi.ProviderFactory;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code vk-runner providers}: every provider found, with its configuration keys. */
@Command(
    name = "providers",
    mixinStandardHelpOptions = true,
    versionProvider = VersionInfo.class,
    usageHelpWidth = 100,
    description =
        "Lists the providers on the class path and under --provider-path, with their"
            + " configuration keys.")
final class ProvidersCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin ProviderPathOption providerPath;

  @Override
  public Integer call() {
    Logging.configure("warn");
    PrintWriter out = spec.commandLine().getOut();
    try (ProviderRegistry registry =
        ProviderRegistry.load(ProvidersCommand.class.getClassLoader(), providerPath.get())) {
      if (registry.entries().isEmpty()) {
        out.println("no providers found");
      }
      for (ProviderRegistry.Entry entry : registry.entries()) {
        print(out, entry);
      }
    }
    out.flush();
    return 0;
  }

  private static void print(PrintWriter out, ProviderRegistry.Entry entry) {
    ProviderFactory factory = entry.factory();
    out.println(factory.name() + "  (" + entry.origin() + ")");
    if (!factory.description().isBlank()) {
      out.println("  " + factory.description());
    }
    List<ConfigKey> keys = factory.configKeys();
    if (keys.isEmpty()) {
      out.println("  no configuration keys");
      out.println();
      return;
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"KEY", "REQUIRED", "SECRET", "DEFAULT", "DESCRIPTION"});
    for (ConfigKey key : keys) {
      String defaultValue =
          key.defaultValue() == null ? "-" : key.secret() ? "****" : key.defaultValue();
      rows.add(
          new String[] {
            key.name(),
            key.required() ? "yes" : "no",
            key.secret() ? "yes" : "no",
            defaultValue,
            key.description()
          });
    }
    int[] widths = new int[4];
    for (String[] row : rows) {
      for (int i = 0; i < widths.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder("  ");
      for (int i = 0; i < widths.length; i++) {
        line.append(row[i]).append(" ".repeat(widths[i] - row[i].length() + 2));
      }
      out.println(line.append(row[4]).toString().stripTrailing());
    }
    out.println();
  }
}
