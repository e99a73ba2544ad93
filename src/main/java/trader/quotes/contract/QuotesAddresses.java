package trader.quotes.contract;

/** The quotes context's event-bus API, publications and Kafka topic, for the contexts that use them. */
public final class QuotesAddresses {

  /** {@code {symbol?}} → {@code {quotes: [quote...]}}, or one quote; 404 for an unknown symbol. */
  public static final String LATEST = "quotes.latest";
  /** {@code {symbol, from?, to?}} (ISO-8601 instants, default the last hour, at most 7 days) → {@code {candles}}. */
  public static final String CANDLES = "quotes.candles";
  /** Every tick of symbol {@code S} is published to {@code quotes.S} (all nodes, browsers through the bridge). */
  public static final String PUBLICATION_PREFIX = "quotes.";
  /** Compacted topic of the latest quote per symbol (key = symbol), before {@code kafka.topic-prefix}. */
  public static final String TOPIC = "market.quotes";

  private QuotesAddresses() {
  }

  /** Where the quotes of {@code symbol} are published. */
  public static String publication(String symbol) {
    return PUBLICATION_PREFIX + symbol;
  }
}
