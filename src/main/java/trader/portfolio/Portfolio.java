package trader.portfolio;

import trader.wiretransfer.contract.TransferSteps;
import trader.eventsourcing.entity.Decision;
import trader.eventsourcing.entity.EntityType;
import trader.eventsourcing.entity.RecordCodec;
import trader.money.Money;
import trader.portfolio.PortfolioCommand.ClosePortfolio;
import trader.portfolio.PortfolioCommand.DepositCash;
import trader.portfolio.PortfolioCommand.OpenPortfolio;
import trader.portfolio.PortfolioCommand.PlaceOrder;
import trader.portfolio.PortfolioCommand.RecordFill;
import trader.portfolio.PortfolioCommand.RecordOrderEnd;
import trader.portfolio.PortfolioCommand.RefundCash;
import trader.portfolio.PortfolioCommand.RequestCancel;
import trader.portfolio.PortfolioCommand.WithdrawCash;
import trader.portfolio.PortfolioEvent.CashDepositDeclined;
import trader.portfolio.PortfolioEvent.CashDeposited;
import trader.portfolio.PortfolioEvent.CashRefunded;
import trader.portfolio.PortfolioEvent.CashWithdrawalDeclined;
import trader.portfolio.PortfolioEvent.CashWithdrawn;
import trader.portfolio.PortfolioEvent.OrderCancelRequested;
import trader.portfolio.PortfolioEvent.OrderEnded;
import trader.portfolio.PortfolioEvent.OrderFilled;
import trader.portfolio.PortfolioEvent.OrderPlaced;
import trader.portfolio.PortfolioEvent.PortfolioClosed;
import trader.portfolio.PortfolioEvent.PortfolioOpened;
import trader.portfolio.PortfolioState.Opened;
import trader.portfolio.PortfolioState.Unopened;
import trader.wiretransfer.contract.TransferParticipant;
import trader.wiretransfer.contract.TransferStep.Step;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A user's portfolio (entity id = portfolio id): its cash, the shares it holds and its orders. Buying reserves cash
 * and selling reserves shares when the order is placed, so the portfolio never overdraws or oversells; the broker's
 * fills then settle cash and holdings exactly. Wire-transfer steps it cannot do are declined with an event, not
 * rejected.
 */
public final class Portfolio implements EntityType<PortfolioCommand, PortfolioEvent, PortfolioState> {

  public static final String NAME = "portfolio";

  static final String NOT_OPEN = "The portfolio is not open";

  static final String CLOSED = "The portfolio is closed";

  private static final int MAX_NAME_LENGTH = 60;

  /** The default of {@code orders.max-open-per-portfolio}: what a retail broker allows, far more than a person uses. */
  public static final int DEFAULT_MAX_OPEN_ORDERS = 500;

  private final int maxOpenOrders;

  /** A portfolio that rests at most {@link #DEFAULT_MAX_OPEN_ORDERS} orders at once. */
  public Portfolio() {
    this(DEFAULT_MAX_OPEN_ORDERS);
  }

  /** A portfolio that rests at most {@code maxOpenOrders} orders at once: each one is memory and a row kept. */
  public Portfolio(int maxOpenOrders) {
    if (maxOpenOrders < 1) {
      throw new IllegalArgumentException("A portfolio must be able to hold an open order");
    }
    this.maxOpenOrders = maxOpenOrders;
  }

  private static final RecordCodec<PortfolioCommand> COMMANDS = RecordCodec.of(PortfolioCommand.class)
    .add("portfolio.open", OpenPortfolio.class)
    .add("portfolio.close", ClosePortfolio.class)
    .add("portfolio.deposit-cash", DepositCash.class)
    .add("portfolio.withdraw-cash", WithdrawCash.class)
    .add("portfolio.refund-cash", RefundCash.class)
    .add("portfolio.place-order", PlaceOrder.class)
    .add("portfolio.record-fill", RecordFill.class)
    .add("portfolio.record-order-end", RecordOrderEnd.class)
    .add("portfolio.request-cancel", RequestCancel.class)
    .build();

  private static final RecordCodec<PortfolioEvent> EVENTS = RecordCodec.of(PortfolioEvent.class)
    .add("portfolio.opened", PortfolioOpened.class)
    .add("portfolio.closed", PortfolioClosed.class)
    .add("portfolio.cash-deposited", 2, CashDeposited.class)
    .upcast("portfolio.cash-deposited", 1, TransferParticipant.LEGACY)
    .add("portfolio.cash-deposit-declined", 2, CashDepositDeclined.class)
    .upcast("portfolio.cash-deposit-declined", 1, TransferParticipant.LEGACY)
    .add("portfolio.cash-withdrawn", 2, CashWithdrawn.class)
    .upcast("portfolio.cash-withdrawn", 1, TransferParticipant.LEGACY)
    .add("portfolio.cash-withdrawal-declined", 2, CashWithdrawalDeclined.class)
    .upcast("portfolio.cash-withdrawal-declined", 1, TransferParticipant.LEGACY)
    .add("portfolio.cash-refunded", 2, CashRefunded.class)
    .upcast("portfolio.cash-refunded", 1, TransferParticipant.LEGACY)
    .add("portfolio.order-placed", OrderPlaced.class)
    .add("portfolio.order-filled", OrderFilled.class)
    .add("portfolio.order-ended", OrderEnded.class)
    .add("portfolio.order-cancel-requested", OrderCancelRequested.class)
    .sharingDecodings()
    .build();

  private static final RecordCodec<PortfolioState> STATES = RecordCodec.of(PortfolioState.class)
    .add("portfolio.state.unopened", Unopened.class)
    .add("portfolio.state.opened", Opened.class)
    .build();

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public PortfolioState initialState() {
    return new Unopened(TransferSteps.NONE);
  }

  @Override
  public int snapshotEvery() {
    return 100;
  }

  /**
   * Every command but closing names itself, so none takes effect twice: an order's placement and its result by the
   * order id, a cash step by its transfer and kind. The state need not remember ended orders or transfers.
   */
  @Override
  public String commandId(PortfolioCommand command) {
    return switch (command) {
      case OpenPortfolio open -> "open:" + open.ownerId();
      case ClosePortfolio close -> null; // a closed portfolio stays closed: its state says so
      case DepositCash deposit -> TransferParticipant.commandId(Step.DEPOSIT, deposit.transferId());
      case WithdrawCash withdraw -> TransferParticipant.commandId(Step.WITHDRAW, withdraw.transferId());
      case RefundCash refund -> TransferParticipant.commandId(Step.REFUND, refund.transferId());
      case PlaceOrder place -> "order:" + place.orderId();
      // an order has one result: the first recorded wins, whether a fill or an end
      case RecordFill fill -> "order-result:" + fill.orderId();
      case RecordOrderEnd end -> "order-result:" + end.orderId();
      case RequestCancel cancel -> "cancel:" + cancel.orderId();
    };
  }

  @Override
  public Decision<PortfolioEvent> decide(PortfolioState state, PortfolioCommand command) {
    return switch (state) {
      case Unopened unopened -> switch (command) {
        case OpenPortfolio open -> open(open);
        // a transfer step gets its answer as an event, which the transfer waits for
        case DepositCash deposit -> CashTransfers.deposit(unopened, deposit);
        case WithdrawCash withdraw -> CashTransfers.withdraw(unopened, withdraw);
        default -> Decision.reject(NOT_OPEN);
      };
      case Opened portfolio -> switch (command) {
        case OpenPortfolio open -> portfolio.portfolioId().equals(open.portfolioId())
          ? Decision.accept() // the same opening again
          : Decision.reject("A portfolio with this id already exists");
        case ClosePortfolio close -> close(portfolio);
        case DepositCash deposit -> CashTransfers.deposit(portfolio, deposit);
        case WithdrawCash withdraw -> CashTransfers.withdraw(portfolio, withdraw);
        case RefundCash refund -> CashTransfers.refund(portfolio, refund);
        case PlaceOrder place -> placeOrder(portfolio, place, maxOpenOrders);
        case RecordFill fill ->
          orderResult(portfolio, fill.orderId(), order -> OrderResults.fill(order, portfolio, fill));
        case RecordOrderEnd end -> orderResult(portfolio, end.orderId(), order -> OrderResults.end(order, end));
        case RequestCancel cancel -> requestCancel(portfolio, cancel);
      };
    };
  }

  private static Decision<PortfolioEvent> open(OpenPortfolio open) {
    if (open.portfolioId() == null || open.portfolioId().isBlank()) {
      return Decision.reject("A portfolio id is required");
    }
    if (open.ownerId() == null || open.ownerId().isBlank()) {
      return Decision.reject("An owner is required");
    }
    String name = open.name() == null ? "" : open.name().trim();
    if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
      return Decision.reject("A portfolio name must be 1 to " + MAX_NAME_LENGTH + " characters");
    }
    return Decision.accept(new PortfolioOpened(open.portfolioId(), open.ownerId(), name));
  }

  private static Decision<PortfolioEvent> close(Opened portfolio) {
    if (portfolio.closed()) {
      return Decision.accept();
    }
    List<String> left = new ArrayList<>();
    if (portfolio.cash().signum() > 0) {
      left.add("cash " + Money.format(portfolio.cash()));
    }
    portfolio.holdings().forEach((symbol, holding) ->
      left.add(holding.shares() + (holding.shares() == 1 ? " share of " : " shares of ") + symbol));
    int orders = portfolio.openOrders().size();
    if (orders > 0) {
      left.add(orders + (orders == 1 ? " open order" : " open orders"));
    }
    if (!left.isEmpty()) {
      return Decision.reject("The portfolio can't be closed while it still has " + inWords(left));
    }
    return Decision.accept(new PortfolioClosed());
  }

  /** "a", "a and b", "a, b and c". */
  private static String inWords(List<String> items) {
    int last = items.size() - 1;
    return last == 0 ? items.getFirst() : String.join(", ", items.subList(0, last)) + " and " + items.get(last);
  }

  private static Decision<PortfolioEvent> placeOrder(Opened portfolio, PlaceOrder place, int maxOpenOrders) {
    if (place.orderId() == null || place.orderId().isBlank()) {
      return Decision.reject("An order id is required");
    }
    if (portfolio.openOrders().containsKey(place.orderId())) {
      return Decision.accept(); // the same placement again (once it has ended, its command id tells)
    }
    if (portfolio.closed()) {
      return closedRejection();
    }
    if (portfolio.openOrders().size() >= maxOpenOrders) {
      return Decision.overLimit(tooManyOpenOrders(maxOpenOrders));
    }
    return OrderPlacement.place(portfolio, place);
  }

  /**
   * Decides a broker result for order {@code orderId} with {@code decision} if the order is open. The broker only
   * knows orders this portfolio placed, so a result for an order that is not open is one for an order that has its
   * result already (the first recorded wins): accepted, and it changes nothing.
   */
  private static Decision<PortfolioEvent> orderResult(Opened portfolio, String orderId,
                                                      Function<Order, Decision<PortfolioEvent>> decision) {
    if (orderId == null || orderId.isBlank()) {
      return Decision.reject("An order id is required");
    }
    Order order = portfolio.openOrders().get(orderId);
    return order == null ? Decision.accept() : decision.apply(order);
  }

  /** A cancel is asked of the broker for an open order; one that has ended cannot be cancelled any more. */
  private static Decision<PortfolioEvent> requestCancel(Opened portfolio, RequestCancel cancel) {
    if (cancel.orderId() == null || cancel.orderId().isBlank()) {
      return Decision.reject("An order id is required");
    }
    return portfolio.openOrders().containsKey(cancel.orderId())
      ? Decision.accept(new OrderCancelRequested(cancel.orderId()))
      : Decision.reject("Order " + cancel.orderId() + " is not open: it has ended already");
  }

  /** The refusal of an order beyond the limit; it names the wait before a retry ({@code Retry-After}). */
  static String tooManyOpenOrders(int max) {
    return "The portfolio has " + max + " open orders, the most it may have: cancel one, or try again in 60 s "
      + "when one may have ended";
  }

  static Decision<PortfolioEvent> closedRejection() {
    return Decision.reject(CLOSED);
  }

  static String insufficientFunds(Opened portfolio, BigDecimal needed) {
    return "Insufficient funds: available " + Money.format(portfolio.availableCash()) + ", needed "
      + Money.format(needed);
  }

  @Override
  public PortfolioState evolve(PortfolioState state, PortfolioEvent event) {
    return switch (state) {
      case Unopened unopened -> switch (event) {
        case PortfolioOpened opened ->
          Opened.of(opened.portfolioId(), opened.ownerId(), opened.name(), unopened.cashSteps());
        case CashDepositDeclined declined -> declined.legacy()
          ? new Unopened(unopened.cashSteps().withDeclinedDeposit(declined.transferId())) : unopened;
        case CashWithdrawalDeclined declined -> declined.legacy()
          ? new Unopened(unopened.cashSteps().withDeclinedWithdrawal(declined.transferId())) : unopened;
        default -> throw new IllegalStateException(event + " on a portfolio that is not open");
      };
      case Opened portfolio -> evolve(portfolio, event);
    };
  }

  /** Cash steps of schema version 1 ({@code legacy}) are remembered by transfer id; later ones need not be. */
  private static Opened evolve(Opened portfolio, PortfolioEvent event) {
    TransferSteps steps = portfolio.cashSteps();
    return switch (event) {
      case PortfolioOpened opened -> throw new IllegalStateException(event + " on an open portfolio");
      case PortfolioClosed closed -> portfolio.closing();
      case CashDeposited d -> portfolio.withCash(portfolio.cash().add(d.amount()),
        d.legacy() ? steps.withDeposit(d.transferId()) : steps);
      case CashDepositDeclined d -> d.legacy()
        ? portfolio.withCash(portfolio.cash(), steps.withDeclinedDeposit(d.transferId())) : portfolio;
      case CashWithdrawn w -> portfolio.withCash(portfolio.cash().subtract(w.amount()),
        w.legacy() ? steps.withWithdrawal(w.transferId(), w.amount()) : steps);
      case CashWithdrawalDeclined w -> w.legacy()
        ? portfolio.withCash(portfolio.cash(), steps.withDeclinedWithdrawal(w.transferId())) : portfolio;
      case CashRefunded r -> portfolio.withCash(portfolio.cash().add(r.amount()),
        r.legacy() ? steps.withRefund(r.transferId()) : steps);
      case OrderPlaced placed -> portfolio.placing(placed.order());
      case OrderFilled filled -> portfolio.filling(filled);
      case OrderEnded ended -> portfolio.ending(ended.orderId());
      case OrderCancelRequested requested -> portfolio;
    };
  }

  @Override
  public RecordCodec<PortfolioCommand> commands() {
    return COMMANDS;
  }

  @Override
  public RecordCodec<PortfolioEvent> events() {
    return EVENTS;
  }

  @Override
  public RecordCodec<PortfolioState> states() {
    return STATES;
  }
}
