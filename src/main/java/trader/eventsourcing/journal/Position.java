package trader.eventsourcing.journal;

/**
 * A place in the journal's global, commit-safe order: the writing transaction's id ({@code xid8}) first, then the
 * event's global sequence number. Readers of the tail compare positions in this order; it is the order in which
 * transactions become visible, so a reader that only advances never skips a late-committing transaction's events.
 *
 * @param transactionId the {@code xid8} of the transaction that wrote the event
 * @param sequence      the event's global sequence number (unique, increasing within a transaction)
 */
public record Position(long transactionId, long sequence) implements Comparable<Position> {

  /** Before every event. */
  public static final Position START = new Position(0, 0);

  @Override
  public int compareTo(Position o) {
    int c = Long.compare(transactionId, o.transactionId);
    return c != 0 ? c : Long.compare(sequence, o.sequence);
  }

  public boolean isAfter(Position o) {
    return compareTo(o) > 0;
  }

  /** {@code "<transactionId>-<sequence>"}, as carried in replies and query parameters. */
  @Override
  public String toString() {
    return transactionId + "-" + sequence;
  }

  /** Parses {@link #toString()}; throws {@link IllegalArgumentException} with a clear message otherwise. */
  public static Position parse(String text) {
    int dash = text == null ? -1 : text.indexOf('-');
    try {
      if (dash > 0) {
        Position p = new Position(Long.parseLong(text.substring(0, dash)), Long.parseLong(text.substring(dash + 1)));
        if (p.transactionId >= 0 && p.sequence >= 0) {
          return p;
        }
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new IllegalArgumentException("Not a journal position: '" + text + "' (expected <transaction>-<sequence>)");
  }
}
