package dev.vkj.core.pod;

import static java.util.Objects.requireNonNull;

import dev.vkj.toolkit.TokenBucket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * A keyed work queue in the style of client-go's rate-limited queue.
 *
 * <ul>
 *   <li>A key that is already queued is not queued twice.
 *   <li>A key added while a worker processes it runs once more after {@link #done}; with {@link
 *       #addUnlessSeen} only if the news is still unseen then.
 *   <li>{@link #addRateLimited} waits for the longer of the key's exponential backoff and the
 *       global token bucket.
 *   <li>{@link #addAfter} schedules a key; an earlier time moves a scheduled key forward.
 * </ul>
 */
final class WorkQueue {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final LinkedHashSet<String> ready = new LinkedHashSet<>();
  private final Set<String> processing = new HashSet<>();
  private final Set<String> dirty = new HashSet<>();
  // keys added while processing that run again only if their check still holds at done
  private final Map<String, BooleanSupplier> dirtyIf = new HashMap<>();
  private final Map<String, Long> scheduled = new HashMap<>();
  private final PriorityQueue<Scheduled> timers = new PriorityQueue<>();
  private final Map<String, Integer> failures = new HashMap<>();
  private final LongSupplier nanoClock;
  private final Duration baseDelay;
  private final Duration maxDelay;
  private final TokenBucket bucket;
  private long sequence;
  private boolean shutdown;

  WorkQueue(Duration baseDelay, Duration maxDelay, double qps, int burst) {
    this(baseDelay, maxDelay, qps, burst, System::nanoTime);
  }

  WorkQueue(Duration baseDelay, Duration maxDelay, double qps, int burst, LongSupplier nanoClock) {
    this.baseDelay = requireNonNull(baseDelay, "baseDelay is null");
    this.maxDelay = requireNonNull(maxDelay, "maxDelay is null");
    this.nanoClock = requireNonNull(nanoClock, "nanoClock is null");
    this.bucket = new TokenBucket(qps, burst, nanoClock.getAsLong());
  }

  /** Queues the key now. */
  void add(String key) {
    requireNonNull(key, "key is null");
    lock.lock();
    try {
      addLocked(key);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Queues the key now, like {@link #add}; but when a worker is processing the key, it runs again
   * only if {@code unseen} still holds when the worker is done. For news the running sync may
   * consume itself (a status the provider pushed), so that a sync that already used it is not
   * followed by one that finds nothing new.
   */
  void addUnlessSeen(String key, BooleanSupplier unseen) {
    requireNonNull(key, "key is null");
    requireNonNull(unseen, "unseen is null");
    lock.lock();
    try {
      if (!shutdown && processing.contains(key) && !dirty.contains(key)) {
        dirtyIf.put(key, unseen);
        return;
      }
      addLocked(key); // idle, or already due to run again whatever the check says
    } finally {
      lock.unlock();
    }
  }

  /** Queues the key after the delay; a non-positive delay queues it now. */
  void addAfter(String key, Duration delay) {
    requireNonNull(key, "key is null");
    if (delay.isNegative() || delay.isZero()) {
      add(key);
      return;
    }
    lock.lock();
    try {
      if (shutdown) {
        return;
      }
      long due = nanoClock.getAsLong() + delay.toNanos();
      Long current = scheduled.get(key);
      if (current != null && current - due <= 0) {
        return; // already scheduled earlier
      }
      if (current != null) {
        // one timer per key: a key re-scheduled on every sync must not pile up stale timers
        timers.removeIf(t -> t.key().equals(key));
      }
      scheduled.put(key, due);
      timers.add(new Scheduled(key, due, sequence++));
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Queues the key after its backoff (and at least {@code minDelay}), counting one more retry. */
  void addRateLimited(String key, Duration minDelay) {
    Duration delay;
    lock.lock();
    try {
      int n = failures.merge(key, 1, Integer::sum) - 1;
      delay = backoff(n);
    } finally {
      lock.unlock();
    }
    Duration limit = Duration.ofNanos(bucket.reserve(nanoClock.getAsLong()));
    if (limit.compareTo(delay) > 0) {
      delay = limit;
    }
    if (minDelay.compareTo(delay) > 0) {
      delay = minDelay;
    }
    addAfter(key, delay);
  }

  void addRateLimited(String key) {
    addRateLimited(key, Duration.ZERO);
  }

  /** How many times the key was re-queued by {@link #addRateLimited} since its last success. */
  int retries(String key) {
    lock.lock();
    try {
      return failures.getOrDefault(key, 0);
    } finally {
      lock.unlock();
    }
  }

  /** Clears the key's retry count (after a success or when giving up). */
  void resetRetries(String key) {
    lock.lock();
    try {
      failures.remove(key);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Runs every key that waits out a failure backoff now, with its retry count cleared; returns how
   * many. Keys scheduled for other reasons (a quota wait, a periodic re-check) keep their time.
   */
  int retryFailedNow() {
    lock.lock();
    try {
      int n = 0;
      for (String key : new java.util.ArrayList<>(failures.keySet())) {
        if (scheduled.remove(key) != null) {
          failures.remove(key);
          addLocked(key);
          n++;
        }
      }
      return n;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Cancels the key's timer, if any: the pod it was set for is gone, and a sync it started would
   * only find that out again. The key stays queued or due to run again if it is.
   */
  void unschedule(String key) {
    lock.lock();
    try {
      if (scheduled.remove(key) != null) {
        timers.removeIf(t -> t.key().equals(key)); // a deadline's may be hours away
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Forgets the key entirely: drops it from the queue and the timers, cancels a pending re-run of a
   * key being processed and clears its retry count.
   */
  void forget(String key) {
    lock.lock();
    try {
      ready.remove(key);
      dirty.remove(key);
      dirtyIf.remove(key);
      scheduled.remove(key);
      failures.remove(key);
    } finally {
      lock.unlock();
    }
  }

  /**
   * The next key to process, waiting up to the timeout; {@code null} on timeout or shutdown. The
   * caller must call {@link #done} with the key afterwards.
   */
  String poll(Duration timeout) throws InterruptedException {
    long deadline = nanoClock.getAsLong() + timeout.toNanos();
    lock.lock();
    try {
      while (true) {
        if (shutdown) {
          return null;
        }
        long now = nanoClock.getAsLong();
        long nextTimer = promoteDue(now);
        if (!ready.isEmpty()) {
          String key = ready.iterator().next();
          ready.remove(key);
          processing.add(key);
          return key;
        }
        long wait = deadline - now;
        if (wait <= 0) {
          return null;
        }
        if (nextTimer != Long.MAX_VALUE) {
          wait = Math.min(wait, nextTimer - now);
        }
        changed.awaitNanos(Math.max(wait, TimeUnit.MICROSECONDS.toNanos(100)));
      }
    } finally {
      lock.unlock();
    }
  }

  /** Marks the key processed; it is queued again if it was added meanwhile. */
  void done(String key) {
    lock.lock();
    try {
      processing.remove(key);
      BooleanSupplier unseen = dirtyIf.remove(key);
      if (dirty.remove(key) || (unseen != null && unseen.getAsBoolean())) {
        ready.add(key);
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Timer entries held, for leak checks in tests. */
  int timerEntries() {
    lock.lock();
    try {
      return timers.size();
    } finally {
      lock.unlock();
    }
  }

  /** Keys waiting to run now. */
  int readyNow() {
    lock.lock();
    try {
      return ready.size();
    } finally {
      lock.unlock();
    }
  }

  /** Keys waiting to run now plus keys scheduled for later. */
  int depth() {
    lock.lock();
    try {
      return ready.size() + dirty.size() + dirtyIf.size() + scheduled.size();
    } finally {
      lock.unlock();
    }
  }

  void shutdown() {
    lock.lock();
    try {
      shutdown = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  Duration backoff(int previousFailures) {
    if (previousFailures >= 40) {
      return maxDelay;
    }
    long nanos = baseDelay.toNanos();
    for (int i = 0; i < previousFailures && nanos < maxDelay.toNanos(); i++) {
      nanos *= 2;
    }
    return Duration.ofNanos(Math.min(nanos, maxDelay.toNanos()));
  }

  private void addLocked(String key) {
    if (shutdown) {
      return;
    }
    if (processing.contains(key)) {
      dirty.add(key);
      dirtyIf.remove(key);
      return;
    }
    if (ready.add(key)) {
      changed.signalAll();
    }
  }

  /** Moves due timers to the ready set; returns the due time of the next timer. */
  private long promoteDue(long now) {
    ArrayDeque<String> due = new ArrayDeque<>();
    while (!timers.isEmpty()) {
      Scheduled head = timers.peek();
      Long current = scheduled.get(head.key());
      if (current == null || current != head.due()) {
        timers.poll(); // superseded or forgotten
        continue;
      }
      if (head.due() - now > 0) {
        break;
      }
      timers.poll();
      scheduled.remove(head.key());
      due.add(head.key());
    }
    due.forEach(this::addLocked);
    return timers.isEmpty() ? Long.MAX_VALUE : timers.peek().due();
  }

  private record Scheduled(String key, long due, long seq) implements Comparable<Scheduled> {
    @Override
    public int compareTo(Scheduled o) {
      int c = Long.compare(due - o.due, 0);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }
}
