package trader.eventsourcing.journal;

/**
 * How {@link Journal#create} groups appends into batches.
 *
 * @param maxBatchEvents     the most events one batch statement carries; an append larger than this is sent alone
 * @param maxBatchesInFlight how many batch statements may run at once (each holds one pooled connection while it
 *                           runs); appends that arrive while all are busy wait and go together in the next batch
 */
public record JournalOptions(int maxBatchEvents, int maxBatchesInFlight) {

  /**
   * Batches of up to 1000 events, 2 at a time: one can wait for its commit (or a lock) while the next forms.
   * More batches in flight make smaller batches; on the 2-core benchmark machine 64 concurrent writers got
   * 42k, 36k, 29k and 21k events/s with 1, 2, 4 and 8 (docs/BENCHMARKS.md).
   */
  public static final JournalOptions DEFAULT = new JournalOptions(1000, 2);

  public JournalOptions {
    if (maxBatchEvents < 1 || maxBatchesInFlight < 1) {
      throw new IllegalArgumentException("maxBatchEvents and maxBatchesInFlight must be at least 1, got "
        + maxBatchEvents + " and " + maxBatchesInFlight);
    }
  }
}
