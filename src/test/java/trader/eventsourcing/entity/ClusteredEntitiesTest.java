package trader.eventsourcing.entity;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.eventsourcing.entity.Account.Command;
import trader.eventsourcing.entity.Account.Command.Deposit;
import trader.eventsourcing.entity.Account.Command.Open;
import trader.eventsourcing.entity.Account.Command.Touch;
import trader.eventsourcing.entity.Account.State.Active;
import trader.eventsourcing.journal.EventMetadata;
import trader.eventsourcing.journal.Journal;
import trader.eventsourcing.journal.Upcasters;
import trader.platform.Cluster;
import trader.platform.Settings;
import trader.testing.NodeProcess;
import trader.testing.TestDatabase;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static trader.eventsourcing.entity.EntitiesTest.await;

/**
 * Two clustered Vert.x nodes (Hazelcast on loopback, in this JVM) sharing one PostgreSQL journal: commands reach the
 * owner of their entity's shard wherever they are sent from, a node takes shards over once it hosts the type (the
 * old owner drops those entities from memory), and when a node leaves, the other serves its entities with their state intact.
 */
class ClusteredEntitiesTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase();

  private static final int ENTITIES = 40;
  private final int portA = NodeProcess.freePort();
  private final int portB = NodeProcess.freePort();
  private final List<Vertx> nodes = new ArrayList<>();
  private final List<Entities> runtimes = new ArrayList<>();

  @AfterEach
  void stop() {
    runtimes.forEach(r -> r.close().await());
    nodes.forEach(v -> v.close().await());
  }

  private Vertx clusteredNode(int port) {
    Settings settings = Settings.of(Map.of("cluster.port", port,
      "cluster.members", "127.0.0.1:" + portA + ",127.0.0.1:" + portB));
    VertxOptions options = new VertxOptions();
    options.getEventBusOptions().setHost("127.0.0.1").setPort(0);
    Vertx vertx = Vertx.builder().with(options).withClusterManager(Cluster.manager(settings)).buildClustered().await();
    nodes.add(vertx);
    return vertx;
  }

  private EntitiesImpl runtime(Vertx vertx) {
    Journal journal = Journal.create(vertx, db.database().pool(vertx), Upcasters.none());
    Entities entities = Entities.create(vertx, journal, EntitiesOptions.defaults().withShards(16));
    runtimes.add(entities);
    return (EntitiesImpl) entities;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static String id(int i) {
    return "acc-" + i;
  }

  @Test
  void commandsReachTheOwnerAndEntitiesFollowTheirShardsWhenNodesJoinAndLeave() {
    Vertx vertxA = clusteredNode(portA);
    EntitiesImpl a = runtime(vertxA);
    EntityRef<Command> viaA = a.register(new Account()).await();
    Future.all(IntStream.range(0, ENTITIES).mapToObj(i -> viaA.send(id(i), new Open("owner-" + i))).toList())
      .await();
    assertThat(a.stats().active()).isEqualTo(ENTITIES); // alone, A owns every shard

    // B joins the cluster but does not host accounts yet (as while it boots): A keeps every shard
    Vertx vertxB = clusteredNode(portB);
    EntitiesImpl b = runtime(vertxB);
    await(() -> ((VertxInternal) vertxA).clusterManager().getNodes().size() == 2, Duration.ofSeconds(10));
    sleep(600); // three membership polls
    Future.all(IntStream.range(0, ENTITIES).mapToObj(i -> viaA.send(id(i), new Touch())).toList()).await();
    assertThat(a.ownership(Account.NAME).nodes()).containsExactly(a.nodeId());
    assertThat(a.stats().forwarded()).isZero();

    // B registers accounts: it takes over the shards it wins, and A drops those entities from memory
    EntityRef<Command> viaB = b.register(new Account()).await();
    await(() -> a.ownership(Account.NAME).nodes().size() == 2 && b.ownership(Account.NAME).nodes().size() == 2,
      Duration.ofSeconds(10));
    List<Integer> onB = IntStream.range(0, ENTITIES).filter(i -> a.ownerOf(Account.NAME, id(i)).equals(b.nodeId()))
      .boxed().toList();
    assertThat(onB).isNotEmpty().hasSizeLessThan(ENTITIES);
    for (int i = 0; i < ENTITIES; i++) {
      assertThat(b.ownerOf(Account.NAME, id(i))).isEqualTo(a.ownerOf(Account.NAME, id(i)));
      assertThat(a.isActive(Account.NAME, id(i)).await()).isEqualTo(!onB.contains(i));
    }

    // commands sent from either node are handled by the owner, on the state the other node wrote
    List<Future<Reply>> deposits = IntStream.range(0, ENTITIES).mapToObj(i ->
      (i % 2 == 0 ? viaA : viaB).send(id(i), new Deposit(BigDecimal.ONE, 1))).toList();
    Future.all(deposits).await();
    deposits.forEach(f -> assertThat(((Reply.Accepted) f.result()).version()).isEqualTo(2));
    for (int i = 0; i < ENTITIES; i++) {
      EntitiesImpl owner = onB.contains(i) ? b : a;
      EntitiesImpl other = onB.contains(i) ? a : b;
      assertThat(owner.isActive(Account.NAME, id(i)).await()).as("%s on its owner", id(i)).isTrue();
      assertThat(other.isActive(Account.NAME, id(i)).await()).as("%s elsewhere", id(i)).isFalse();
    }
    assertThat(a.stats().forwarded()).isPositive();
    assertThat(b.stats().forwarded()).isPositive();
    assertThat(b.stats().recoveries()).isEqualTo(onB.size());

    // a node that does not own the shard says so instead of handling the command
    int onA = IntStream.range(0, ENTITIES).filter(i -> !onB.contains(i)).findFirst().orElseThrow();
    JsonObject request = new WireFormat.Request(id(onA), "account.touch", new JsonObject(), EventMetadata.NONE, 1000)
      .toJson();
    assertThatThrownBy(() -> vertxA.eventBus().request(WireFormat.address(Account.NAME, b.nodeId()), request).await())
      .isInstanceOfSatisfying(ReplyException.class, e -> {
        assertThat(e.failureCode()).isEqualTo(WireFormat.NOT_OWNER);
        assertThat(e.getMessage()).contains("its owner is " + a.nodeId());
      });

    // B leaves: A serves all entities again, recovering B's ones with what B wrote
    runtimes.remove(b);
    b.close().await();
    nodes.remove(vertxB);
    vertxB.close().await();
    await(() -> a.ownership(Account.NAME).nodes().size() == 1, Duration.ofSeconds(10));
    List<Future<Reply>> after = IntStream.range(0, ENTITIES)
      .mapToObj(i -> viaA.send(id(i), new Deposit(BigDecimal.ONE, 2))).toList();
    Future.all(after).await();
    for (int i = 0; i < ENTITIES; i++) {
      assertThat(((Reply.Accepted) after.get(i).result()).version()).isEqualTo(3);
      assertThat(a.stateInMemory(Account.NAME, id(i)).await())
        .contains(new Active("owner-" + i, BigDecimal.valueOf(2), 2, 2));
    }
  }
}
