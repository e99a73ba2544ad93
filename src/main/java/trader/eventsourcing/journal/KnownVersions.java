package trader.eventsourcing.journal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The latest version this journal saw each recently used stream at. The journal is append-only, so a version once
 * written stays written: an append that expects a known version cannot leave a gap, and only the primary key is
 * needed to refuse it if the stream has moved on since. Bounded (least recently used streams are forgotten, which
 * only costs their next append the version check). Not thread-safe: {@link GroupCommit} uses it under its lock.
 *
 * <p>Assumes rows are never deleted from {@code journal} while the journal runs.
 */
final class KnownVersions {

  private final Map<String, Long> versions;

  KnownVersions(int capacity) {
    this.versions = new LinkedHashMap<>(1024, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
        return size() > capacity;
      }
    };
  }

  /**
   * Whether an append to {@code streamId} expecting {@code expectedVersion} must have its version checked: not if
   * the stream is known to be there, nor for a new stream not known to exist (the key refuses version 1 twice).
   */
  boolean needsCheck(String streamId, long expectedVersion) {
    Long known = versions.get(streamId);
    return known == null ? expectedVersion != 0 : known != expectedVersion;
  }

  void saw(String streamId, long version) {
    if (version > 0) {
      versions.merge(streamId, version, Math::max);
    }
  }
}
