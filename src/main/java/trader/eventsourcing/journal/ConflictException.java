package trader.eventsourcing.journal;

/**
 * An append stated a version the stream no longer has: another writer appended first. Nothing was written.
 */
public final class ConflictException extends RuntimeException {

  private final String streamId;
  private final long expectedVersion;
  private final long actualVersion;

  public ConflictException(String streamId, long expectedVersion, long actualVersion) {
    super("Stream '" + streamId + "' is at version " + actualVersion + ", not the expected " + expectedVersion,
      null, false, false);
    this.streamId = streamId;
    this.expectedVersion = expectedVersion;
    this.actualVersion = actualVersion;
  }

  public String streamId() {
    return streamId;
  }

  public long expectedVersion() {
    return expectedVersion;
  }

  /** The stream's version when the conflict was seen, or -1 if unknown. */
  public long actualVersion() {
    return actualVersion;
  }
}
