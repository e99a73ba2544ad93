package trader.eventsourcing.journal;

import io.vertx.core.AsyncResult;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit: an append goes out at once while fewer than {@code maxBatchesInFlight} batches are running;
 * otherwise it waits, and all appends that waited go together in the next batch, as soon as one finishes. Under
 * load, batches grow by themselves; a lone writer pays no delay.
 *
 * <p>A batch never holds two appends to one stream, and a stream is never in two running batches: a second
 * append to it waits for the first one's outcome, which it needs anyway to succeed (it states the version the
 * first one produces). Callers may be on any thread; the queue is guarded by a lock held only to pick batches.
 */
final class GroupCommit {

  private final BatchWriter writer;
  private final JournalOptions options;
  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<PendingAppend> queue = new ArrayDeque<>();
  private final Set<String> streamsInFlight = new HashSet<>();
  private final KnownVersions knownVersions = new KnownVersions(100_000);
  private int batchesInFlight;

  GroupCommit(BatchWriter writer, JournalOptions options) {
    this.writer = writer;
    this.options = options;
  }

  void submit(PendingAppend append) {
    List<List<PendingAppend>> ready;
    lock.lock();
    try {
      queue.add(append);
      ready = takeBatches();
    } finally {
      lock.unlock();
    }
    ready.forEach(this::send);
  }

  private void send(List<PendingAppend> batch) {
    writer.write(batch).onComplete(ar -> {
      List<List<PendingAppend>> ready;
      lock.lock();
      try {
        batchesInFlight--;
        for (PendingAppend append : batch) {
          streamsInFlight.remove(append.streamId);
          learnVersion(append);
        }
        ready = takeBatches();
      } finally {
        lock.unlock();
      }
      ready.forEach(this::send);
    });
  }

  /** Under the lock: what an append's outcome tells about its stream's version. */
  private void learnVersion(PendingAppend append) {
    AsyncResult<Appended> outcome = append.outcome();
    if (outcome == null) {
      return;
    }
    if (outcome.succeeded()) {
      knownVersions.saw(append.streamId, outcome.result().version());
    } else if (outcome.cause() instanceof ConflictException conflict) {
      knownVersions.saw(append.streamId, conflict.actualVersion());
    }
  }

  /** Under the lock: as many batches as may start now. */
  private List<List<PendingAppend>> takeBatches() {
    List<List<PendingAppend>> batches = new ArrayList<>(1);
    while (batchesInFlight < options.maxBatchesInFlight() && !queue.isEmpty()) {
      List<PendingAppend> batch = nextBatch();
      if (batch.isEmpty()) {
        break; // all that waits is for streams in flight
      }
      batchesInFlight++;
      batches.add(batch);
    }
    return batches;
  }

  /** Under the lock: the oldest waiting appends, one per stream, up to the event limit. */
  private List<PendingAppend> nextBatch() {
    List<PendingAppend> batch = new ArrayList<>();
    int events = 0;
    for (Iterator<PendingAppend> it = queue.iterator(); it.hasNext(); ) {
      PendingAppend append = it.next();
      if (!batch.isEmpty() && events + append.events.size() > options.maxBatchEvents()) {
        break;
      }
      if (streamsInFlight.add(append.streamId)) {
        append.checkVersion = knownVersions.needsCheck(append.streamId, append.expectedVersion);
        it.remove();
        batch.add(append);
        events += append.events.size();
      }
    }
    return batch;
  }
}
