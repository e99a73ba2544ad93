package trader.eventsourcing.projection;

import java.time.Duration;

/**
 * How projection runners behave.
 *
 * @param batchSize        events read from the journal per transaction
 * @param pollInterval     how often an idle runner looks at the journal without being woken by a notification
 * @param lockRetry        how often a runner that does not hold its shard's lock tries to take it over
 * @param maxAttempts      attempts at a failing batch before the shard stops (the last ones one event at a time)
 * @param firstBackoff     wait after the first failed attempt; doubles after each one
 */
public record ProjectionOptions(int batchSize, Duration pollInterval, Duration lockRetry, int maxAttempts,
                                Duration firstBackoff) {

  public static final ProjectionOptions DEFAULT = new ProjectionOptions(500, Duration.ofMillis(500),
    Duration.ofSeconds(1), 6, Duration.ofMillis(100));

  public ProjectionOptions {
    if (batchSize < 1 || maxAttempts < 1) {
      throw new IllegalArgumentException("batchSize and maxAttempts must be at least 1");
    }
  }

  public ProjectionOptions withBatchSize(int size) {
    return new ProjectionOptions(size, pollInterval, lockRetry, maxAttempts, firstBackoff);
  }

  public ProjectionOptions withMaxAttempts(int attempts) {
    return new ProjectionOptions(batchSize, pollInterval, lockRetry, attempts, firstBackoff);
  }
}
