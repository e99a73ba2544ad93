package trader.eventsourcing.entity;

import java.time.Duration;

/**
 * How a node's entity runtime behaves. Every node of a cluster must use the same {@code shards}.
 *
 * @param shards          entity ids are hashed into this many shards; shards, not entities, are spread over nodes
 * @param maxActive       at most this many entities (of all types) in memory on this node; the least recently used
 *                        idle one makes room for a new one, and commands for a new one wait while all are busy
 * @param idleTimeout     an entity without commands for this long is removed from memory
 * @param commandTimeout  the deadline of a command, retries included; then it fails with {@link CommandTimeoutException}
 * @param membershipPoll  how often the cluster's member list is read to notice joins and leaves
 * @param conflictRetries how many times a command is re-decided on fresh state after another writer appended first
 */
public record EntitiesOptions(int shards, int maxActive, Duration idleTimeout, Duration commandTimeout,
                              Duration membershipPoll, int conflictRetries) {

  public EntitiesOptions {
    if (shards < 1 || maxActive < 1 || conflictRetries < 0) {
      throw new IllegalArgumentException("shards and maxActive must be >= 1, conflictRetries >= 0");
    }
    if (idleTimeout.isNegative() || idleTimeout.isZero() || commandTimeout.isNegative() || commandTimeout.isZero()
      || membershipPoll.isNegative() || membershipPoll.isZero()) {
      throw new IllegalArgumentException("idleTimeout, commandTimeout and membershipPoll must be positive");
    }
  }

  /** 64 shards, 10,000 active entities, 2 minutes idle, 10 s per command, membership read every 200 ms, 1 retry. */
  public static EntitiesOptions defaults() {
    return new EntitiesOptions(64, 10_000, Duration.ofMinutes(2), Duration.ofSeconds(10), Duration.ofMillis(200), 1);
  }

  public EntitiesOptions withShards(int shards) {
    return new EntitiesOptions(shards, maxActive, idleTimeout, commandTimeout, membershipPoll, conflictRetries);
  }

  public EntitiesOptions withMaxActive(int maxActive) {
    return new EntitiesOptions(shards, maxActive, idleTimeout, commandTimeout, membershipPoll, conflictRetries);
  }

  public EntitiesOptions withIdleTimeout(Duration idleTimeout) {
    return new EntitiesOptions(shards, maxActive, idleTimeout, commandTimeout, membershipPoll, conflictRetries);
  }

  public EntitiesOptions withCommandTimeout(Duration commandTimeout) {
    return new EntitiesOptions(shards, maxActive, idleTimeout, commandTimeout, membershipPoll, conflictRetries);
  }

  public EntitiesOptions withMembershipPoll(Duration membershipPoll) {
    return new EntitiesOptions(shards, maxActive, idleTimeout, commandTimeout, membershipPoll, conflictRetries);
  }

  public EntitiesOptions withConflictRetries(int conflictRetries) {
    return new EntitiesOptions(shards, maxActive, idleTimeout, commandTimeout, membershipPoll, conflictRetries);
  }
}
