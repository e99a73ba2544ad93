package trader.eventsourcing.journal;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The range of recent pages: what it answers from memory, and when it leaves a reader to a query (null). */
class RecentEventsTest {

  static StoredEvent event(long tx, long seq) {
    return new StoredEvent(new Position(tx, seq), "s-" + seq, 1, new UUID(tx, seq), "test.e", 1, new JsonObject(),
      null, Set.of(), Instant.EPOCH);
  }

  static List<StoredEvent> events(long fromSeq, long toSeq) {
    return LongStream.rangeClosed(fromSeq, toSeq).mapToObj(s -> event(100 + s, s)).toList();
  }

  @Test
  void contiguousPagesExtendTheRangeAndReadersInsideItAreServed() {
    RecentEvents recent = new RecentEvents(100);
    assertThat(recent.after(Position.START, 10)).isNull();
    recent.read(Position.START, events(1, 5));
    recent.read(new Position(105, 5), events(6, 8));
    assertThat(recent.after(Position.START, 10)).isEqualTo(events(1, 8));
    assertThat(recent.after(new Position(103, 3), 2)).isEqualTo(events(4, 5));
    // between two held positions: from the next one on
    assertThat(recent.after(new Position(103, 4), 10)).isEqualTo(events(4, 8));
    // at the end (or beyond): only a query can tell whether there is more
    assertThat(recent.after(new Position(108, 8), 10)).isNull();
    assertThat(recent.after(new Position(200, 9), 10)).isNull();
  }

  @Test
  void aPageNotContiguousWithTheRangeIsNotHeldAndOneAheadStartsANewRange() {
    RecentEvents recent = new RecentEvents(100);
    recent.read(new Position(105, 5), events(6, 8));
    recent.read(Position.START, events(1, 5)); // a rebuild reading old pages: not contiguous, not held
    assertThat(recent.after(Position.START, 10)).isNull();
    assertThat(recent.after(new Position(105, 5), 10)).isEqualTo(events(6, 8));
    recent.read(new Position(120, 20), events(21, 22)); // a gap: a new range ahead
    assertThat(recent.after(new Position(105, 5), 10)).isNull();
    assertThat(recent.after(new Position(120, 20), 10)).isEqualTo(events(21, 22));
  }

  @Test
  void beyondItsCapacityTheOldestAreDroppedAndTheirReadersQuery() {
    RecentEvents recent = new RecentEvents(5);
    recent.read(Position.START, events(1, 4));
    recent.read(new Position(104, 4), events(5, 8));
    assertThat(recent.after(Position.START, 10)).isNull();
    assertThat(recent.after(new Position(102, 2), 10)).isNull();
    assertThat(recent.after(new Position(103, 3), 10)).isEqualTo(events(4, 8));
  }
}
