package trader.quotes;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import trader.quotes.contract.QuotesAddresses;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The market, on the one node that holds the market lock: every tick it takes the source's quotes and publishes
 * each on the event bus ({@code quotes.<symbol>}, reaching every node) and on the compacted Kafka topic (key =
 * symbol), and adds them to the one-minute candles in one statement.
 *
 * <p>A tick that comes while the previous one is still writing is skipped rather than queued: quotes are a
 * stream of current prices, a late one is worth less than the next.
 */
final class MarketRunner {

  private static final Logger LOG = LoggerFactory.getLogger(MarketRunner.class);

  private final Vertx vertx;
  private final CandleStore candles;
  private final Map<String, String> producerConfig;
  private final String topic;
  private final long intervalMs;
  /** Makes the source, given the latest close of every symbol that has candles. */
  private final Function<Map<String, BigDecimal>, QuoteSource> sources;

  private QuoteSource source;
  private KafkaProducer<String, String> producer;
  private long timer = -1;
  private boolean busy;
  private long ticks;
  /** Whether the last quote sent failed: one line per outage, not one per quote. */
  private boolean failing;

  MarketRunner(Vertx vertx, CandleStore candles, Map<String, String> producerConfig, String topic, long intervalMs,
               Function<Map<String, BigDecimal>, QuoteSource> sources) {
    this.vertx = vertx;
    this.candles = candles;
    this.producerConfig = producerConfig;
    this.topic = topic;
    this.intervalMs = intervalMs;
    this.sources = sources;
  }

  /** Starts ticking, from the latest known prices. Called on the lock's context. */
  Future<Void> start() {
    return candles.latestCloses().map(closes -> {
      source = sources.apply(closes);
      producer = KafkaProducer.create(vertx, producerConfig);
      producer.exceptionHandler(e -> LOG.debug("Quotes producer: {}", e.toString())); // each send says it: publish()
      timer = vertx.setPeriodic(0, intervalMs, t -> tick());
      LOG.info("Market started: a tick every {} ms, {} symbols with a known last price", intervalMs, closes.size());
      return null;
    });
  }

  /** Stops ticking; the next market node goes on from the candles. */
  Future<Void> stop() {
    vertx.cancelTimer(timer);
    timer = -1;
    Future<Void> producerClosed = producer == null ? Future.succeededFuture() : producer.close();
    Future<Void> sourceClosed = source == null ? Future.succeededFuture() : source.close();
    producer = null;
    source = null;
    return Future.join(producerClosed, sourceClosed).transform(ar -> Future.succeededFuture());
  }

  private void tick() {
    if (busy || source == null) {
      return;
    }
    busy = true;
    KafkaProducer<String, String> kafka = producer;
    source.next(Instant.now()).compose(quotes -> {
      publish(kafka, quotes);
      return candles.add(quotes);
    }).onComplete(ar -> {
      busy = false;
      ticks++;
      if (ar.failed()) {
        LOG.warn("Market tick {} failed: {}", ticks, ar.cause().toString());
      }
    });
  }

  private void publish(KafkaProducer<String, String> kafka, List<Quote> quotes) {
    for (Quote quote : quotes) {
      JsonObject json = QuoteJson.toJson(quote);
      vertx.eventBus().publish(QuotesAddresses.publication(quote.symbol()), json);
      if (kafka != null) {
        // fire and forget: a lost tick is replaced by the next one on the compacted topic
        kafka.send(KafkaProducerRecord.create(topic, quote.symbol(), json.encode())).onComplete(ar -> {
          if (ar.failed() && !failing) {
            LOG.warn("Quotes not sent to Kafka: {}; the next ticks replace them", ar.cause().toString());
          } else if (ar.succeeded() && failing) {
            LOG.info("Quotes reach Kafka again");
          }
          failing = ar.failed();
        });
      }
    }
  }
}
