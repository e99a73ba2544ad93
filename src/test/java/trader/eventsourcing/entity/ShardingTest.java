package trader.eventsourcing.entity;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class ShardingTest {

  private static final int SHARDS = 64;

  private static List<String> nodes(int n) {
    List<String> nodes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      nodes.add(new UUID(0x1234L * (i + 1), 0x9876L * (i + 7)).toString());
    }
    return nodes;
  }

  @Test
  void shardsAreStableAndSpread() {
    assertThat(Sharding.shardOf("account|a-1", SHARDS)).isEqualTo(Sharding.shardOf("account|a-1", SHARDS));
    int[] counts = new int[SHARDS];
    for (int i = 0; i < 64_000; i++) {
      counts[Sharding.shardOf("account|" + i, SHARDS)]++;
    }
    for (int c : counts) {
      assertThat(c).isBetween(800, 1200);
    }
  }

  @Test
  void everyNodeComputesTheSameOwnerWhateverTheListOrder() {
    List<String> nodes = nodes(3);
    List<String> reversed = new ArrayList<>(nodes.reversed());
    for (int shard = 0; shard < SHARDS; shard++) {
      assertThat(Sharding.ownerOf(shard, nodes)).isEqualTo(Sharding.ownerOf(shard, reversed));
    }
  }

  @Test
  void aJoiningNodeTakesOnlyShardsItWinsAndTheOthersKeepTheirs() {
    List<String> three = nodes(3);
    List<String> four = nodes(4);
    Map<String, Integer> owned = new HashMap<>();
    int moved = 0;
    for (int shard = 0; shard < SHARDS; shard++) {
      String before = Sharding.ownerOf(shard, three);
      String after = Sharding.ownerOf(shard, four);
      owned.merge(after, 1, Integer::sum);
      if (!before.equals(after)) {
        moved++;
        assertThat(after).isEqualTo(four.get(3));
      }
    }
    assertThat(moved).isBetween(SHARDS / 8, SHARDS / 2);
    assertThat(owned).hasSize(4);
    owned.values().forEach(n -> assertThat(n).isBetween(SHARDS / 8, SHARDS / 2));
  }
}
