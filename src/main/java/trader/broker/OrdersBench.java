package trader.broker;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import trader.platform.BenchReport;
import trader.platform.Cluster;
import trader.platform.Contexts;
import trader.platform.EmbeddedKafka;
import trader.platform.KafkaProcess;
import trader.platform.Node;
import trader.platform.ScratchDatabase;
import trader.platform.Settings;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code trader bench orders}: a whole node in-process on a scratch database (and an embedded Kafka when none is
 * configured); users sign up and fund portfolios, one symbol outside the simulated market is quoted every
 * {@code --quote-ms} on {@code market.quotes}, and MARKET buys of one share are placed over REST at a fixed rate. For
 * each order: the time from sending the POST until {@code GET /api/orders/{id}} (a read-your-writes read of the
 * portfolio's order view) shows it FILLED, i.e. the fill recorded by the portfolio. Clients follow their orders as
 * the UI does: the order's push on the event-bus bridge, then one GET at the position it names ({@code --follow
 * poll}: GETs every {@code --poll-ms} instead).
 * A market order fills at once against the latest quote when the exchange has it (quoted often enough to be fresh).
 */
@Command(name = "orders", mixinStandardHelpOptions = true,
  description = "Order round trip over REST on a whole node: POST a market buy -> fill settled in the portfolio.")
public final class OrdersBench implements Callable<Integer> {

  static final String SYMBOL = "BENCHX";

  @Option(names = "--config", paramLabel = "FILE", description = "A JSON configuration file over the defaults.")
  Path config;

  @Option(names = "--rate", defaultValue = "200", description = "orders/s placed")
  int rate;

  @Option(names = "--seconds", defaultValue = "20", description = "length of the run")
  int seconds;

  @Option(names = "--warmup-seconds", defaultValue = "60",
    description = "unmeasured load at the same rate first (JIT warm-up); the measured run starts once it settled")
  int warmupSeconds;

  @Option(names = "--warmup-max-seconds", defaultValue = "300", description = "after --warmup-seconds the warm-up "
    + "goes on, 10 s at a time, while the JIT compiler took more than --jit-settled-percent of a CPU; at most this")
  int warmupMaxSeconds;

  @Option(names = "--jit-settled-percent", defaultValue = "5",
    description = "the compiler's share of one CPU over the last 10 s of warm-up below which the JIT counts as settled")
  double jitSettledPercent;

  @Option(names = "--users", defaultValue = "20", description = "users (one funded portfolio each) placing orders")
  int users;

  @Option(names = "--quote-ms", defaultValue = "100",
    description = "interval of the controlled symbol's quotes (market orders fill at once at the latest fresh one)")
  int quoteMs;

  @Option(names = "--poll-ms", defaultValue = "5", description = "interval of the order status polls")
  int pollMs;

  @Option(names = "--follow", defaultValue = "push", description = "how a client learns its order ended: push (the "
    + "order's push on the event-bus bridge, then one GET at the position it names) or poll (GET every --poll-ms)")
  Follow follow;

  /** How the bench's clients follow an order until the portfolio's order view shows it FILLED. */
  enum Follow { push, poll }

  @Option(names = "--kafka", defaultValue = "process", description = "without kafka.bootstrap-servers: the embedded "
    + "broker in a child JVM (process: outside the node, as deployed) or in this one (embedded: as in dev mode)")
  KafkaMode kafkaMode;

  /** Where the bench's own broker runs when none is configured. */
  enum KafkaMode { process, embedded }

  @Option(names = "--json", description = "print one JSON object instead of a table")
  boolean json;

  @Option(names = "--times", paramLabel = "FILE", description = "also write each measured order's send and settle "
    + "times (epoch microseconds) as CSV: when the slow ones happened, to set beside GC or system logs")
  java.nio.file.Path timesFile;

  @Spec
  CommandSpec spec;

  private HttpClient http;
  /** Placements have connections of their own: status polls waiting for a read side must not hold them up. */
  private HttpClient placements;
  private final java.util.concurrent.atomic.LongAdder polls = new java.util.concurrent.atomic.LongAdder();
  /** Orders whose end a push announced (the others, if any, were found by polling after the push did not come). */
  private final java.util.concurrent.atomic.LongAdder pushes = new java.util.concurrent.atomic.LongAdder();
  private Vertx client;
  private int port;
  /** Held for the whole run: a client no longer referenced is closed when collected, with its sockets. */
  private io.vertx.core.http.WebSocketClient sockets;

  record Portfolio(String token, String id) {
  }

  /**
   * The order pushes of every user ({@code user.<userId>.orders} over the SockJS bridge's WebSocket, as the UI gets
   * them): the final status of each order, with its position, for the one GET that confirms it.
   */
  private final Map<String, Promise<JsonObject>> endings = new ConcurrentHashMap<>();

  private Promise<JsonObject> ending(String orderId) {
    return endings.computeIfAbsent(orderId, k -> Promise.promise());
  }

  record Response(int statusCode, Buffer body) {
    JsonObject bodyAsJsonObject() {
      return body.toJsonObject();
    }

    String bodyAsString() {
      return body.toString();
    }
  }

  private Future<Response> call(HttpMethod method, String uri, String token, JsonObject body) {
    return (method == HttpMethod.POST ? placements : http).request(method, uri).compose(req -> {
      if (token != null) {
        req.putHeader("Authorization", "Bearer " + token);
      }
      if (body != null) {
        req.putHeader("Content-Type", "application/json");
      }
      return (body == null ? req.send() : req.send(body.toBuffer()))
        .compose(resp -> resp.body().map(b -> new Response(resp.statusCode(), b)));
    });
  }

  @Override
  public Integer call() throws Exception {
    Settings settings = BenchReport.settings(config);
    Vertx vertx = Cluster.localVertx();
    AutoCloseable kafka = null;
    KafkaProcess kafkaProcess = null;
    Path kafkaDir = null;
    Node node = null;
    KafkaProducer<String, String> quotes = null;
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    try (ScratchDatabase scratch = ScratchDatabase.create(vertx, settings, "bench_orders")) {
      try {
        String bootstrap = settings.string("kafka.bootstrap-servers");
        if (bootstrap.isBlank()) {
          kafkaDir = Files.createTempDirectory(Files.createDirectories(Path.of(settings.string("data.dir"))),
            "bench-kafka-");
          if (kafkaMode == KafkaMode.process) {
            kafka = kafkaProcess = KafkaProcess.start(kafkaDir);
            bootstrap = kafkaProcess.bootstrapServers();
          } else {
            EmbeddedKafka embedded = EmbeddedKafka.start(kafkaDir, 0);
            kafka = embedded;
            bootstrap = embedded.bootstrapServers();
          }
        }
        int total = Math.max(1, rate * seconds);
        // one share at 10.00 reserves 10.50: enough cash for every order of a portfolio, warm-up included (within
        // money.max-amount); the users' savings open with it
        int longestWarmup = Math.max(warmupSeconds, warmupMaxSeconds) + 10;
        String cash = String.valueOf(Math.min(1_000_000, 11 * ((total + rate * longestWarmup) / users + 2))) + ".00";
        PgConnectOptions pg = scratch.database().connectOptions();
        int clusterPort = freePort();
        String prefix = scratch.name() + ".";
        node = Node.start(settings
          .with("pg.url", trader.platform.Database.url(pg))
          .with("pg.user", pg.getUser() == null ? "" : pg.getUser())
          .with("pg.password", pg.getPassword() == null ? "" : pg.getPassword())
          .with("kafka.bootstrap-servers", bootstrap)
          .with("kafka.topic-prefix", prefix)
          .with("http.host", "127.0.0.1").with("http.port", 0)
          .with("cluster.host", "127.0.0.1").with("cluster.port", clusterPort)
          .with("cluster.members", "127.0.0.1:" + clusterPort)
          .with("auth.jwt-secret", UUID.randomUUID() + "-" + UUID.randomUUID())
          .with("auth.pbkdf2-iterations", 10_000)
          .with("accounts.opening-balance", cash), Contexts.all());
        client = Cluster.localVertx();
        HttpClientOptions options = new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(node.httpPort());
        http = client.createHttpClient(options, new PoolOptions().setHttp1MaxSize(64));
        port = node.httpPort();
        placements = client.createHttpClient(options, new PoolOptions().setHttp1MaxSize(64));

        KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap,
          "linger.ms", "0"), new StringSerializer(), new StringSerializer());
        quotes = producer;
        String topic = prefix + "market.quotes";
        JsonObject quote = new JsonObject().put("symbol", SYMBOL).put("bid", "9.99").put("ask", "10.00")
          .put("last", "10.00").put("stale", false);
        ticker.scheduleAtFixedRate(() -> producer.send(new ProducerRecord<>(topic, SYMBOL,
          quote.copy().put("time", Instant.now().toString()).encode())), 0, quoteMs, TimeUnit.MILLISECONDS);

        List<Portfolio> portfolios = new ArrayList<>();
        for (int i = 0; i < users; i++) {
          portfolios.add(funded(cash));
        }
        // warm-up: once an order fills, the quote replica and the exchange have the symbol
        long warm = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
          Response r = place(portfolios.get(0)).await();
          if (r.statusCode() == 202) {
            awaitFilled(portfolios.get(0), r.bodyAsJsonObject().getString("orderId"),
              System.nanoTime() + 30_000_000_000L)
              .await();
            break;
          }
          if (System.nanoTime() > warm) {
            throw new IllegalStateException("No order accepted: " + r.bodyAsString());
          }
          Thread.sleep(100);
        }

        Warmup warmup = warmUp(portfolios);
        long[] pgBefore = transactions(scratch);
        polls.reset();
        pushes.reset();
        long cpuBefore = processCpuNanos();
        long kafkaCpuBefore = kafkaProcess == null ? 0 : kafkaProcess.cpuNanos();
        Load run = load(portfolios, rate, seconds);
        run.awaitDone(seconds + 60L);
        ConcurrentLinkedQueue<Long> latencies = run.latencies;
        Map<String, long[]> times = run.times;

        AtomicInteger failed = run.failed;
        double elapsed = (run.lastDone[0] - run.start) / 1e9;
        double cpuPerOrder = (processCpuNanos() - cpuBefore) / 1e6 / total;
        double kafkaCpuPerOrder = kafkaProcess == null ? 0 : (kafkaProcess.cpuNanos() - kafkaCpuBefore) / 1e6 / total;
        long[] pgAfter = transactions(scratch);

        BenchReport report = new BenchReport("orders", scratch.serverVersion());
        report.row("orders placed (MARKET buy, " + users + " portfolios)", "orders/s", total / ((double) seconds),
          null);
        report.row("orders filled and settled", "orders/s", latencies.size() / elapsed,
          latencies.size() / elapsed / rate);
        report.latency("POST -> fill settled in the portfolio, at " + rate + "/s", new ArrayList<>(latencies));
        report.row("PostgreSQL transactions per order (incl. GET polls)", "xacts",
          (pgAfter[0] - pgBefore[0]) / (double) total, null);
        report.row("status GETs per order (" + follow + ")", "GETs", polls.sum() / (double) total, null);
        report.row(kafkaProcess == null && kafka != null ? "this JVM's CPU per order (node, Kafka, client)"
          : "this JVM's CPU per order (node, client)", "ms", cpuPerOrder, null);
        if (kafkaProcess != null) {
          report.row("the Kafka process's CPU per order", "ms", kafkaCpuPerOrder, null);
        }
        stages(scratch, times, bootstrap, prefix).forEach(report::latency);
        if (timesFile != null) {
          StringBuilder csv = new StringBuilder("order_id,sent_us,settled_us\n");
          times.forEach((id, t) -> csv.append(id).append(',').append(t[0]).append(',').append(t[1]).append('\n'));
          java.nio.file.Files.writeString(timesFile, csv);
        }
        JsonObject result = report.json().put("rate", rate).put("seconds", seconds)
          .put("warmupSeconds", warmup.seconds())
          .put("warmupJitPercent", Double.isNaN(warmup.jitPercent()) ? null : warmup.jitPercent())
          .put("orders", total)
          .put("filled", latencies.size()).put("failed", failed.get()).put("quoteMs", quoteMs).put("pollMs", pollMs)
          .put("follow", follow.name()).put("pushed", pushes.sum())
          .put("kafka", kafka == null ? "external" : kafkaMode.name());
        if (json) {
          PrintWriter out = spec.commandLine().getOut();
          out.println(result.encode());
          out.flush();
        } else {
          report.print(false, System.out);
          System.out.printf("  %d of %d orders filled, %d failed; quotes every %d ms, %s%n", latencies.size(), total,
            failed.get(), quoteMs, follow == Follow.poll ? "status polled every " + pollMs + " ms"
              : "each order's end pushed over the bridge, then read at its position");
          System.out.printf("  measured after a warm-up of %d s at the same rate (its orders all settled first; the "
            + "JIT compiler's share of a CPU in its last part: %.1f%%)%n", warmup.seconds(), warmup.jitPercent());
        }
        return failed.get() == 0 && latencies.size() == total ? 0 : 1;
      } finally {
        // the node goes before its scratch database is dropped
        ticker.shutdownNow();
        if (quotes != null) {
          quotes.close();
        }
        if (client != null) {
          client.close().await();
        }
        if (node != null) {
          node.close();
        }
      }
    } finally {
      vertx.close().await();
      if (kafka != null) {
        kafka.close();
        try (var paths = Files.walk(kafkaDir)) {
          paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  /** Committed transactions (every autocommit statement is one) of the scratch database so far. */
  private long[] transactions(ScratchDatabase scratch) {
    Pool pool = scratch.database().pool(client);
    try {
      Row r = pool.preparedQuery("select xact_commit, xact_rollback from pg_stat_database where datname = $1")
        .execute(io.vertx.sqlclient.Tuple.of(scratch.name())).await().iterator().next();
      return new long[] {r.getLong(0), r.getLong(1)};
    } finally {
      pool.close().await();
    }
  }

  private static long processCpuNanos() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
      instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : 0;
  }

  private static long epochMicros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
  }

  /**
   * Where each order's round trip went, from the journal times of its four events (the journal's
   * {@code created_at}: when the writing statement began) and the create times of its two Kafka records (when the
   * publisher handed them to the producer, in milliseconds) between the POST and the GET that saw it filled.
   */
  private Map<String, List<Long>> stages(ScratchDatabase scratch, Map<String, long[]> times, String bootstrap,
                                         String prefix) {
    String[] names = {"1 POST -> placed (journal)", "2a placed -> sent to Kafka (publisher)",
      "2b sent -> accepted by the broker", "3 accepted -> filled by the exchange",
      "4a filled -> sent to Kafka (publisher)", "4b sent -> recorded by the portfolio",
      "5 recorded -> seen FILLED by a GET"};
    Map<String, long[]> events = new HashMap<>();
    Pool pool = scratch.database().pool(client);
    try {
      for (Row r : pool.query("select case when event_type like 'order.%' then substr(stream_id, 7) "
          + "else coalesce(payload->'order'->>'orderId', payload->>'orderId') end as order_id, event_type, "
          + "(extract(epoch from created_at) * 1000000)::bigint as at from journal where event_type in "
          + "('portfolio.order-placed', 'order.accepted', 'order.filled', 'portfolio.order-filled')")
          .execute().await()) {
        int i = switch (r.getString("event_type")) {
          case "portfolio.order-placed" -> 0;
          case "order.accepted" -> 1;
          case "order.filled" -> 2;
          default -> 3;
        };
        events.computeIfAbsent(r.getString("order_id"), k -> new long[4])[i] = r.getLong("at");
      }
    } finally {
      pool.close().await();
    }
    Map<String, Long> placedSent = sentTimes(bootstrap, prefix + "portfolio.orders");
    Map<String, Long> resultSent = sentTimes(bootstrap, prefix + "broker.order-results");
    Map<String, List<Long>> stages = new LinkedHashMap<>();
    for (String name : names) {
      stages.put(name, new ArrayList<>());
    }
    times.forEach((orderId, t) -> {
      long[] e = events.get(orderId);
      Long sent1 = placedSent.get(orderId);
      Long sent2 = resultSent.get(orderId);
      if (e == null || sent1 == null || sent2 == null) {
        return;
      }
      long[] at = {t[0], e[0], sent1, e[1], e[2], sent2, e[3], t[1]};
      for (int i = 0; i < names.length; i++) {
        stages.get(names[i]).add(Math.max(0, at[i + 1] - at[i]));
      }
    });
    return stages;
  }

  /** When each order's first record on {@code topic} was handed to the producer (create time, in microseconds). */
  private static Map<String, Long> sentTimes(String bootstrap, String topic) {
    Map<String, Long> sent = new HashMap<>();
    try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(Map.<String, Object>of(
      "bootstrap.servers", bootstrap, "enable.auto.commit", "false"),
      new org.apache.kafka.common.serialization.StringDeserializer(),
      new org.apache.kafka.common.serialization.StringDeserializer())) {
      List<org.apache.kafka.common.TopicPartition> partitions = consumer.partitionsFor(topic).stream()
        .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        for (var r : consumer.poll(java.time.Duration.ofMillis(500))) {
          JsonObject payload = new JsonObject(r.value()).getJsonObject("payload", new JsonObject());
          JsonObject order = payload.getJsonObject("order");
          String id = order != null ? order.getString("orderId") : payload.getString("orderId");
          if (id != null) {
            sent.putIfAbsent(id, r.timestamp() * 1000);
          }
        }
      }
    }
    return sent;
  }

  /** How long the warm-up ran, and the compiler's share of one CPU over its last part. */
  private record Warmup(int seconds, double jitPercent) {
  }

  /**
   * The same load, unmeasured: the JIT compiles for minutes after a node starts (Kafka, Hazelcast, Vert.x, the pg
   * client are a lot of code; longer on a slower machine), and a run from a cold start measures the compiler. At
   * least {@code --warmup-seconds}, then 10 s more at a time until the compiler settled.
   */
  private Warmup warmUp(List<Portfolio> portfolios) {
    java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
    int done = 0;
    double jitPercent = Double.NaN;
    // --warmup-seconds 0: none at all
    while (done < warmupSeconds
        || warmupSeconds > 0 && done < warmupMaxSeconds && !(jitPercent < jitSettledPercent)) {
      int chunk = Math.min(10, (done < warmupSeconds ? warmupSeconds : warmupMaxSeconds) - done);
      long jitBefore = jit.getTotalCompilationTime();
      long t0 = System.nanoTime();
      Load load = load(portfolios, rate, chunk);
      load.awaitDone(chunk + 120L);
      if (load.failed.get() > 0) {
        System.err.println(load.failed.get() + " warm-up orders failed");
      }
      jitPercent = 100.0 * (jit.getTotalCompilationTime() - jitBefore) / ((System.nanoTime() - t0) / 1e6);
      done += chunk;
      if (done >= warmupSeconds && !json) {
        System.out.printf("  warm-up %d s: the JIT compiler took %.1f%% of a CPU in the last %d s%n", done, jitPercent,
          chunk);
      }
    }
    return new Warmup(done, jitPercent);
  }

  /** One phase of load: {@code rate} placements a second for {@code seconds}, each followed until FILLED. */
  private Load load(List<Portfolio> portfolios, int rate, int seconds) {
    int total = Math.max(1, rate * seconds);
    Load load = new Load(total, System.nanoTime());
    int[] sent = {0};
    client.setPeriodic(1, 1, t -> {
      long due = Math.min(total, (System.nanoTime() - load.start) * rate / 1_000_000_000L + 1);
      while (sent[0] < due) {
        Portfolio p = portfolios.get(sent[0] % portfolios.size());
        sent[0]++;
        long t0 = System.nanoTime();
        long sentAt = epochMicros();
        String[] orderId = {null};
        place(p).compose(r -> {
            if (r.statusCode() != 202) {
              return Future.failedFuture(r.statusCode() + " " + r.bodyAsString());
            }
            orderId[0] = r.bodyAsJsonObject().getString("orderId");
            return awaitFilled(p, orderId[0], t0 + 30_000_000_000L);
          })
          .onComplete(r -> load.finished(r.succeeded() ? orderId[0] : null, t0, sentAt,
            r.failed() ? r.cause().getMessage() : null));
      }
      if (sent[0] == total) {
        client.cancelTimer(t);
      }
    });
    return load;
  }

  /** What one phase of load measured. */
  private static final class Load {
    final int total;
    final long start;
    final long[] lastDone;
    final ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    final Map<String, long[]> times = new ConcurrentHashMap<>();
    final AtomicInteger failed = new AtomicInteger();
    final AtomicInteger done = new AtomicInteger();
    final Promise<Void> all = Promise.promise();

    Load(int total, long start) {
      this.total = total;
      this.start = start;
      this.lastDone = new long[] {start};
    }

    void finished(String filledOrderId, long t0, long sentAt, String failure) {
      if (filledOrderId != null) {
        latencies.add((System.nanoTime() - t0) / 1000);
        times.put(filledOrderId, new long[] {sentAt, epochMicros()});
      } else if (failed.incrementAndGet() <= 5) {
        System.err.println("order failed: " + failure);
      }
      lastDone[0] = System.nanoTime();
      if (done.incrementAndGet() == total) {
        all.tryComplete();
      }
    }

    /** Waits until every order of the phase has an answer, at most {@code seconds}. */
    void awaitDone(long seconds) {
      try {
        all.future().await(seconds, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        // a request that never came back: report what did, the rest counts as not filled
        System.err.println((total - done.get()) + " orders still unanswered " + seconds + " s after the start");
      }
    }
  }

  private Future<Response> place(Portfolio p) {
    return call(HttpMethod.POST, "/api/portfolios/" + p.id() + "/orders", p.token(), new JsonObject()
      .put("symbol", SYMBOL).put("side", "BUY").put("quantity", 1)
        .put("type", "MARKET").put("timeInForce", "GTC"));
  }

  /**
   * Follows the order until a GET of it shows FILLED (fails on another final status or at the deadline): polled, or
   * after its final push, read at the push's position (read-your-writes: the GET waits until the view has it). A
   * push that does not come within 5 s falls back to polling.
   */
  private Future<Void> awaitFilled(Portfolio p, String orderId, long deadline) {
    Promise<Void> done = Promise.promise();
    if (follow == Follow.poll) {
      poll(p, orderId, deadline, done);
      return done.future();
    }
    Promise<JsonObject> pushed = ending(orderId);
    long fallback = client.setTimer(5000, t -> pushed.tryFail("no push"));
    pushed.future().onComplete(ar -> {
      client.cancelTimer(fallback);
      endings.remove(orderId);
      if (ar.failed()) {
        poll(p, orderId, deadline, done);
        return;
      }
      pushes.increment();
      read(p, orderId, ar.result().getString("position"), deadline, done);
    });
    return done.future();
  }

  /** A user's socket on the bridge, registered for the user's order pushes (pinged, as the bridge expects). */
  private void listen(String userId, String token) {
    String address = "user." + userId + ".orders";
    if (sockets == null) {
      sockets = client.createWebSocketClient();
    }
    io.vertx.core.http.WebSocket socket = sockets
      .connect(port, "127.0.0.1", "/eventbus/websocket?token="
        + URLEncoder.encode(token, StandardCharsets.UTF_8)).await();
    socket.handler(frame -> {
      JsonObject message = frame.toJsonObject();
      JsonObject body = message.getJsonObject("body");
      if (address.equals(message.getString("address")) && body != null && body.getString("orderId") != null
        && !"OPEN".equals(body.getString("status"))) {
        ending(body.getString("orderId")).tryComplete(body);
      }
    });
    socket.writeTextMessage(new JsonObject().put("type", "register").put("address", address).encode()).await();
    client.setPeriodic(5000, t -> socket.writeTextMessage(new JsonObject().put("type", "ping").encode()));
  }

  private void poll(Portfolio p, String orderId, long deadline, Promise<Void> done) {
    read(p, orderId, null, deadline, done);
  }

  /**
   * One GET of the order (at {@code position} if given); done when FILLED, failed on another final status or past
   * the deadline, else polled again in {@code --poll-ms}.
   */
  private void read(Portfolio p, String orderId, String position, long deadline, Promise<Void> done) {
    polls.increment();
    call(HttpMethod.GET, "/api/orders/" + URLEncoder.encode(orderId, StandardCharsets.UTF_8)
      + (position == null ? "" : "?position=" + URLEncoder.encode(position, StandardCharsets.UTF_8)), p.token(), null)
      .onComplete(r -> {
        String status = r.succeeded() && r.result().statusCode() == 200
          ? r.result().bodyAsJsonObject().getString("status") : null;
        if ("FILLED".equals(status)) {
          done.complete();
        } else if (status != null && !"OPEN".equals(status)) {
          done.fail("order " + orderId + " ended " + status + ": " + r.result().bodyAsString());
        } else if (System.nanoTime() > deadline) {
          done.fail("order " + orderId + " not filled in time (" + status + ")");
        } else {
          client.setTimer(pollMs, t -> poll(p, orderId, deadline, done));
        }
      });
  }

  private Portfolio funded(String cash) throws InterruptedException {
    JsonObject user = expect(call(HttpMethod.POST, "/api/auth/signup", null, new JsonObject()
      .put("username", "bench-" + UUID.randomUUID().toString().substring(0, 8))
      .put("password", "correct horse battery")).await(), 201);
    String token = user.getString("token");
    if (follow == Follow.push) {
      listen(user.getString("userId"), token);
    }
    String id = expect(call(HttpMethod.POST, "/api/portfolios", token, new JsonObject().put("name", "bench"))
      .await(), 201).getString("portfolioId");
    JsonObject transfer = new JsonObject().put("from", new JsonObject().put("kind", "savings"))
      .put("to", new JsonObject().put("kind", "portfolio").put("id", id)).put("amount", cash);
    for (int i = 0; ; i++) {
      Response r = call(HttpMethod.POST, "/api/transfers", token, transfer).await();
      if (r.statusCode() != 504 || i == 10) {
        expect(r, 202);
        break;
      }
    }
    for (int i = 0; i < 300; i++) {
      Response r = call(HttpMethod.GET, "/api/portfolios/" + id, token, null).await();
      if (r.statusCode() == 200 && cash.equals(r.bodyAsJsonObject().getString("cash"))) {
        return new Portfolio(token, id);
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("Portfolio " + id + " was not funded");
  }

  private static JsonObject expect(Response r, int status) {
    if (r.statusCode() != status) {
      throw new IllegalStateException("Expected " + status + ", got " + r.statusCode() + ": " + r.bodyAsString());
    }
    return r.bodyAsJsonObject();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
