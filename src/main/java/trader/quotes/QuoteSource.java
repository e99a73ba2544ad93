package trader.quotes;

import io.vertx.core.Future;

import java.time.Instant;
import java.util.List;

/** Where the market node's quotes come from, one batch per tick. Called from one context only. */
interface QuoteSource {

  /** The quotes of this tick: new ones, or (for a failing feed) the last known ones marked stale. */
  Future<List<Quote>> next(Instant now);

  /** Releases what the source holds (HTTP clients, breakers). */
  default Future<Void> close() {
    return Future.succeededFuture();
  }
}
