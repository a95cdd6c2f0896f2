package dev.vkj.runner;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code vk-runner}: prints usage when no subcommand is given. */
@Command(
    name = "vk-runner",
    mixinStandardHelpOptions = true,
    versionProvider = VersionInfo.class,
    usageHelpWidth = 100,
    description =
        "Runs a virtual kubelet: a Kubernetes node whose pods run on a provider's backend.",
    footer = {
      "",
      "Run 'vk-runner run --help' for the node options.",
      "Exit codes: 0 ok, 1 runtime failure, 2 bad usage or configuration."
    })
final class RootCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }
}
