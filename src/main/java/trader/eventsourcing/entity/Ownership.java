package trader.eventsourcing.entity;

import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * Which node owns each shard, as computed by one node from one reading of the member list. Immutable: a membership
 * change makes a new one.
 */
final class Ownership {

  private final String localNode;
  private final List<String> nodes;
  private final String[] owners;

  private Ownership(String localNode, List<String> nodes, String[] owners) {
    this.localNode = localNode;
    this.nodes = nodes;
    this.owners = owners;
  }

  /** Ownership over {@code members}; an empty list (not joined yet, or leaving) counts as this node alone. */
  static Ownership compute(String localNode, Collection<String> members, int shards) {
    List<String> nodes = List.copyOf(new TreeSet<>(members.isEmpty() ? List.of(localNode) : members));
    String[] owners = new String[shards];
    for (int shard = 0; shard < shards; shard++) {
      owners[shard] = Sharding.ownerOf(shard, nodes);
    }
    return new Ownership(localNode, nodes, owners);
  }

  String localNode() {
    return localNode;
  }

  /** The member node ids, sorted. */
  List<String> nodes() {
    return nodes;
  }

  int shards() {
    return owners.length;
  }

  String ownerOf(int shard) {
    return owners[shard];
  }

  boolean isLocal(int shard) {
    return owners[shard].equals(localNode);
  }
}
