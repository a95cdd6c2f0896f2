package dev.vkj.provider.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.LogOptions;
import dev.vkj.spi.ProviderException;
import dev.vkj.testing.Eventually;
import dev.vkj.testing.PodFixtures;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MockLogsTest {
  private MockHarness mock;

  @BeforeEach
  void setUp() throws Exception {
    mock = MockHarness.withDefaults();
  }

  @AfterEach
  void tearDown() {
    mock.close();
  }

  @Test
  void oneDeterministicLinePerIntervalSinceStart() throws Exception {
    startWeb();
    mock.advance(12); // started at 12:00:02, now 12:00:12
    assertThat(read(LogOptions.defaults()))
        .isEqualTo(lines(1, 11).stream().map(n -> line(n) + "\n").collect(Collectors.joining()));
  }

  @Test
  void timestampsUseTheKubeletNanoFormat() throws Exception {
    startWeb();
    mock.advance(3);
    assertThat(read(options(-1, -1, true, false, false, null)))
        .isEqualTo(
            "2026-11-26T12:00:02.000000000Z line 1 from default/web-1/app\n"
                + "2026-11-26T12:00:03.000000000Z line 2 from default/web-1/app\n");
  }

  @Test
  void tailSinceAndLimitSelectLines() throws Exception {
    startWeb();
    mock.advance(12);
    assertThat(read(options(3, -1, false, false, false, null)))
        .isEqualTo(line(9) + "\n" + line(10) + "\n" + line(11) + "\n");
    assertThat(read(options(0, -1, false, false, false, null))).isEmpty();
    assertThat(read(options(-1, -1, false, false, false, Instant.parse("2026-11-26T12:00:10Z"))))
        .isEqualTo(line(9) + "\n" + line(10) + "\n" + line(11) + "\n");
    assertThat(
            read(options(-1, -1, false, false, false, Instant.parse("2026-11-26T12:00:10.500Z"))))
        .startsWith(line(10) + "\n");
    assertThat(read(options(-1, 10, false, false, false, null))).isEqualTo("line 1 fro");
    assertThat(read(options(5, -1, false, false, false, Instant.parse("2026-11-26T12:00:11Z"))))
        .isEqualTo(line(10) + "\n" + line(11) + "\n");
  }

  @Test
  void previousShowsTheInstanceBeforeTheRestart() throws Exception {
    Pod pod =
        PodFixtures.pod("web-1")
            .annotation("mock.vkj.dev/exit-after", "5s")
            .container("app", "busybox")
            .build();
    mock.provider.createPod(pod);
    mock.advance(3);
    assertThatThrownBy(() -> open(options(-1, -1, false, false, true, null)))
        .isInstanceOf(ProviderException.class)
        .hasMessage("previous terminated container \"app\" in pod \"web-1\" not found")
        .satisfies(e -> assertThat(((ProviderException) e).code()).isEqualTo(ErrorCode.NOT_FOUND));

    mock.advance(6); // first instance ran 02..07; second started at 07; now 09
    assertThat(read(options(-1, -1, false, false, true, null)))
        .isEqualTo(lines(1, 6).stream().map(n -> line(n) + "\n").collect(Collectors.joining()));
    assertThat(read(LogOptions.defaults()))
        .isEqualTo(line(1) + "\n" + line(2) + "\n" + line(3) + "\n");
  }

  @Test
  void containerThatNeverStartedHasNoLog() throws Exception {
    startWeb();
    assertThatThrownBy(() -> open(LogOptions.defaults()))
        .isInstanceOf(ProviderException.class)
        .hasMessage("container \"app\" in pod \"web-1\" is waiting to start: ContainerCreating");
    mock.advance(2);
    assertThatThrownBy(
            () -> mock.provider.containerLogs("default", "web-1", "nope", LogOptions.defaults()))
        .isInstanceOf(ProviderException.class)
        .satisfies(e -> assertThat(((ProviderException) e).code()).isEqualTo(ErrorCode.NOT_FOUND));
    assertThatThrownBy(
            () -> mock.provider.containerLogs("default", "nobody", "app", LogOptions.defaults()))
        .isInstanceOf(ProviderException.class)
        .satisfies(e -> assertThat(((ProviderException) e).code()).isEqualTo(ErrorCode.NOT_FOUND));
  }

  @Test
  void followEmitsLinesAsTheyAreDueAndEndsWithTheContainer() throws Exception {
    Pod pod =
        PodFixtures.pod("web-1")
            .restartPolicy("Never")
            .annotation("mock.vkj.dev/exit-after", "10s")
            .container("app", "busybox")
            .build();
    mock.provider.createPod(pod);
    mock.advance(4); // lines 1..3 are due
    List<String> received = new CopyOnWriteArrayList<>();
    CountDownLatch ended = new CountDownLatch(1);
    InputStream stream = open(options(-1, -1, false, true, false, null));
    Thread reader = readInBackground(stream, received, ended);

    Eventually.within(Duration.ofSeconds(5)).until(() -> received.size() == 3);
    assertThat(ended.getCount()).isEqualTo(1);
    mock.advance(1);
    Eventually.within(Duration.ofSeconds(5)).until(() -> received.size() == 4);
    assertThat(received.get(3)).isEqualTo(line(4));

    mock.advance(20); // the container exited at 12:00:12 after writing line 11
    assertThat(ended.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(received)
        .containsExactlyElementsOf(lines(1, 11).stream().map(MockLogsTest::line).toList());
    reader.join(1000);
  }

  @Test
  void closingAFollowStreamUnblocksTheReader() throws Exception {
    startWeb();
    mock.advance(2);
    List<String> received = new CopyOnWriteArrayList<>();
    CountDownLatch ended = new CountDownLatch(1);
    InputStream stream = open(options(-1, -1, false, true, false, null));
    readInBackground(stream, received, ended);
    Eventually.within(Duration.ofSeconds(5)).until(() -> received.size() == 1);
    assertThat(ended.getCount()).isEqualTo(1);
    stream.close();
    assertThat(ended.await(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void followWithLimitBytesStops() throws Exception {
    startWeb();
    mock.advance(2);
    InputStream stream = open(options(-1, 45, false, true, false, null));
    CountDownLatch ended = new CountDownLatch(1);
    List<String> received = new CopyOnWriteArrayList<>();
    readInBackground(stream, received, ended);
    mock.advance(5);
    assertThat(ended.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(String.join("\n", received)).hasSize(45);
  }

  private Thread readInBackground(InputStream stream, List<String> received, CountDownLatch ended) {
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader lines =
                  new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String text;
                while ((text = lines.readLine()) != null) {
                  received.add(text);
                }
              } catch (Exception e) {
                received.add("ERROR " + e);
              } finally {
                ended.countDown();
              }
            });
    reader.setDaemon(true);
    reader.start();
    return reader;
  }

  private void startWeb() throws ProviderException {
    mock.provider.createPod(PodFixtures.pod("web-1").container("app", "busybox").build());
  }

  private InputStream open(LogOptions options) throws ProviderException {
    return mock.provider.containerLogs("default", "web-1", "app", options);
  }

  private String read(LogOptions options) throws Exception {
    try (InputStream in = open(options)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static LogOptions options(
      int tail, long limit, boolean timestamps, boolean follow, boolean previous, Instant since) {
    return new LogOptions(
        tail < 0 ? OptionalInt.empty() : OptionalInt.of(tail),
        limit < 0 ? OptionalLong.empty() : OptionalLong.of(limit),
        timestamps,
        follow,
        previous,
        Optional.ofNullable(since));
  }

  private static List<Integer> lines(int from, int to) {
    return IntStream.rangeClosed(from, to).boxed().toList();
  }

  private static String line(int n) {
    return "line " + n + " from default/web-1/app";
  }
}
