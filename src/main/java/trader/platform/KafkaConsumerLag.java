package trader.platform;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.ListOffsetsResultInfo;
import io.vertx.kafka.admin.OffsetSpec;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code kafka.consumer.lag}: per consumer group of this installation and topic, the messages not yet committed
 * (end offset minus committed offset, summed over partitions), read with the admin client like Kafka's own
 * {@code kafka-consumer-groups --describe}. Every node reports the same figures; take the max over nodes.
 *
 * <p>Groups are this installation's when they start with {@code kafka.topic-prefix}; the per-node {@code tail-}
 * groups commit nothing and are left out. A group that disappears loses its gauges.
 */
final class KafkaConsumerLag {

  static final String NAME = "kafka.consumer.lag";
  private static final Logger LOG = LoggerFactory.getLogger(KafkaConsumerLag.class);

  private final Vertx vertx;
  private final KafkaAdminClient admin;
  private final MeterRegistry registry;
  private final String prefix;
  private final Map<List<String>, AtomicLong> lags = new ConcurrentHashMap<>();
  private final Map<List<String>, Gauge> gauges = new ConcurrentHashMap<>();
  private long timer = -1;
  private volatile boolean failing;

  private KafkaConsumerLag(Vertx vertx, KafkaAdminClient admin, MeterRegistry registry, String prefix) {
    this.vertx = vertx;
    this.admin = admin;
    this.registry = registry;
    this.prefix = prefix;
    // a Kafka outage does not take the node out of service (see Node#readiness): it shows here, and in the health body
    Gauge.builder("trader.kafka.reachable", this, lag -> lag.failing ? 0 : 1)
      .description("1 while the last read of Kafka's consumer groups worked, 0 while Kafka cannot be reached")
      .register(registry);
  }

  /** Reads the lag now and then every {@code periodMs}. */
  static KafkaConsumerLag start(Vertx vertx, KafkaAdminClient admin, MeterRegistry registry, String prefix,
                                long periodMs) {
    KafkaConsumerLag lag = new KafkaConsumerLag(vertx, admin, registry, prefix);
    lag.refresh();
    lag.timer = vertx.setPeriodic(periodMs, id -> lag.refresh());
    return lag;
  }

  void close() {
    vertx.cancelTimer(timer);
  }

  private void refresh() {
    admin.listConsumerGroups()
      .map(groups -> groups.stream().map(g -> g.getGroupId())
        .filter(id -> id.startsWith(prefix) && !id.startsWith("tail-")).toList())
      .compose(groups -> Future.all(groups.stream().map(this::committed).toList())
        .map(all -> {
          Map<String, Map<TopicPartition, OffsetAndMetadata>> byGroup = new HashMap<>();
          for (int i = 0; i < groups.size(); i++) {
            byGroup.put(groups.get(i), all.resultAt(i));
          }
          return byGroup;
        }))
      .compose(byGroup -> endOffsets(byGroup).map(ends -> update(byGroup, ends)))
      .onComplete(ar -> {
        if (ar.failed() && !failing) {
          LOG.warn("Cannot read consumer-group lag from Kafka: {}; the gauges keep their last values",
            Node.rootMessage(ar.cause()));
        }
        failing = ar.failed();
      });
  }

  private Future<Map<TopicPartition, OffsetAndMetadata>> committed(String group) {
    return admin.listConsumerGroupOffsets(group);
  }

  private Future<Map<TopicPartition, ListOffsetsResultInfo>> endOffsets(
    Map<String, Map<TopicPartition, OffsetAndMetadata>> byGroup) {
    Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
    byGroup.values().forEach(offsets -> offsets.keySet().forEach(tp -> partitions.put(tp, OffsetSpec.LATEST)));
    return partitions.isEmpty() ? Future.succeededFuture(Map.of()) : admin.listOffsets(partitions);
  }

  private Void update(Map<String, Map<TopicPartition, OffsetAndMetadata>> byGroup,
                      Map<TopicPartition, ListOffsetsResultInfo> ends) {
    Map<List<String>, Long> now = new HashMap<>();
    byGroup.forEach((group, offsets) -> offsets.forEach((tp, committed) -> {
      ListOffsetsResultInfo end = ends.get(tp);
      if (committed != null && end != null) {
        now.merge(List.of(group, tp.getTopic()), Math.max(0, end.getOffset() - committed.getOffset()), Long::sum);
      }
    }));
    now.forEach((key, value) -> lags.computeIfAbsent(key, k -> {
      AtomicLong holder = new AtomicLong();
      gauges.put(k, Gauge.builder(NAME, holder, AtomicLong::get).tag("group", k.get(0)).tag("topic", k.get(1))
        .description("messages of the topic the consumer group has not committed yet").register(registry));
      return holder;
    }).set(value));
    for (List<String> gone : List.copyOf(lags.keySet())) {
      if (!now.containsKey(gone)) {
        lags.remove(gone);
        registry.remove(gauges.remove(gone));
      }
    }
    return null;
  }
}
