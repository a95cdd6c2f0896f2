package dev.vkj.runner;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/** Runs {@code vk-runner} in the test JVM and keeps the exit code and output. */
record Runs(int exitCode, String out, String err) {
  static Runs run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        Main.execute(
            env, new PrintWriter(out), new PrintWriter(err), RunnerLifecycle.manual(), args);
    return new Runs(code, out.toString(), err.toString());
  }

  static Runs run(String... args) {
    return run(Map.of(), args);
  }

  @Override
  public String toString() {
    return "exit " + exitCode + "\nstdout:\n" + out + "\nstderr:\n" + err;
  }
}
