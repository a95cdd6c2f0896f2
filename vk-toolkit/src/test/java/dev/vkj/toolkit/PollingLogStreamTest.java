package dev.vkj.toolkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.LogOptions;
import dev.vkj.spi.ProviderException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PollingLogStreamTest {
  private static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");
  private static final Duration POLL = Duration.ofMillis(1);
  private final Clock clock = Clock.fixed(T0.plusSeconds(3600), ZoneOffset.UTC);

  /** A source that answers each fetch with the next scripted chunk, the last one forever. */
  private static final class Scripted implements LogSource {
    private final Deque<Object> script = new ArrayDeque<>();
    private final List<LogRequest> requests = new CopyOnWriteArrayList<>();

    Scripted then(LogChunk chunk) {
      script.add(chunk);
      return this;
    }

    Scripted thenFail(ProviderException e) {
      script.add(e);
      return this;
    }

    @Override
    public synchronized LogChunk fetch(LogRequest request) throws ProviderException {
      requests.add(request);
      Object next = script.size() > 1 ? script.poll() : script.peek();
      if (next instanceof ProviderException e) {
        throw e;
      }
      return (LogChunk) next;
    }
  }

  private static LogOptions options(
      Integer tail, Long limitBytes, boolean timestamps, boolean follow, Instant since) {
    return new LogOptions(
        tail == null ? OptionalInt.empty() : OptionalInt.of(tail),
        limitBytes == null ? OptionalLong.empty() : OptionalLong.of(limitBytes),
        timestamps,
        follow,
        false,
        Optional.ofNullable(since));
  }

  private static LogOptions follow() {
    return options(null, null, false, true, null);
  }

  private static List<LogLine> lines(String... texts) {
    List<LogLine> out = new ArrayList<>();
    for (String t : texts) {
      out.add(LogLine.of(t));
    }
    return out;
  }

  /** Lines "n text" stamped T0 + n seconds. */
  private static List<LogLine> stamped(String... specs) {
    List<LogLine> out = new ArrayList<>();
    for (String s : specs) {
      int space = s.indexOf(' ');
      out.add(
          LogLine.at(
              T0.plusSeconds(Long.parseLong(s.substring(0, space))), s.substring(space + 1)));
    }
    return out;
  }

  private String readAll(LogSource source, LogOptions options) throws Exception {
    try (InputStream in = PollingLogStream.open(source, options, POLL, clock)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void withoutFollowOneFetch() throws Exception {
    Scripted source = new Scripted().then(LogChunk.whole(lines("a", "b", "c"), false));
    assertThat(readAll(source, LogOptions.defaults())).isEqualTo("a\nb\nc\n");
    assertThat(source.requests).hasSize(1);
    assertThat(source.requests.get(0).first()).isTrue();
  }

  @Test
  void tailTakesTheLastLinesOfTheFirstFetch() throws Exception {
    Scripted source = new Scripted().then(LogChunk.whole(lines("a", "b", "c"), true));
    assertThat(readAll(source, options(2, null, false, false, null))).isEqualTo("b\nc\n");
    assertThat(readAll(source, options(0, null, false, false, null))).isEmpty();
    assertThat(readAll(source, options(10, null, false, false, null))).isEqualTo("a\nb\nc\n");
  }

  @Test
  void sinceKeepsLinesAtOrAfterTheInstantThenTailApplies() throws Exception {
    Scripted source =
        new Scripted().then(LogChunk.whole(stamped("1 a", "2 b", "3 c", "4 d"), true));
    assertThat(readAll(source, options(null, null, false, false, T0.plusSeconds(2))))
        .isEqualTo("b\nc\nd\n");
    assertThat(readAll(source, options(null, null, false, false, T0.plusMillis(2001))))
        .isEqualTo("c\nd\n");
    assertThat(readAll(source, options(1, null, false, false, T0.plusSeconds(2)))).isEqualTo("d\n");
    assertThat(readAll(source, options(null, null, false, false, T0.plusSeconds(5)))).isEmpty();
  }

  @Test
  void timestampsUseTheKubeletFormatAndFirstSeenTimeForUnstampedLines() throws Exception {
    List<LogLine> mixed = new ArrayList<>(stamped("1 a"));
    mixed.add(LogLine.of("b"));
    Scripted source = new Scripted().then(LogChunk.whole(mixed, true));
    assertThat(readAll(source, options(null, null, true, false, null)))
        .isEqualTo("2025-03-01T10:00:01.000000000Z a\n" + "2025-03-01T11:00:00.000000000Z b\n");
  }

  @Test
  void limitBytesCutsTheLastLine() throws Exception {
    Scripted source = new Scripted().then(LogChunk.whole(lines("hello", "world"), false));
    assertThat(readAll(source, options(null, 8L, false, false, null))).isEqualTo("hello\nwo");
    assertThat(readAll(source, options(null, 6L, false, false, null))).isEqualTo("hello\n");
    assertThat(readAll(source, options(null, 1L, false, false, null))).isEqualTo("h");
    // the limit also ends a following stream
    Scripted growing =
        new Scripted()
            .then(LogChunk.whole(lines("hello"), false))
            .then(LogChunk.whole(lines("hello", "world", "again"), false));
    assertThat(readAll(growing, options(null, 9L, false, true, null))).isEqualTo("hello\nwor");
  }

  @Test
  void followOverWholeTextSendsEachLineOnce() throws Exception {
    Scripted source =
        new Scripted()
            .then(LogChunk.whole(lines("a"), false))
            .then(LogChunk.whole(lines("a"), false))
            .then(LogChunk.whole(lines("a", "b", "c"), false))
            .then(LogChunk.whole(lines("a", "b", "c", "a"), false))
            .then(LogChunk.whole(lines("a", "b", "c", "a", "e"), true));
    assertThat(readAll(source, follow())).isEqualTo("a\nb\nc\na\ne\n");
    assertThat(source.requests.get(source.requests.size() - 1).nextIndex()).hasValue(4);
  }

  @Test
  void followOverPositionedChunksSkipsWhatWasSentAndSurvivesGaps() throws Exception {
    Scripted source =
        new Scripted()
            .then(LogChunk.from(0, lines("l0", "l1"), false))
            .then(LogChunk.from(1, lines("l1", "l2", "l3"), false))
            .then(LogChunk.from(2, lines("l2"), false))
            // the backend dropped l4 and l5 before we looked: they cannot be sent
            .then(LogChunk.from(6, lines("l6"), true));
    assertThat(readAll(source, follow())).isEqualTo("l0\nl1\nl2\nl3\nl6\n");
  }

  @Test
  void followOverOverlappingTailWindowsWithoutTimestamps() throws Exception {
    // a backend that only returns its last 3 lines
    Scripted source =
        new Scripted()
            .then(LogChunk.window(lines("a", "b", "c"), false))
            .then(LogChunk.window(lines("a", "b", "c"), false))
            .then(LogChunk.window(lines("b", "c", "d"), false))
            .then(LogChunk.window(lines("d", "e", "f"), false))
            .then(LogChunk.window(lines("e", "f", "g"), true));
    assertThat(readAll(source, follow())).isEqualTo("a\nb\nc\nd\ne\nf\ng\n");
  }

  @Test
  void followOverTimestampedWindowsKeepsRepeatsWithinOneSecond() throws Exception {
    Scripted source =
        new Scripted()
            .then(LogChunk.window(stamped("1 a", "2 tick", "2 tick"), false))
            // one more "tick" in the same second, and a window that has moved on
            .then(LogChunk.window(stamped("2 tick", "2 tick", "2 tick"), false))
            .then(LogChunk.window(stamped("2 tick", "2 tick", "3 b"), false))
            .then(LogChunk.window(stamped("3 b", "4 c", "4 c"), true));
    assertThat(readAll(source, follow())).isEqualTo("a\ntick\ntick\ntick\nb\nc\nc\n");
    assertThat(source.requests.get(source.requests.size() - 1).lastTimestamp())
        .contains(T0.plusSeconds(3));
  }

  @Test
  void pagesAreReadAtOnceWithoutFollow() throws Exception {
    Scripted source =
        new Scripted()
            .then(LogChunk.from(0, lines("p0", "p1"), false).withMore())
            .then(LogChunk.from(2, lines("p2", "p3"), false).withMore())
            .then(LogChunk.from(4, lines("p4"), false))
            .then(LogChunk.from(5, lines("never"), false));
    assertThat(readAll(source, LogOptions.defaults())).isEqualTo("p0\np1\np2\np3\np4\n");
    assertThat(source.requests).extracting(LogRequest::nextIndex).contains(OptionalLong.of(4));
    assertThat(source.requests).hasSize(3);
  }

  @Test
  void tailIsTakenOverEveryPageOfTheFirstRead() throws Exception {
    Scripted source =
        new Scripted()
            .then(LogChunk.from(0, lines("p0", "p1"), false).withMore())
            .then(LogChunk.from(2, lines("p2", "p3"), false).withMore())
            .then(LogChunk.from(4, lines("p4"), true));
    assertThat(readAll(source, options(3, null, false, false, null))).isEqualTo("p2\np3\np4\n");
  }

  @Test
  void followReadsPagesThenPolls() throws Exception {
    Scripted source =
        new Scripted()
            .then(LogChunk.from(0, lines("a"), false))
            .then(LogChunk.from(1, lines("b"), false).withMore())
            .then(LogChunk.from(2, lines("c"), false))
            .then(LogChunk.from(3, lines(), false))
            .then(LogChunk.from(3, lines("d"), true));
    assertThat(readAll(source, follow())).isEqualTo("a\nb\nc\nd\n");
  }

  @Test
  void followWithTailZeroSendsOnlyNewLines() throws Exception {
    Scripted source =
        new Scripted()
            .then(LogChunk.whole(lines("old1", "old2"), false))
            .then(LogChunk.whole(lines("old1", "old2", "new"), true));
    assertThat(readAll(source, options(0, null, false, true, null))).isEqualTo("new\n");
  }

  @Test
  void followSinceAppliesToLaterFetchesToo() throws Exception {
    Scripted source =
        new Scripted()
            .then(LogChunk.window(stamped("1 a"), false))
            // a late line stamped before since (out of order in the backend) stays out
            .then(LogChunk.window(stamped("1 a", "3 b"), false))
            .then(LogChunk.from(0, stamped("1 a", "3 b", "2 late", "4 c"), true));
    assertThat(readAll(source, options(null, null, false, true, T0.plusSeconds(3))))
        .isEqualTo("b\nc\n");
  }

  @Test
  void aGoneContainerEndsTheFollowAndTransientErrorsAreRetried() throws Exception {
    Scripted source =
        new Scripted()
            .then(LogChunk.whole(lines("a"), false))
            .thenFail(ProviderException.transientError("blip", null))
            .then(LogChunk.whole(lines("a", "b"), false))
            .thenFail(ProviderException.notFound("pod is gone"));
    assertThat(readAll(source, follow())).isEqualTo("a\nb\n");
  }

  @Test
  void persistentErrorsEndTheFollowWithAnIoException() throws Exception {
    Scripted source =
        new Scripted()
            .then(LogChunk.whole(lines("a"), false))
            .thenFail(ProviderException.invalidInput("bad request"));
    try (InputStream in = PollingLogStream.open(source, follow(), POLL, clock)) {
      assertThat(in.read(new byte[2])).isEqualTo(2);
      assertThatThrownBy(in::read)
          .isInstanceOf(IOException.class)
          .hasMessage("cannot read the log: bad request (INVALID_INPUT)");
    }
    Scripted flaky =
        new Scripted()
            .then(LogChunk.whole(lines("a"), false))
            .thenFail(ProviderException.transientError("down", null));
    try (InputStream in = PollingLogStream.open(flaky, follow(), POLL, clock)) {
      in.readNBytes(2);
      assertThatThrownBy(in::read).hasMessageContaining("down (TRANSIENT)");
      assertThat(flaky.requests).hasSize(1 + PollingLogStream.MAX_FAILED_POLLS);
    }
  }

  @Test
  void theFirstFetchFailsTheOpen() {
    Scripted source = new Scripted().thenFail(ProviderException.notFound("no such container"));
    assertThatThrownBy(() -> PollingLogStream.open(source, follow(), POLL, clock))
        .isInstanceOf(ProviderException.class)
        .extracting(e -> ((ProviderException) e).code())
        .isEqualTo(ErrorCode.NOT_FOUND);
  }

  @Test
  void closeUnblocksAWaitingRead() throws Exception {
    Scripted source = new Scripted().then(LogChunk.whole(lines("a"), false));
    PollingLogStream in = PollingLogStream.open(source, follow(), Duration.ofMillis(20), clock);
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    CompletableFuture<Void> reader =
        CompletableFuture.runAsync(
            () -> {
              try {
                in.transferTo(seen);
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            });
    // wait until the reader has the first line and is polling for more
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (source.requests.size() < 3 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    in.close();
    reader.get(10, TimeUnit.SECONDS);
    assertThat(seen.toString(StandardCharsets.UTF_8)).isEqualTo("a\n");
  }

  @Test
  void parseSplitsLinesAndKeepsAPartialLastLineOnlyAtTheEnd() {
    assertThat(LogChunk.parse("a\r\nb\n\nc", false, false))
        .containsExactly(LogLine.of("a"), LogLine.of("b"), LogLine.of(""));
    assertThat(LogChunk.parse("a\nc", false, true))
        .containsExactly(LogLine.of("a"), LogLine.of("c"));
    assertThat(LogChunk.parse("", false, true)).isEmpty();
    assertThat(
            LogChunk.parse(
                "2025-03-01T10:00:01.5+01:00 hello world\nnot-a-time x\n2025-03-01T10:00:02Z\n",
                true,
                false))
        .containsExactly(
            LogLine.at(Instant.parse("2025-03-01T09:00:01.5Z"), "hello world"),
            LogLine.of("not-a-time x"),
            LogLine.at(Instant.parse("2025-03-01T10:00:02Z"), ""));
  }

  @Test
  void longestSuffixPrefix() {
    assertThat(LogDeduplicator.longestSuffixPrefix(List.of("a", "b", "c"), List.of("b", "c", "d")))
        .isEqualTo(2);
    assertThat(LogDeduplicator.longestSuffixPrefix(List.of("a", "b"), List.of("a", "b", "c")))
        .isEqualTo(2);
    assertThat(LogDeduplicator.longestSuffixPrefix(List.of("x", "x", "x"), List.of("x", "x")))
        .isEqualTo(2);
    assertThat(
            LogDeduplicator.longestSuffixPrefix(
                List.of("a", "b", "a", "b", "a"), List.of("a", "b", "a", "c")))
        .isEqualTo(3);
    assertThat(LogDeduplicator.longestSuffixPrefix(List.of("a"), List.of("b"))).isZero();
    assertThat(LogDeduplicator.longestSuffixPrefix(List.of(), List.of("b"))).isZero();
  }

  @Test
  void badArgumentsAreRefused() {
    Scripted source = new Scripted().then(LogChunk.whole(lines(), true));
    assertThatThrownBy(() -> PollingLogStream.open(source, follow(), Duration.ZERO, clock))
        .hasMessage("pollInterval must be positive, not PT0S");
    assertThatThrownBy(() -> LogChunk.from(-1, lines(), true))
        .hasMessageContaining("firstIndex must not be negative");
  }
}
