package trader.quotes;

import io.vertx.core.Future;

import java.time.Instant;
import java.util.List;

/** The default source: the {@link MarketSimulator}, moved to the tick's instant. */
final class SimulatedQuotes implements QuoteSource {

  private final MarketSimulator market;

  SimulatedQuotes(MarketSimulator market) {
    this.market = market;
  }

  @Override
  public Future<List<Quote>> next(Instant now) {
    return Future.succeededFuture(market.tick(now));
  }
}
