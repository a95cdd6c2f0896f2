package dev.vkj.toolkit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Keeps what a stream has seen of a log and returns, for each fetched chunk, the lines not seen
 * before. One rule per chunk, the most exact the chunk allows:
 *
 * <ol>
 *   <li>by position, when the chunk says where its first line is (and earlier chunks did): exact;
 *   <li>by timestamp and text, when every line has a timestamp: a line older than the newest seen
 *       is old; at the newest instant, as many copies of a text as were seen are old;
 *   <li>by overlap otherwise: the longest run at the end of the previous chunk that starts the new
 *       one is old. Without positions or timestamps, repeated identical lines across windows can be
 *       taken for old ones; with no overlap at all (the window moved past everything seen), every
 *       line is new and what fell between the windows is lost.
 * </ol>
 */
final class LogDeduplicator {
  private boolean seenAny;
  private long nextIndex = -1;
  private Instant lastTimestamp;
  private Map<String, Integer> seenAtLast = new HashMap<>();
  private List<String> previous = List.of();

  OptionalLong nextIndex() {
    return nextIndex < 0 ? OptionalLong.empty() : OptionalLong.of(nextIndex);
  }

  Instant lastTimestamp() {
    return lastTimestamp;
  }

  /** The lines of {@code chunk} not seen before, and records them as seen. */
  List<LogLine> accept(LogChunk chunk) {
    List<LogLine> lines = chunk.lines();
    List<LogLine> fresh;
    // positions only compare with positions: a source that starts giving them later is matched
    // by the other rules until then
    if (chunk.firstIndex().isPresent() && (nextIndex >= 0 || !seenAny)) {
      fresh = byPosition(chunk.firstIndex().getAsLong(), lines);
    } else if (!lines.isEmpty() && lines.stream().allMatch(l -> l.timestamp() != null)) {
      fresh = byTimestamp(lines);
    } else {
      fresh = byOverlap(lines);
    }
    remember(chunk, fresh);
    seenAny = true;
    return fresh;
  }

  private List<LogLine> byPosition(long first, List<LogLine> lines) {
    if (nextIndex < 0) {
      return lines;
    }
    int skip = (int) Math.min(lines.size(), Math.max(0, nextIndex - first));
    return lines.subList(skip, lines.size());
  }

  private List<LogLine> byTimestamp(List<LogLine> lines) {
    if (lastTimestamp == null) {
      return lines;
    }
    Map<String, Integer> old = new HashMap<>(seenAtLast);
    List<LogLine> out = new ArrayList<>();
    for (LogLine l : lines) {
      int cmp = l.timestamp().compareTo(lastTimestamp);
      if (cmp < 0) {
        continue;
      }
      if (cmp == 0) {
        Integer left = old.get(l.text());
        if (left != null && left > 0) {
          old.put(l.text(), left - 1);
          continue;
        }
      }
      out.add(l);
    }
    return out;
  }

  private List<LogLine> byOverlap(List<LogLine> lines) {
    List<String> current = texts(lines);
    int overlap = longestSuffixPrefix(previous, current);
    return lines.subList(overlap, lines.size());
  }

  private void remember(LogChunk chunk, List<LogLine> fresh) {
    List<LogLine> lines = chunk.lines();
    if (chunk.firstIndex().isPresent()) {
      nextIndex = Math.max(nextIndex, chunk.firstIndex().getAsLong() + lines.size());
    }
    for (LogLine l : fresh) {
      Instant at = l.timestamp();
      if (at == null) {
        continue;
      }
      if (lastTimestamp == null || at.isAfter(lastTimestamp)) {
        lastTimestamp = at;
        seenAtLast = new HashMap<>();
      }
      if (at.equals(lastTimestamp)) {
        seenAtLast.merge(l.text(), 1, Integer::sum);
      }
    }
    previous = texts(lines);
  }

  private static List<String> texts(List<LogLine> lines) {
    List<String> out = new ArrayList<>(lines.size());
    lines.forEach(l -> out.add(l.text()));
    return out;
  }

  /** The length of the longest suffix of {@code before} that is a prefix of {@code after} (KMP). */
  static int longestSuffixPrefix(List<String> before, List<String> after) {
    if (before.isEmpty() || after.isEmpty()) {
      return 0;
    }
    int[] fail = new int[after.size()];
    for (int i = 1, k = 0; i < after.size(); i++) {
      while (k > 0 && !after.get(i).equals(after.get(k))) {
        k = fail[k - 1];
      }
      if (after.get(i).equals(after.get(k))) {
        k++;
      }
      fail[i] = k;
    }
    int q = 0;
    for (String s : before) {
      if (q == after.size()) {
        q = fail[q - 1];
      }
      while (q > 0 && !s.equals(after.get(q))) {
        q = fail[q - 1];
      }
      if (s.equals(after.get(q))) {
        q++;
      }
    }
    return q;
  }
}
