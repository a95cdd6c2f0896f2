package dev.vkj.provider.mock;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InterruptedIOException;

/**
 * Group commit for a file that is always written whole. Every change takes a ticket; a caller that
 * needs its change on disk waits until a write that began after its ticket has finished. While one
 * write runs, callers queue up and the next write covers them all, so a burst of concurrent changes
 * costs a few writes, not one each.
 */
final class GroupCommit {
  /** Writes a snapshot of everything changed so far. */
  interface Writer {
    void write() throws IOException;
  }

  private record Failure(long upTo, IOException error) {}

  private final Writer writer;
  private long issued;
  private long durable;
  private boolean writing;
  private Failure lastFailure;
  private int waiting;
  private long writes;

  GroupCommit(Writer writer) {
    this.writer = requireNonNull(writer, "writer is null");
  }

  /** Records a change; the ticket it returns is durable once {@link #await} returns for it. */
  synchronized long changed() {
    return ++issued;
  }

  /** Waits until every change so far is on disk, writing it if nobody else does. */
  void flush() throws IOException {
    long ticket;
    synchronized (this) {
      ticket = issued;
    }
    await(ticket);
  }

  /**
   * Returns once the change of {@code ticket} is on disk. One waiting caller writes; the others
   * wait for it. A failed write that covered the ticket fails every caller waiting for it.
   */
  void await(long ticket) throws IOException {
    long upTo;
    synchronized (this) {
      Failure seen = lastFailure;
      waiting++;
      try {
        while (durable < ticket) {
          if (lastFailure != seen && lastFailure.upTo() >= ticket) {
            throw new IOException(lastFailure.error().getMessage(), lastFailure.error());
          }
          if (!writing) {
            break;
          }
          wait();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for the state file write");
      } finally {
        waiting--;
      }
      if (durable >= ticket) {
        return;
      }
      writing = true;
      // the snapshot is taken after this, so it holds every change up to here
      upTo = issued;
    }
    boolean written = false;
    IOException error = null;
    try {
      writer.write();
      written = true;
    } catch (IOException e) {
      error = e;
    } catch (RuntimeException e) {
      error = new IOException(e.getMessage(), e);
    } finally {
      synchronized (this) {
        writing = false;
        writes++;
        if (written) {
          durable = Math.max(durable, upTo);
        } else {
          lastFailure =
              new Failure(upTo, error != null ? error : new IOException("the write failed"));
        }
        notifyAll();
      }
    }
    if (error != null) {
      throw error;
    }
  }

  /** Callers blocked waiting for a write, for tests. */
  synchronized int waiting() {
    return waiting;
  }

  /** Writes finished so far, whether they succeeded or not; for tests. */
  synchronized long writes() {
    return writes;
  }
}
