package dev.vkj.provider.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.ProviderException;
import dev.vkj.testing.Eventually;
import dev.vkj.testing.PodFixtures;
import dev.vkj.testing.ProviderConformanceTest.TestAttachIO;
import io.fabric8.kubernetes.api.model.KeyToPathBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MockExecTest {
  private MockHarness mock;
  private Pod pod;

  @BeforeEach
  void setUp() throws Exception {
    mock = MockHarness.withDefaults();
    mock.context
        .resources()
        .putConfigMap(
            "default", "web-config", Map.of("index.html", "<h1>hi</h1>\n", "app.conf", "x=1\n"))
        .putSecret("default", "creds", Map.of("password", "s3cret"));
    pod =
        PodFixtures.pod("web-1")
            .container("app", "nginx", c -> c.env("MODE", "demo").port(80))
            .configMapVolume("cfg", "web-config", "/etc/web")
            .configMapVolume(
                "picked",
                "web-config",
                "/etc/picked",
                List.of(
                    new KeyToPathBuilder().withKey("app.conf").withPath("conf/app.conf").build()))
            .secretVolume("secret", "creds", "/var/run/creds")
            .build();
    mock.provider.createPod(pod);
    mock.advance(2);
  }

  @AfterEach
  void tearDown() {
    mock.close();
  }

  @Test
  void echoPrintsItsArguments() throws Exception {
    TestAttachIO io = io("");
    assertThat(exec(io, "echo", "hello", "world")).isZero();
    assertThat(io.stdoutText()).isEqualTo("hello world\n");
  }

  @Test
  void envShowsTheContainerEnvironment() throws Exception {
    TestAttachIO io = io("");
    assertThat(exec(io, "env")).isZero();
    assertThat(io.stdoutText().lines().toList())
        .startsWith("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
        .contains("HOSTNAME=web-1", "MODE=demo", "HOME=/root");
    TestAttachIO one = io("");
    assertThat(exec(one, "printenv", "MODE")).isZero();
    assertThat(one.stdoutText()).isEqualTo("demo\n");
  }

  @Test
  void catReadsConfigMapAndSecretVolumes() throws Exception {
    TestAttachIO io = io("");
    assertThat(exec(io, "cat", "/etc/web/index.html")).isZero();
    assertThat(io.stdoutText()).isEqualTo("<h1>hi</h1>\n");

    TestAttachIO picked = io("");
    assertThat(exec(picked, "cat", "/etc/picked/conf/app.conf")).isZero();
    assertThat(picked.stdoutText()).isEqualTo("x=1\n");

    TestAttachIO notPicked = io("");
    assertThat(exec(notPicked, "cat", "/etc/picked/index.html")).isEqualTo(1);
    assertThat(notPicked.stderrText())
        .isEqualTo("cat: can't open '/etc/picked/index.html': No such file or directory\n");

    TestAttachIO secret = io("");
    assertThat(exec(secret, "sh", "-c", "cat /var/run/creds/password")).isZero();
    assertThat(secret.stdoutText()).isEqualTo("s3cret");
  }

  @Test
  void lsListsDirectories() throws Exception {
    TestAttachIO io = io("");
    assertThat(exec(io, "ls", "/etc/web")).isZero();
    assertThat(io.stdoutText()).isEqualTo("app.conf\nindex.html\n");
    TestAttachIO root = io("");
    assertThat(exec(root, "ls", "/")).isZero();
    assertThat(root.stdoutText().lines().toList()).contains("etc", "tmp", "var", "usr");
    TestAttachIO missing = io("");
    assertThat(exec(missing, "ls", "/nope")).isEqualTo(1);
    assertThat(missing.stderrText()).isEqualTo("ls: /nope: No such file or directory\n");
  }

  @Test
  void shellScriptsReturnTheirExitCode() throws Exception {
    assertThat(exec(io(""), "sh", "-c", "exit 3")).isEqualTo(3);
    assertThat(exec(io(""), "/bin/bash", "-c", "true && exit 4; exit 5")).isEqualTo(4);
    assertThat(exec(io(""), "false")).isEqualTo(1);
    assertThat(exec(io(""), "true")).isZero();
    TestAttachIO io = io("");
    assertThat(exec(io, "sh", "-c", "echo \"$HOSTNAME\" 'is $MODE' && false || echo fallback $?"))
        .isZero();
    assertThat(io.stdoutText()).isEqualTo("web-1 is $MODE\nfallback 1\n");
  }

  @Test
  void unknownCommandIsNotFound() throws Exception {
    TestAttachIO io = io("");
    assertThat(exec(io, "frobnicate", "--now")).isEqualTo(127);
    assertThat(io.stderrText()).isEqualTo("sh: frobnicate: not found\n");
    TestAttachIO viaShell = io("");
    assertThat(exec(viaShell, "sh", "-c", "frobnicate")).isEqualTo(127);
  }

  @Test
  void unsupportedShellSyntaxIsAClearError() throws Exception {
    TestAttachIO pipe = io("");
    assertThat(exec(pipe, "sh", "-c", "env | grep MODE")).isEqualTo(2);
    assertThat(pipe.stderrText())
        .isEqualTo(
            "sh: pipes, redirections and command substitution are not supported by this shell\n");
    TestAttachIO quote = io("");
    assertThat(exec(quote, "sh", "-c", "echo 'oops")).isEqualTo(2);
    assertThat(quote.stderrText()).isEqualTo("sh: syntax error: unterminated quoted string\n");
    TestAttachIO quoted = io("");
    assertThat(exec(quoted, "sh", "-c", "echo 'a | b > c'")).isZero();
    assertThat(quoted.stdoutText()).isEqualTo("a | b > c\n");
  }

  @Test
  void hostnameAndDateComeFromThePodAndTheClock() throws Exception {
    TestAttachIO io = io("");
    assertThat(exec(io, "sh", "-c", "hostname; date")).isZero();
    assertThat(io.stdoutText()).isEqualTo("web-1\nThu Nov 26 12:00:02 UTC 2026\n");
  }

  @Test
  void catWithoutArgumentsEchoesStdin() throws Exception {
    TestAttachIO io = io("abc\ndef");
    assertThat(exec(io, "cat")).isZero();
    assertThat(io.stdoutText()).isEqualTo("abc\ndef");
  }

  @Test
  void interactiveShellWithTtyBehavesLikeATerminal() throws Exception {
    TestAttachIO io =
        new TestAttachIO(
            ("echo hi\recho oops" + "\u007f".repeat(9) + "exit 5\r")
                .getBytes(StandardCharsets.UTF_8),
            true);
    assertThat(exec(io, "sh")).isEqualTo(5);
    assertThat(io.stdoutText())
        .startsWith("/ # echo hi\r\nhi\r\n/ # ")
        .contains("\b \b")
        .endsWith("exit 5\r\n");
    assertThat(io.stderr()).isEmpty();
  }

  @Test
  void sleepEndsWhenTheClientGoesAway() throws Exception {
    TestAttachIO io = io("");
    CompletableFuture<Integer> result =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return exec(io, "sleep", "30");
              } catch (ProviderException e) {
                throw new IllegalStateException(e);
              }
            });
    io.close();
    assertThat(result.get(5, TimeUnit.SECONDS)).isEqualTo(130);
    assertThat(exec(io(""), "sleep", "0.01")).isZero();
  }

  @Test
  void execNeedsARunningContainer() throws Exception {
    assertThatThrownBy(() -> mock.provider.exec("default", "ghost", "app", List.of("true"), io("")))
        .isInstanceOf(ProviderException.class)
        .satisfies(e -> assertThat(((ProviderException) e).code()).isEqualTo(ErrorCode.NOT_FOUND));
    assertThatThrownBy(
            () -> mock.provider.exec("default", "web-1", "nope", List.of("true"), io("")))
        .isInstanceOf(ProviderException.class)
        .satisfies(e -> assertThat(((ProviderException) e).code()).isEqualTo(ErrorCode.NOT_FOUND));
    Pod starting = PodFixtures.simplePod("starting");
    mock.provider.createPod(starting);
    assertThatThrownBy(
            () -> mock.provider.exec("default", "starting", "app", List.of("true"), io("")))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("is not running (waiting: ContainerCreating)")
        .satisfies(
            e -> assertThat(((ProviderException) e).code()).isEqualTo(ErrorCode.INVALID_INPUT));
  }

  @Test
  void attachStreamsNewLogLinesAndEchoesStdinUntilTheContainerEnds() throws Exception {
    Pod job =
        PodFixtures.pod("job")
            .restartPolicy("Never")
            .annotation("mock.vkj.dev/exit-after", "10s")
            .annotation("mock.vkj.dev/exit-code", "7")
            .container("app", "busybox")
            .build();
    mock.provider.createPod(job);
    mock.advance(2); // job started at 12:00:04; lines 1 is due
    PipedOutputStream typing = new PipedOutputStream();
    TestAttachIO io = new TestAttachIO(new PipedInputStream(typing), false);
    CompletableFuture<Integer> result =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return mock.provider.attach("default", "job", "app", io);
              } catch (ProviderException e) {
                throw new IllegalStateException(e);
              }
            });
    typing.write("hello\n".getBytes(StandardCharsets.UTF_8));
    typing.flush();
    Eventually.within(Duration.ofSeconds(5)).until(() -> io.stdoutText().contains("hello\n"));
    mock.advance(1);
    Eventually.within(Duration.ofSeconds(5))
        .until(() -> io.stdoutText().contains("line 2 from default/job/app\n"));
    mock.advance(20);
    assertThat(result.get(5, TimeUnit.SECONDS)).isEqualTo(7);
    assertThat(io.stdoutText())
        .contains("line 11 from default/job/app\n")
        .doesNotContain("line 1 from")
        .doesNotContain("line 12 from");
    typing.close();
  }

  @Test
  void attachReturnsWhenTheClientCloses() throws Exception {
    TestAttachIO io = io("");
    CompletableFuture<Integer> result =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return mock.provider.attach("default", "web-1", "app", io);
              } catch (ProviderException e) {
                throw new IllegalStateException(e);
              }
            });
    io.close();
    assertThat(result.get(5, TimeUnit.SECONDS)).isZero();
  }

  private int exec(TestAttachIO io, String... command) throws ProviderException {
    return mock.provider.exec("default", "web-1", "app", List.of(command), io);
  }

  private static TestAttachIO io(String stdin) {
    return new TestAttachIO(stdin.getBytes(StandardCharsets.UTF_8), false);
  }
}
