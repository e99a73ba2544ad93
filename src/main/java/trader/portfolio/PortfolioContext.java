package trader.portfolio;

import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import trader.eventsourcing.entity.EntityRef;
import trader.eventsourcing.entity.Reply;
import trader.eventsourcing.journal.StoredEvent;
import trader.eventsourcing.topic.TopicMessage;
import trader.eventsourcing.topic.TopicPublisher;
import trader.eventsourcing.topic.TopicSubscriber;
import trader.platform.BoundedContext;
import trader.platform.BusApi;
import trader.platform.BusFailures.Refusal;
import trader.platform.Engine;
import trader.platform.TopicTail;
import trader.broker.contract.OrderResult;
import trader.portfolio.contract.PlacedOrder;
import trader.portfolio.PortfolioCommand.ClosePortfolio;
import trader.portfolio.PortfolioCommand.DepositCash;
import trader.portfolio.PortfolioCommand.OpenPortfolio;
import trader.portfolio.PortfolioCommand.RefundCash;
import trader.portfolio.PortfolioCommand.WithdrawCash;
import trader.portfolio.contract.PortfolioAddresses;
import trader.wiretransfer.contract.TransferStep;
import trader.wiretransfer.contract.TransferStepResult;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * The portfolio context: opens, shows and closes portfolios, holds their cash (moved by wire-transfer steps arriving
 * on Kafka, whose outcomes it publishes from its journal) and, with the broker, their orders and holdings.
 */
public final class PortfolioContext implements BoundedContext {

  private static final Duration READ_YOUR_WRITES = Duration.ofSeconds(2);

  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private Engine engine;
  private EntityRef<PortfolioCommand> portfolios;
  /** Portfolios' owners as the read side showed them (a portfolio's owner never changes): one query per portfolio. */
  private final Map<String, String> owners = BoundedMap.create(100_000, true);
  private int maxPortfolios;
  private TopicPublisher results;
  private TopicSubscriber steps;
  private TopicPublisher placements;
  private TopicSubscriber orderResults;
  private TopicTail quoteFeed;

  @Override
  public String name() {
    return "portfolio";
  }

  @Override
  public Future<Void> start(Engine engine) {
    this.engine = engine;
    Portfolio type = new Portfolio(engine.settings().integer("orders.max-open-per-portfolio", 1, 100_000));
    maxPortfolios = engine.settings().integer("portfolios.max-per-user", 1, 10_000);
    return engine.entities().register(type).map(ref -> {
      portfolios = ref;
      engine.projections().register(new PortfolioViews(engine.vertx()));
      results = TopicPublisher.create(engine.vertx(), engine.kafkaBootstrapServers(), "publish_portfolio_results",
        engine.topic(TransferStepResult.PORTFOLIO_TOPIC), PortfolioContext::isStepOutcome, PortfolioContext::result);
      engine.projections().register(results);
      steps = engine.subscribe(TransferStep.TOPIC, "portfolio", this::onStep);
      consume(PortfolioAddresses.OPEN, this::open);
      consume(PortfolioAddresses.LIST, this::list);
      consume(PortfolioAddresses.GET, this::get);
      consume(PortfolioAddresses.CLOSE, this::close);
      consume(PortfolioAddresses.OWNS, this::owns);
      startOrders();
      return null;
    });
  }

  /** Orders: a replica of the latest quotes, the order read side, placements out and broker results in. */
  private void startOrders() {
    QuoteReplica quotes = new QuoteReplica();
    quoteFeed = TopicTail.start(engine.vertx(), engine.kafkaBootstrapServers(), engine.topic("market.quotes"), true,
      (key, quote) -> quotes.onQuote(quote));
    PortfolioOrders orders = new PortfolioOrders(engine, portfolios, quotes, id -> owner(id, true));
    engine.projections().register(new OrderViews(engine.vertx()));
    placements = TopicPublisher.create(engine.vertx(), engine.kafkaBootstrapServers(), "publish_portfolio_orders",
      engine.topic(PlacedOrder.TOPIC), PortfolioOrders::isForBroker, PortfolioOrders::forBroker);
    engine.projections().register(placements);
    orderResults = engine.subscribe(OrderResult.TOPIC, "portfolio-order-results", orders::onResult);
    consume(PortfolioAddresses.PLACE_ORDER, orders::place);
    consume(PortfolioAddresses.LIST_ORDERS, orders::list);
    consume(PortfolioAddresses.GET_ORDER, orders::get);
    consume(PortfolioAddresses.CANCEL_ORDER, orders::cancel);
  }

  @Override
  public Future<Void> stop() {
    consumers.forEach(MessageConsumer::unregister);
    return close(steps == null ? null : steps::close)
      .eventually(() -> close(results == null ? null : results::close))
      .eventually(() -> close(orderResults == null ? null : orderResults::close))
      .eventually(() -> close(placements == null ? null : placements::close))
      .eventually(() -> close(quoteFeed == null ? null : quoteFeed::close));
  }

  private static Future<Void> close(java.util.function.Supplier<Future<Void>> closer) {
    return closer == null ? Future.succeededFuture() : closer.get();
  }

  private void consume(String address, Function<JsonObject, Future<JsonObject>> handler) {
    consumers.add(BusApi.serve(engine.vertx(), address, handler));
  }

  /**
   * {@code {userId, name, commandId?}}: the portfolio's id is the command's (an idempotency key's), or a new one. A
   * user has at most {@code portfolios.max-per-user} open portfolios (429 beyond), counted on the read side once it
   * has every committed opening: opens of one user sent at the same moment may pass together, which the per-user
   * request rate bounds.
   */
  private Future<JsonObject> open(JsonObject request) {
    String portfolioId = request.getString("commandId", UUID.randomUUID().toString());
    String userId = request.getString("userId");
    return engine.progress().awaitCommitted(PortfolioViews.NAME, READ_YOUR_WRITES).recover(e -> Future.succeededFuture())
      .compose(v -> engine.pool().preparedQuery("select count(*) from portfolios where owner_id = $1 and not closed "
        + "and portfolio_id <> $2").execute(Tuple.of(userId, portfolioId)))
      .compose(rows -> rows.iterator().next().getLong(0) >= maxPortfolios
        ? Future.failedFuture(new Refusal(429, "You have " + maxPortfolios + " open portfolios, the most a user may "
          + "have: close one before opening another (or try again in 60 s)"))
        : portfolios.send(portfolioId, new OpenPortfolio(portfolioId, userId, request.getString("name", "").trim())))
      .compose(reply -> accepted(reply, 400))
      .map(a -> new JsonObject().put("portfolioId", portfolioId).put("position", a.position().toString()));
  }

  private Future<JsonObject> list(JsonObject request) {
    return caughtUp(request.getString("position"))
      .compose(v -> engine.pool().preparedQuery("select portfolio_id, name, closed, cash, reserved_cash, opened_at "
        + "from portfolios where owner_id = $1 order by opened_at, portfolio_id").execute(Tuple.of(
          request.getString("userId"))))
      .map(rows -> {
        JsonArray list = new JsonArray();
        for (Row r : rows) {
          list.add(new JsonObject().put("portfolioId", r.getString("portfolio_id")).put("name", r.getString("name"))
            .put("status", r.getBoolean("closed") ? "CLOSED" : "OPEN")
            .put("cash", money(r.getBigDecimal("cash"))).put("reservedCash", money(r.getBigDecimal("reserved_cash")))
            .put("openedAt", r.getOffsetDateTime("opened_at").toInstant().toString()));
        }
        return new JsonObject().put("portfolios", list);
      });
  }

  private Future<JsonObject> get(JsonObject request) {
    String userId = request.getString("userId");
    String portfolioId = request.getString("portfolioId");
    return caughtUp(request.getString("position"))
      .compose(v -> PortfolioViews.read(engine.pool(), portfolioId, 100))
      .compose(view -> view == null || !view.state().ownerId().equals(userId)
        ? Future.failedFuture(notFound(portfolioId))
        : Future.succeededFuture(PortfolioJson.view(view.state()).put("version", view.version())
          .put("history", view.history())));
  }

  private Future<JsonObject> close(JsonObject request) {
    String userId = request.getString("userId");
    String portfolioId = request.getString("portfolioId");
    return owner(portfolioId, true).compose(owner -> {
      if (!userId.equals(owner)) {
        return Future.failedFuture(notFound(portfolioId));
      }
      return portfolios.send(portfolioId, new ClosePortfolio()).compose(reply -> accepted(reply, 409))
        .map(a -> new JsonObject().put("portfolioId", portfolioId).put("position", a.position().toString()));
    });
  }

  private Future<JsonObject> owns(JsonObject request) {
    return owner(request.getString("portfolioId"), true)
      .map(owner -> new JsonObject().put("owned", request.getString("userId").equals(owner)));
  }

  /**
   * The owner of a portfolio from the read side; if it is not there yet and {@code fresh}, waits once until the read
   * side has caught up with everything committed so far, so a portfolio opened a moment ago is found.
   */
  private Future<String> owner(String portfolioId, boolean fresh) {
    String known = owners.get(portfolioId);
    if (known != null) {
      return Future.succeededFuture(known);
    }
    return engine.pool().preparedQuery("select owner_id from portfolios where portfolio_id = $1")
      .execute(Tuple.of(portfolioId))
      .compose(rows -> {
        if (rows.size() > 0) {
          String owner = rows.iterator().next().getString(0);
          owners.put(portfolioId, owner);
          return Future.succeededFuture(owner);
        }
        if (!fresh) {
          return Future.succeededFuture(null);
        }
        return engine.progress().awaitCommitted(PortfolioViews.NAME, READ_YOUR_WRITES)
          .compose(v -> owner(portfolioId, false));
      });
  }

  private Future<Void> caughtUp(String position) {
    return engine.progress().fresh(PortfolioViews.NAME, position, READ_YOUR_WRITES);
  }

  private static Future<Reply.Accepted> accepted(Reply reply, int statusWhenRejected) {
    return switch (reply) {
      case Reply.Accepted a -> Future.succeededFuture(a);
      case Reply.Rejected r -> Future.failedFuture(new Refusal(statusWhenRejected, r.reason()));
    };
  }

  private static Refusal notFound(String portfolioId) {
    return new Refusal(404, "No portfolio " + portfolioId);
  }

  static String money(java.math.BigDecimal amount) {
    return amount.setScale(2).toPlainString();
  }

  /** A transfer step for a portfolio becomes a command to it; other steps are not ours. */
  private Future<Void> onStep(TopicMessage message) {
    TransferStep step = TransferStep.fromJson(message.payload());
    if (!TransferStep.PORTFOLIO.equals(step.kind())) {
      return Future.succeededFuture();
    }
    PortfolioCommand command = switch (step.step()) {
      case WITHDRAW -> new WithdrawCash(step.transferId(), step.amount());
      case DEPOSIT -> new DepositCash(step.transferId(), step.amount());
      case REFUND -> new RefundCash(step.transferId(), step.amount());
    };
    return portfolios.send(step.endpointId(), command).compose(reply -> reply instanceof Reply.Rejected r
      ? Future.failedFuture(new TopicSubscriber.Refused("Portfolio " + step.endpointId() + " refused " + step.step().wire() + " of transfer "
        + step.transferId() + ": " + r.reason()))
      : Future.succeededFuture());
  }

  static boolean isStepOutcome(StoredEvent e) {
    return switch (e.type()) {
      case "portfolio.cash-withdrawn", "portfolio.cash-withdrawal-declined", "portfolio.cash-deposited",
           "portfolio.cash-deposit-declined", "portfolio.cash-refunded" -> true;
      default -> false;
    };
  }

  static TopicMessage result(StoredEvent e) {
    JsonObject p = e.payload();
    String id = p.getString("transferId");
    TransferStepResult result = switch (e.type()) {
      case "portfolio.cash-withdrawn" -> new TransferStepResult(TransferStep.Step.WITHDRAW, id, true, null);
      case "portfolio.cash-withdrawal-declined" -> new TransferStepResult(TransferStep.Step.WITHDRAW, id, false,
        p.getString("reason"));
      case "portfolio.cash-deposited" -> new TransferStepResult(TransferStep.Step.DEPOSIT, id, true, null);
      case "portfolio.cash-deposit-declined" -> new TransferStepResult(TransferStep.Step.DEPOSIT, id, false,
        p.getString("reason"));
      case "portfolio.cash-refunded" -> new TransferStepResult(TransferStep.Step.REFUND, id, true, null);
      default -> throw new IllegalArgumentException("not a step outcome: " + e.type());
    };
    return TopicMessage.of(e, result.toJson());
  }
}
