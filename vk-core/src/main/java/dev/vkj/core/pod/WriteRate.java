package dev.vkj.core.pod;

/**
 * Writes per second over the last second, as a sliding-window estimate: the previous whole second
 * counts in proportion to how much of it the window still covers. Two counters instead of one entry
 * per write, so marking costs the same at 5 and at 500 writes per second.
 */
final class WriteRate {
  private static final long SECOND = 1_000_000_000L;

  private long windowStart;
  private long current;
  private long previous;

  WriteRate(long now) {
    this.windowStart = now;
  }

  synchronized void mark(long now) {
    roll(now);
    current++;
  }

  synchronized double perSecond(long now) {
    roll(now);
    double covered = 1 - (double) (now - windowStart) / SECOND;
    return previous * covered + current;
  }

  private void roll(long now) {
    long elapsed = now - windowStart;
    if (elapsed < SECOND) {
      return;
    }
    long windows = elapsed / SECOND;
    previous = windows == 1 ? current : 0;
    current = 0;
    windowStart += windows * SECOND;
  }
}
