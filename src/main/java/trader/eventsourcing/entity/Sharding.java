package trader.eventsourcing.entity;

import java.util.List;

/**
 * The hash functions of sharding: stream id → shard, and shard → owner node by rendezvous (highest random weight)
 * hashing. Both depend only on their inputs, so every node computes the same answers from the same member list,
 * and a join or leave moves only the shards the joining or leaving node wins or held.
 */
final class Sharding {

  private Sharding() {
  }

  /** The shard of a stream, in {@code [0, shards)}. */
  static int shardOf(String streamId, int shards) {
    return (int) Math.floorMod(hash64(streamId), (long) shards);
  }

  /** The node that scores highest for {@code shard}; ties (practically impossible) go to the smaller node id. */
  static String ownerOf(int shard, List<String> nodes) {
    String best = null;
    long bestScore = 0;
    for (String node : nodes) {
      long score = score(node, shard);
      if (best == null || Long.compareUnsigned(score, bestScore) > 0
        || (score == bestScore && node.compareTo(best) < 0)) {
        best = node;
        bestScore = score;
      }
    }
    return best;
  }

  static long score(String node, int shard) {
    return mix64(hash64(node) ^ mix64(shard + 0x9E3779B97F4A7C15L));
  }

  /** 64-bit FNV-1a over the string's chars, then a final mix: stable across JVMs and versions. */
  static long hash64(String s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
    }
    return mix64(h);
  }

  /** MurmurHash3's fmix64: spreads every input bit over the whole result. */
  static long mix64(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }
}
