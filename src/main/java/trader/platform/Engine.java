package trader.platform;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import trader.eventsourcing.entity.Entities;
import trader.eventsourcing.journal.Journal;
import trader.eventsourcing.journal.JournalNotifications;
import trader.eventsourcing.projection.ProjectionProgress;
import trader.eventsourcing.projection.Projections;
import trader.eventsourcing.topic.DeadLetters;
import trader.eventsourcing.topic.TopicMessage;
import trader.eventsourcing.topic.TopicSubscriber;
import trader.gateway.UserTokens;

import io.vertx.core.Future;
import java.util.function.Function;

/**
 * What a bounded context runs on, as the node built it: the event-sourcing engine wired to this node's PostgreSQL,
 * Kafka and cluster.
 *
 * @param kafkaBootstrapServers for the context's topic publishers and subscribers
 * @param userTokens            issues and checks users' tokens (the gateway's login)
 */
public record Engine(Vertx vertx, Settings settings, Pool pool, PgConnectOptions pgConnectOptions, Journal journal,
                     JournalNotifications notifications, Entities entities, Projections projections,
                     ProjectionProgress progress, MeterRegistry registry, String kafkaBootstrapServers,
                     UserTokens userTokens, DeadLetters deadLetters) {

  /** The name of topic (or consumer group) {@code name} in this installation ({@code kafka.topic-prefix}). */
  public String topic(String name) {
    return settings.string("kafka.topic-prefix") + name;
  }

  /**
   * Starts consuming topic {@code topic} as consumer group {@code group} (names before the installation's prefix),
   * with this node's dead-letter store and {@code topics.max-attempts}.
   */
  public TopicSubscriber subscribe(String topic, String group, Function<TopicMessage, Future<Void>> handler) {
    return TopicSubscriber.start(vertx, new TopicSubscriber.Options(kafkaBootstrapServers, deadLetters, registry,
      settings.integer("topics.max-attempts", 1, 1000)), topic(topic), topic(group), handler);
  }
}
