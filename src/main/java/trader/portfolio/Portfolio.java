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
import trader.portfolio.PortfolioCommand.WithdrawCash;
import trader.portfolio.PortfolioEvent.CashDepositDeclined;
import trader.portfolio.PortfolioEvent.CashDeposited;
import trader.portfolio.PortfolioEvent.CashRefunded;
import trader.portfolio.PortfolioEvent.CashWithdrawalDeclined;
import trader.portfolio.PortfolioEvent.CashWithdrawn;
import trader.portfolio.PortfolioEvent.OrderEnded;
import trader.portfolio.PortfolioEvent.OrderFilled;
import trader.portfolio.PortfolioEvent.OrderPlaced;
import trader.portfolio.PortfolioEvent.PortfolioClosed;
import trader.portfolio.PortfolioEvent.PortfolioOpened;
import trader.portfolio.PortfolioState.Opened;
import trader.portfolio.PortfolioState.Unopened;

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

  private static final RecordCodec<PortfolioCommand> COMMANDS = RecordCodec.of(PortfolioCommand.class)
    .add("portfolio.open", OpenPortfolio.class)
    .add("portfolio.close", ClosePortfolio.class)
    .add("portfolio.deposit-cash", DepositCash.class)
    .add("portfolio.withdraw-cash", WithdrawCash.class)
    .add("portfolio.refund-cash", RefundCash.class)
    .add("portfolio.place-order", PlaceOrder.class)
    .add("portfolio.record-fill", RecordFill.class)
    .add("portfolio.record-order-end", RecordOrderEnd.class)
    .build();

  private static final RecordCodec<PortfolioEvent> EVENTS = RecordCodec.of(PortfolioEvent.class)
    .add("portfolio.opened", PortfolioOpened.class)
    .add("portfolio.closed", PortfolioClosed.class)
    .add("portfolio.cash-deposited", CashDeposited.class)
    .add("portfolio.cash-deposit-declined", CashDepositDeclined.class)
    .add("portfolio.cash-withdrawn", CashWithdrawn.class)
    .add("portfolio.cash-withdrawal-declined", CashWithdrawalDeclined.class)
    .add("portfolio.cash-refunded", CashRefunded.class)
    .add("portfolio.order-placed", OrderPlaced.class)
    .add("portfolio.order-filled", OrderFilled.class)
    .add("portfolio.order-ended", OrderEnded.class)
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
        case PlaceOrder place -> placeOrder(portfolio, place);
        case RecordFill fill ->
          orderResult(portfolio, fill.orderId(), order -> OrderResults.fill(order, portfolio, fill));
        case RecordOrderEnd end -> orderResult(portfolio, end.orderId(), order -> OrderResults.end(order, end));
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

  private static Decision<PortfolioEvent> placeOrder(Opened portfolio, PlaceOrder place) {
    if (place.orderId() == null || place.orderId().isBlank()) {
      return Decision.reject("An order id is required");
    }
    if (portfolio.knowsOrder(place.orderId())) {
      return Decision.accept(); // the same placement again
    }
    if (portfolio.closed()) {
      return closedRejection();
    }
    return OrderPlacement.place(portfolio, place);
  }

  /** Decides a broker result for order {@code orderId} with {@code decision} if the order is open. */
  private static Decision<PortfolioEvent> orderResult(Opened portfolio, String orderId,
                                                      Function<Order, Decision<PortfolioEvent>> decision) {
    if (orderId == null || orderId.isBlank()) {
      return Decision.reject("An order id is required");
    }
    if (portfolio.completedOrders().containsKey(orderId)) {
      return Decision.accept(); // the order already has its result; the first one recorded wins
    }
    Order order = portfolio.openOrders().get(orderId);
    return order == null ? Decision.reject("The portfolio has no open order " + orderId) : decision.apply(order);
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
        case CashDepositDeclined declined ->
          new Unopened(unopened.cashSteps().withDeclinedDeposit(declined.transferId()));
        case CashWithdrawalDeclined declined ->
          new Unopened(unopened.cashSteps().withDeclinedWithdrawal(declined.transferId()));
        default -> throw new IllegalStateException(event + " on a portfolio that is not open");
      };
      case Opened portfolio -> evolve(portfolio, event);
    };
  }

  private static Opened evolve(Opened portfolio, PortfolioEvent event) {
    TransferSteps steps = portfolio.cashSteps();
    return switch (event) {
      case PortfolioOpened opened -> throw new IllegalStateException(event + " on an open portfolio");
      case PortfolioClosed closed -> portfolio.closing();
      case CashDeposited d -> portfolio.withCash(portfolio.cash().add(d.amount()), steps.withDeposit(d.transferId()));
      case CashDepositDeclined d -> portfolio.withCash(portfolio.cash(), steps.withDeclinedDeposit(d.transferId()));
      case CashWithdrawn w -> portfolio.withCash(portfolio.cash().subtract(w.amount()),
        steps.withWithdrawal(w.transferId(), w.amount()));
      case CashWithdrawalDeclined w ->
        portfolio.withCash(portfolio.cash(), steps.withDeclinedWithdrawal(w.transferId()));
      case CashRefunded r -> portfolio.withCash(portfolio.cash().add(r.amount()), steps.withRefund(r.transferId()));
      case OrderPlaced placed -> portfolio.placing(placed.order());
      case OrderFilled filled -> portfolio.filling(filled);
      case OrderEnded ended -> portfolio.ending(ended.orderId(), ended.outcome());
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
