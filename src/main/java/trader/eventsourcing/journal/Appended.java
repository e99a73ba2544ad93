package trader.eventsourcing.journal;

/**
 * The result of a successful append.
 *
 * @param streamId the stream
 * @param version  the stream's version after the append (its last event's version)
 * @param position the journal position of the append's last event: a reader that has passed it has seen them all
 */
public record Appended(String streamId, long version, Position position) {
}
