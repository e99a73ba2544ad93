package trader.eventsourcing.journal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The journal's latest pages as read from the commit-safe tail, so that a node's projection runners, each at its own
 * offset a little behind the others, read them from memory instead of each with a query of its own.
 *
 * <p>It holds one contiguous range {@code (start, end]}: every event of the journal in it, in order. A tail read
 * returns every event after its {@code after} up to its limit whose transaction ended before the read (readers stay
 * below the oldest open transaction); any event committed later belongs to a transaction at or above that horizon, so
 * it sorts after everything the read returned. A page read from the range's end therefore extends the range, and a
 * range once read never gains events in the middle.
 */
final class RecentEvents {

  private final int capacity;
  private final ArrayList<StoredEvent> events = new ArrayList<>();
  /** The range is {@code (start, end]}; no range while {@code start} is null. */
  private Position start;
  private Position end;

  RecentEvents(int capacity) {
    this.capacity = capacity;
  }

  /** The events after {@code after} (at most {@code limit}), if the range holds some; null if a query must tell. */
  synchronized List<StoredEvent> after(Position after, int limit) {
    if (start == null || after.compareTo(start) < 0 || after.compareTo(end) >= 0) {
      return null;
    }
    int from = firstAfter(after);
    return Collections.unmodifiableList(new ArrayList<>(events.subList(from, Math.min(events.size(), from + limit))));
  }

  /** A page a query read after {@code after}: it extends the range, or starts a new one ahead of it. */
  synchronized void read(Position after, List<StoredEvent> page) {
    if (page.isEmpty()) {
      return;
    }
    if (start == null || after.isAfter(end)) {
      events.clear();
      start = after;
    } else if (!after.equals(end)) {
      return; // inside or before the range: nothing it does not hold already, or not contiguous with it
    }
    events.addAll(page);
    end = page.get(page.size() - 1).position();
    if (events.size() > capacity) {
      List<StoredEvent> dropped = events.subList(0, events.size() - capacity);
      start = dropped.get(dropped.size() - 1).position();
      dropped.clear();
    }
  }

  /** Index of the first held event after {@code after} (which lies within the range). */
  private int firstAfter(Position after) {
    int low = 0;
    int high = events.size();
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (events.get(mid).position().isAfter(after)) {
        high = mid;
      } else {
        low = mid + 1;
      }
    }
    return low;
  }
}
