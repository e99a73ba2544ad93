package trader.accounts;

import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import trader.accounts.SavingsAccountCommand.Deposit;
import trader.accounts.SavingsAccountCommand.OpenAccount;
import trader.accounts.SavingsAccountCommand.Refund;
import trader.accounts.SavingsAccountCommand.Withdraw;
import trader.accounts.UserCommand.Register;
import trader.accounts.contract.AccountsAddresses;
import trader.eventsourcing.entity.Entities;
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
import trader.wiretransfer.contract.TransferStep;
import trader.wiretransfer.contract.TransferStepResult;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Function;

/**
 * The accounts context: users (credentials) and their savings accounts. Answers signup, login and balance requests on
 * the event bus, and takes part in wire transfers: steps for savings accounts arrive on Kafka, their outcomes are
 * published from the journal.
 */
public final class AccountsContext implements BoundedContext {

  private static final Duration READ_YOUR_WRITES = Duration.ofSeconds(2);

  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private Engine engine;
  private EntityRef<UserCommand> users;
  private EntityRef<SavingsAccountCommand> savings;
  private PasswordHasher hasher;
  private LoginThrottle throttle;
  private BigDecimal openingBalance;
  private TopicPublisher results;
  private TopicSubscriber steps;

  @Override
  public String name() {
    return "accounts";
  }

  @Override
  public Future<Void> start(Engine engine) {
    this.engine = engine;
    var settings = engine.settings();
    hasher = new PasswordHasher(settings.integer("auth.pbkdf2-iterations", 10_000, 10_000_000));
    throttle = new LoginThrottle(engine.pool(), settings.integer("auth.login-max-failures", 1, 1000),
      Duration.ofMinutes(15), Duration.ofSeconds(settings.integer("auth.login-lockout-seconds", 1, 86_400)));
    openingBalance = settings.decimal("accounts.opening-balance");
    return engine.entities().register(new User())
      .compose(u -> {
        users = u;
        return engine.entities().register(new SavingsAccount());
      })
      .map(s -> {
        savings = s;
        engine.projections().register(new SavingsBalances(engine.vertx()));
        results = TopicPublisher.create(engine.vertx(), engine.kafkaBootstrapServers(), "publish_accounts_results",
          engine.topic(TransferStepResult.ACCOUNTS_TOPIC), AccountsContext::isStepOutcome, AccountsContext::result);
        engine.projections().register(results);
        steps = engine.subscribe(TransferStep.TOPIC, "accounts", this::onStep);
        consume(AccountsAddresses.SIGNUP, this::signup);
        consume(AccountsAddresses.LOGIN, this::login);
        consume(AccountsAddresses.SAVINGS, this::balance);
        return null;
      });
  }

  @Override
  public Future<Void> stop() {
    consumers.forEach(MessageConsumer::unregister);
    return (steps == null ? Future.<Void>succeededFuture() : steps.close())
      .eventually(() -> results == null ? Future.succeededFuture() : results.close());
  }

  private void consume(String address, Function<JsonObject, Future<JsonObject>> handler) {
    consumers.add(BusApi.serve(engine.vertx(), address, handler));
  }

  private Future<JsonObject> signup(JsonObject request) {
    String username = request.getString("username", "").trim();
    String password = request.getString("password", "");
    String problem = PasswordRules.problem(username, password);
    if (problem != null) {
      return Future.failedFuture(new Refusal(400, problem));
    }
    String userId = UUID.randomUUID().toString();
    return engine.vertx().executeBlocking(() -> hasher.hash(password.toCharArray()), false)
      .compose(hash -> users.send(User.entityId(username), new Register(userId, username, hash)))
      .compose(reply -> switch (reply) {
        case Reply.Rejected r -> Future.failedFuture(new Refusal(r.reason().contains("taken") ? 409 : 400, r.reason()));
        case Reply.Accepted a -> savings.send(userId, new OpenAccount(userId, openingBalance));
      })
      .compose(reply -> switch (reply) {
        case Reply.Rejected r -> Future.failedFuture(new IllegalStateException(r.reason()));
        case Reply.Accepted a -> Future.succeededFuture(new JsonObject().put("userId", userId)
          .put("username", username).put("position", a.position().toString()));
      });
  }

  private Future<JsonObject> login(JsonObject request) {
    String username = request.getString("username", "").trim();
    String password = request.getString("password", "");
    String key = username.toLowerCase(Locale.ROOT);
    return throttle.attempt(key).compose(locked -> {
      if (locked.isPresent()) {
        return Future.failedFuture(new Refusal(429, "Too many failed logins for this username; try again in "
          + locked.get() + " s"));
      }
      // the user's own stream is the source of truth: no read-side lag right after signup
      return engine.journal().read(Entities.streamId(User.NAME, User.entityId(username)), 1)
        .compose(events -> {
          JsonObject registered = events.isEmpty() ? null : events.get(0).payload();
          String hash = registered == null ? null : registered.getString("passwordHash");
          return engine.vertx().executeBlocking(() -> hasher.verify(password.toCharArray(), hash), false)
            .compose(ok -> ok ? throttle.succeeded(key).compose(v -> savings.send(registered.getString("userId"),
                new OpenAccount(registered.getString("userId"), openingBalance)))
                .map(v -> new JsonObject().put("userId", registered.getString("userId"))
                  .put("username", registered.getString("username")))
              : Future.failedFuture(new Refusal(401, "Unknown username or wrong password")));
        });
    });
  }

  private Future<JsonObject> balance(JsonObject request) {
    String userId = request.getString("userId");
    String position = request.getString("position");
    Future<Void> caughtUp = engine.progress().fresh(SavingsBalances.NAME, position, READ_YOUR_WRITES);
    return caughtUp.compose(v -> engine.pool().preparedQuery("select balance from savings_accounts where user_id = $1")
        .execute(io.vertx.sqlclient.Tuple.of(userId)))
      .map(rows -> new JsonObject().put("userId", userId).put("balance", rows.size() == 0 ? "0.00"
        : rows.iterator().next().getBigDecimal(0).setScale(2).toPlainString()));
  }

  /** A transfer step for a savings account becomes a command to it; other steps are not ours. */
  private Future<Void> onStep(TopicMessage message) {
    TransferStep step = TransferStep.fromJson(message.payload());
    if (!TransferStep.SAVINGS.equals(step.kind())) {
      return Future.succeededFuture();
    }
    SavingsAccountCommand command = switch (step.step()) {
      case WITHDRAW -> new Withdraw(step.transferId(), step.amount());
      case DEPOSIT -> new Deposit(step.transferId(), step.amount());
      case REFUND -> new Refund(step.transferId(), step.amount());
    };
    return savings.send(step.endpointId(), command).compose(reply -> reply instanceof Reply.Rejected r
      ? Future.failedFuture(new TopicSubscriber.Refused("Savings account " + step.endpointId() + " refused " + step.step().wire() + " of transfer "
        + step.transferId() + ": " + r.reason()))
      : Future.succeededFuture());
  }

  static boolean isStepOutcome(StoredEvent e) {
    return switch (e.type()) {
      case "savings-account.withdrawn", "savings-account.withdrawal-declined", "savings-account.deposited",
           "savings-account.deposit-declined", "savings-account.refunded" -> true;
      default -> false;
    };
  }

  static TopicMessage result(StoredEvent e) {
    JsonObject p = e.payload();
    TransferStepResult result = switch (e.type()) {
      case "savings-account.withdrawn" -> new TransferStepResult(TransferStep.Step.WITHDRAW, p.getString("transferId"),
        true, null);
      case "savings-account.withdrawal-declined" -> new TransferStepResult(TransferStep.Step.WITHDRAW,
        p.getString("transferId"), false, p.getString("reason"));
      case "savings-account.deposited" -> new TransferStepResult(TransferStep.Step.DEPOSIT, p.getString("transferId"),
        true, null);
      case "savings-account.deposit-declined" -> new TransferStepResult(TransferStep.Step.DEPOSIT,
        p.getString("transferId"), false, p.getString("reason"));
      case "savings-account.refunded" -> new TransferStepResult(TransferStep.Step.REFUND, p.getString("transferId"),
        true, null);
      default -> throw new IllegalArgumentException("not a step outcome: " + e.type());
    };
    return TopicMessage.of(e, result.toJson());
  }
}
