package trader.wiretransfer;

import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import trader.eventsourcing.entity.Entities;
import trader.eventsourcing.entity.EntityRef;
import trader.eventsourcing.entity.Reply;
import trader.eventsourcing.journal.StoredEvent;
import trader.eventsourcing.topic.TopicMessage;
import trader.eventsourcing.topic.TopicPublisher;
import trader.eventsourcing.topic.TopicSubscriber;
import trader.money.Money;
import trader.platform.BoundedContext;
import trader.platform.BusApi;
import trader.platform.BusFailures.Refusal;
import trader.platform.Engine;
import trader.wiretransfer.TransferCommand.RecordDeposit;
import trader.wiretransfer.TransferCommand.RecordRefund;
import trader.wiretransfer.TransferCommand.RecordWithdrawal;
import trader.wiretransfer.TransferCommand.RequestTransfer;
import trader.wiretransfer.contract.TransferAddresses;
import trader.wiretransfer.contract.TransferStep;
import trader.wiretransfer.contract.TransferStepResult;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * The wiretransfer context: a saga per transfer. The Transfer entity records each step's outcome; its events are
 * published as steps on Kafka (withdraw after the request, deposit after the withdrawal, refund after a failed
 * deposit), and the outcomes come back from the accounts and portfolio contexts. Every message carries the transfer
 * id, and every handler is idempotent, so redelivery or a restart from an old offset moves money at most once.
 */
public final class WiretransferContext implements BoundedContext {

  private static final Duration READ_YOUR_WRITES = Duration.ofSeconds(2);

  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private final List<TopicSubscriber> subscribers = new ArrayList<>();
  private Engine engine;
  private EntityRef<TransferCommand> transfers;
  private TopicPublisher stepPublisher;
  private BigDecimal maxAmount;

  @Override
  public String name() {
    return "wiretransfer";
  }

  @Override
  public Future<Void> start(Engine engine) {
    this.engine = engine;
    maxAmount = engine.settings().decimal("money.max-amount");
    return engine.entities().register(new Transfer()).map(ref -> {
      transfers = ref;
      engine.projections().register(new TransferViews(engine.vertx()));
      stepPublisher = TopicPublisher.createAsync(engine.vertx(), engine.kafkaBootstrapServers(),
        "publish_transfer_steps", engine.topic(TransferStep.TOPIC), WiretransferContext::causesStep, this::step);
      engine.projections().register(stepPublisher);
      for (String topic : List.of(TransferStepResult.ACCOUNTS_TOPIC, TransferStepResult.PORTFOLIO_TOPIC)) {
        subscribers.add(engine.subscribe(topic, "wiretransfer", this::onResult));
      }
      consume(TransferAddresses.REQUEST, this::request);
      consume(TransferAddresses.LIST, this::list);
      consume(TransferAddresses.GET, this::get);
      return null;
    });
  }

  @Override
  public Future<Void> stop() {
    consumers.forEach(MessageConsumer::unregister);
    return Future.all(subscribers.stream().map(TopicSubscriber::close).toList())
      .eventually(() -> stepPublisher == null ? Future.succeededFuture() : stepPublisher.close()).mapEmpty();
  }

  private void consume(String address, Function<JsonObject, Future<JsonObject>> handler) {
    consumers.add(BusApi.serve(engine.vertx(), address, handler));
  }

  private Future<JsonObject> request(JsonObject body) {
    String userId = body.getString("userId");
    BigDecimal amount;
    try {
      amount = new BigDecimal(body.getString("amount"));
    } catch (RuntimeException e) {
      return Future.failedFuture(new Refusal(400, "amount: not a decimal number"));
    }
    String problem = Money.positiveProblem("amount", amount);
    if (problem != null) {
      return Future.failedFuture(new Refusal(400, problem));
    }
    if (amount.compareTo(maxAmount) > 0) {
      return Future.failedFuture(new Refusal(400, "amount: at most " + Money.format(maxAmount) + " per transfer"));
    }
    String transferId = body.getString("commandId", UUID.randomUUID().toString());
    return transfers.send(transferId, new RequestTransfer(transferId, userId, endpoint(body.getJsonObject("from")),
        endpoint(body.getJsonObject("to")), amount))
      .compose(reply -> switch (reply) {
        case Reply.Accepted a -> Future.succeededFuture(new JsonObject().put("transferId", transferId)
          .put("position", a.position().toString()));
        case Reply.Rejected r -> Future.<JsonObject>failedFuture(new Refusal(400, r.reason()));
      });
  }

  private static Endpoint endpoint(JsonObject json) {
    if (json == null) {
      throw new Refusal(400, "from and to are required");
    }
    return switch (json.getString("kind", "")) {
      case TransferStep.SAVINGS -> new Endpoint.Savings(json.getString("id"));
      case TransferStep.PORTFOLIO -> new Endpoint.PortfolioAccount(json.getString("id"));
      default -> throw new Refusal(400, "an endpoint's kind is savings or portfolio");
    };
  }

  private Future<JsonObject> list(JsonObject body) {
    String portfolioId = body.getString("portfolioId");
    return caughtUp(body.getString("position"))
      .compose(v -> engine.pool().preparedQuery("select * from transfers where user_id = $1 and ($2::text is null "
        + "or (from_kind = 'portfolio' and from_id = $2) or (to_kind = 'portfolio' and to_id = $2)) "
        + "order by requested_at desc, transfer_id limit 200").execute(Tuple.of(body.getString("userId"), portfolioId)))
      .map(rows -> {
        JsonArray list = new JsonArray();
        rows.forEach(r -> list.add(json(r)));
        return new JsonObject().put("transfers", list);
      });
  }

  private Future<JsonObject> get(JsonObject body) {
    return caughtUp(body.getString("position"))
      .compose(v -> engine.pool().preparedQuery("select * from transfers where transfer_id = $1 and user_id = $2")
        .execute(Tuple.of(body.getString("transferId"), body.getString("userId"))))
      .compose(rows -> rows.size() == 0
        ? Future.failedFuture(new Refusal(404, "No transfer " + body.getString("transferId")))
        : Future.succeededFuture(json(rows.iterator().next())));
  }

  private static JsonObject json(Row r) {
    return new JsonObject().put("transferId", r.getString("transfer_id"))
      .put("from", new JsonObject().put("kind", r.getString("from_kind")).put("id", r.getString("from_id")))
      .put("to", new JsonObject().put("kind", r.getString("to_kind")).put("id", r.getString("to_id")))
      .put("amount", r.getBigDecimal("amount").setScale(2).toPlainString()).put("status", r.getString("status"))
      .put("reason", r.getString("reason"))
      .put("requestedAt", r.getOffsetDateTime("requested_at").toInstant().toString())
      .put("updatedAt", r.getOffsetDateTime("updated_at").toInstant().toString());
  }

  private Future<Void> caughtUp(String position) {
    return engine.progress().fresh(TransferViews.NAME, position, READ_YOUR_WRITES);
  }

  static boolean causesStep(StoredEvent e) {
    return switch (e.type()) {
      case "transfer.requested", "transfer.withdrawal-succeeded", "transfer.deposit-failed" -> true;
      default -> false;
    };
  }

  /** The step an event calls for; the endpoints and amount come from the transfer's first event. */
  private Future<TopicMessage> step(StoredEvent event) {
    Future<JsonObject> requested = event.version() == 1 ? Future.succeededFuture(event.payload())
      : engine.journal().read(event.streamId(), 1).map(events -> events.get(0).payload());
    return requested.map(r -> {
      String transferId = r.getString("transferId");
      BigDecimal amount = new BigDecimal(r.getString("amount"));
      JsonObject from = r.getJsonObject("from");
      JsonObject to = r.getJsonObject("to");
      TransferStep step = switch (event.type()) {
        case "transfer.requested" -> step(TransferStep.Step.WITHDRAW, transferId, from, amount);
        case "transfer.withdrawal-succeeded" -> step(TransferStep.Step.DEPOSIT, transferId, to, amount);
        case "transfer.deposit-failed" -> step(TransferStep.Step.REFUND, transferId, from, amount);
        default -> throw new IllegalArgumentException("no step for " + event.type());
      };
      // key = the transfer: its steps stay in order on one partition
      return new TopicMessage(Entities.streamId(Transfer.NAME, transferId), TopicMessage.of(event, step.toJson())
        .value());
    });
  }

  private static TransferStep step(TransferStep.Step step, String transferId, JsonObject endpoint, BigDecimal amount) {
    return new TransferStep(step, transferId, endpoint.getString("kind"), TransferViews.endpointId(endpoint), amount);
  }

  /** An outcome of a step becomes the Transfer's next fact; repeats are no-ops in the entity. */
  private Future<Void> onResult(TopicMessage message) {
    TransferStepResult result = TransferStepResult.fromJson(message.payload());
    TransferCommand command = switch (result.step()) {
      case WITHDRAW -> new RecordWithdrawal(result.succeeded(), result.reason());
      case DEPOSIT -> new RecordDeposit(result.succeeded(), result.reason());
      case REFUND -> new RecordRefund();
    };
    return transfers.send(result.transferId(), command).compose(reply -> reply instanceof Reply.Rejected r
      ? Future.failedFuture(new TopicSubscriber.Refused("Transfer " + result.transferId() + " refused " + result.step().wire() + " outcome: "
        + r.reason()))
      : Future.succeededFuture());
  }
}
