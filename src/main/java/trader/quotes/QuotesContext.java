package trader.quotes;

import io.vertx.core.Future;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.NewTopic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import trader.platform.BoundedContext;
import trader.platform.Engine;
import trader.platform.Settings;
import trader.quotes.contract.QuotesAddresses;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The quotes context: market data for the other contexts and the browsers.
 *
 * <p>One node of the cluster runs the market ({@link MarketLock} on {@code quotes:market}): the simulator, or an
 * external feed with {@code quotes.source=external}; it publishes every tick on the event bus and on the compacted
 * Kafka topic {@code market.quotes}, and writes one-minute candles. Every node keeps the latest quotes it hears
 * ({@link LatestQuotes}) and answers {@code quotes.latest} and {@code quotes.candles}.
 */
public final class QuotesContext implements BoundedContext {

  private static final Logger LOG = LoggerFactory.getLogger(QuotesContext.class);
  private static final String LOCK = "quotes:market";
  private static final Duration LOCK_RETRY = Duration.ofSeconds(2);

  private MarketLock lock;
  private MarketRunner market;
  private LatestQuotes latest;

  @Override
  public String name() {
    return "quotes";
  }

  @Override
  public Future<Void> start(Engine engine) {
    Settings settings = engine.settings();
    String source = settings.string("quotes.source");
    if (!source.equals("simulated") && !source.equals("external")) {
      return Future.failedFuture(new Settings.ConfigException("Configuration key 'quotes.source' is '" + source
        + "': must be simulated or external"));
    }
    int tickMs = settings.integer("quotes.tick-ms", 10, 3_600_000);
    int pollMs = settings.integer("quotes.external.poll-ms", 100, 86_400_000);
    int spreadBps = settings.integer("quotes.spread-bps", 0, 10_000);
    long interval = source.equals("external") ? pollMs : tickMs;
    // a quote is current until a few of its source's intervals went by without a new one
    Duration staleAfter = Duration.ofMillis(Math.max(settings.integer("quotes.stale-after-ms", 1, Integer.MAX_VALUE),
      2 * interval));
    CandleStore candles = new CandleStore(engine.pool());
    return engine.vertx().executeBlocking(() -> listings(settings.string("quotes.symbols-file")))
      .compose(listings -> {
        List<String> symbols = listings.stream().map(Listing::ticker).toList();
        latest = new LatestQuotes(symbols, staleAfter, Clock.systemUTC(), candles);
        market = new MarketRunner(engine.vertx(), candles, producerConfig(engine), engine.topic(QuotesAddresses.TOPIC),
          interval, closes -> source.equals("external")
          ? new ExternalQuotes(engine.vertx(), settings.string("quotes.external.url"),
            settings.string("quotes.external.api-key"), spreadBps, symbols)
          : new SimulatedQuotes(new MarketSimulator(from(listings, closes), SimulationOptions.defaults()
            .withSeed(seed(settings)).withSpreadBps(spreadBps), Instant.now())));
        return createTopic(engine).compose(v -> latest.start(engine.vertx()));
      })
      .onSuccess(v -> {
        lock = new MarketLock(engine.vertx(), engine.pgConnectOptions(), LOCK, LOCK_RETRY, market::start,
          market::stop);
        lock.start();
      });
  }

  @Override
  public Future<Void> stop() {
    Future<Void> lockReleased = lock == null ? Future.succeededFuture() : lock.stop();
    return lockReleased.compose(v -> latest == null ? Future.succeededFuture() : latest.stop());
  }

  /** True while this node runs the market. */
  boolean runsMarket() {
    return lock != null && lock.isOwner();
  }

  /** The symbols file; the copy packed in the jar when the default file is not in the working directory. */
  static List<Listing> listings(String file) {
    Path path = Path.of(file);
    if (file.equals(SymbolsFile.DEFAULT) && !Files.exists(path)) {
      return SymbolsFile.readDefault();
    }
    return SymbolsFile.read(path);
  }

  /** The listings starting at their latest known close, so a market moving to another node goes on from there. */
  static List<Listing> from(List<Listing> listings, Map<String, BigDecimal> closes) {
    return listings.stream().map(l -> {
      BigDecimal close = closes.get(l.ticker());
      return close == null || close.signum() <= 0 || close.stripTrailingZeros().scale() > 2 ? l
        : new Listing(l.ticker(), l.company(), close, l.volatility());
    }).toList();
  }

  private static long seed(Settings settings) {
    int seed = settings.integer("quotes.seed");
    return seed != 0 ? seed : new java.security.SecureRandom().nextLong();
  }

  private static Map<String, String> producerConfig(Engine engine) {
    Map<String, String> config = new HashMap<>();
    config.put("bootstrap.servers", engine.kafkaBootstrapServers());
    config.put("client.id", "quotes-market");
    config.put("acks", "1"); // a tick is replaced by the next one within a second: no need to wait for replicas
    config.put("linger.ms", "5");
    config.put("delivery.timeout.ms", "10000");
    config.put("request.timeout.ms", "5000");
    config.put("key.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    config.put("value.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    return config;
  }

  /** Creates the compacted topic of latest quotes unless it exists (any node may be first; losing the race is fine). */
  private static Future<Void> createTopic(Engine engine) {
    String topic = engine.topic(QuotesAddresses.TOPIC);
    KafkaAdminClient admin = KafkaAdminClient.create(engine.vertx(), Map.of(
      "bootstrap.servers", engine.kafkaBootstrapServers(), "request.timeout.ms", "5000",
      "default.api.timeout.ms", "5000"));
    return admin.listTopics().compose(topics -> topics.contains(topic) ? Future.<Void>succeededFuture()
        // three replicas where the cluster has them (one on a dev node's embedded broker)
        : admin.describeCluster().compose(cluster -> admin.createTopics(List.of(new NewTopic(topic, 3,
          (short) Math.min(3, cluster.getNodes().size())).setConfig(Map.of("cleanup.policy", "compact"))))))
      .recover(e -> e.getClass().getSimpleName().equals("TopicExistsException")
        || e.getCause() != null && e.getCause().getClass().getSimpleName().equals("TopicExistsException")
        ? Future.succeededFuture() : Future.failedFuture(e))
      .onSuccess(v -> LOG.debug("Topic {} ready", topic))
      .eventually(admin::close);
  }
}
