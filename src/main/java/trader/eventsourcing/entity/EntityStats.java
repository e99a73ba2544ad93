package trader.eventsourcing.entity;

/**
 * Counters of one node's entity runtime, since it was created.
 *
 * @param active          entities in memory now
 * @param peakActive      the most entities that were in memory at once
 * @param waitingForRoom  entities with commands waiting for a free place (all places busy)
 * @param commands        commands handled by entities on this node (accepted, rejected or failed)
 * @param recoveries      entities recovered from the journal
 * @param passivations    entities removed from memory (idle, least recently used, or moved to another node)
 * @param conflicts       appends refused because another writer had appended first (then reloaded and re-decided)
 * @param forwarded       commands sent to their owner on another node
 */
public record EntityStats(int active, int peakActive, int waitingForRoom, long commands, long recoveries,
                          long passivations, long conflicts, long forwarded) {
}
