package trader.portfolio;

import trader.wiretransfer.contract.TransferSteps;
import org.junit.jupiter.api.Test;
import trader.eventsourcing.entity.Decision;
import trader.portfolio.PortfolioCommand.DepositCash;
import trader.portfolio.PortfolioCommand.OpenPortfolio;
import trader.portfolio.PortfolioCommand.RecordFill;
import trader.portfolio.PortfolioCommand.RecordOrderEnd;
import trader.portfolio.PortfolioCommand.RefundCash;
import trader.portfolio.PortfolioCommand.WithdrawCash;
import trader.portfolio.PortfolioEvent.CashDepositDeclined;
import trader.portfolio.PortfolioEvent.CashDeposited;
import trader.portfolio.PortfolioEvent.CashRefunded;
import trader.portfolio.PortfolioEvent.CashWithdrawalDeclined;
import trader.portfolio.PortfolioEvent.CashWithdrawn;
import trader.portfolio.PortfolioEvent.OrderFilled;
import trader.portfolio.PortfolioState.Opened;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static trader.portfolio.PortfolioFixtures.FILLED_AT;
import static trader.portfolio.PortfolioFixtures.buyLimit;
import static trader.portfolio.PortfolioFixtures.buyMarket;
import static trader.portfolio.PortfolioFixtures.sellMarket;

/**
 * Thousands of random commands, redelivered ones included, against one portfolio, taken as the entity runtime takes
 * them (a command whose id took effect is answered without deciding it again): after each, the cash and shares add
 * up and nothing is negative or over-reserved, whatever was accepted, declined or rejected; a declined transfer step
 * never moves money later, and no step, placement or result takes effect twice.
 */
class PortfolioInvariantsTest {

  private static final String[] SYMBOLS = {"AAPL", "MSFT", "IBM"};

  private final Portfolio type = new Portfolio();
  /** What each transfer withdrew, for refunds the saga would send. */
  private final Map<String, BigDecimal> withdrawals = new TreeMap<>();

  @Test
  void cashAndSharesAlwaysAddUp() {
    Random random = new Random(20250314);
    PortfolioState state = apply(type.initialState(), new OpenPortfolio("p1", "alice", "Random walk"));
    List<PortfolioCommand> sent = new ArrayList<>();
    BigDecimal moneyIn = new BigDecimal("0.00");
    Map<String, Integer> tally = new TreeMap<>();
    Set<String> declinedSteps = new HashSet<>(); // "withdraw t12", "deposit t40"
    Set<String> done = new HashSet<>(); // the ids of commands that took effect, as the journal knows them
    Set<String> effects = new HashSet<>(); // "withdraw t12", "order o3", "result o3": what happened, once each
    for (int step = 0; step < 5_000; step++) {
      PortfolioCommand command = sent.isEmpty() || random.nextInt(10) > 0
        ? randomCommand(random, (Opened) state, step) : sent.get(random.nextInt(sent.size())); // a redelivery
      sent.add(command);
      if (done.contains(type.commandId(command))) {
        tally.merge("repeat", 1, Integer::sum);
        continue; // the runtime's answer: accepted, nothing written
      }
      Decision<PortfolioEvent> decision = type.decide(state, command);
      if (decision instanceof Decision.Accept<PortfolioEvent> accept) {
        if (!accept.events().isEmpty() && type.commandId(command) != null) {
          done.add(type.commandId(command));
        }
        for (PortfolioEvent event : accept.events()) {
          String effect = switch (event) {
            case CashWithdrawn w -> "withdraw " + w.transferId();
            case CashWithdrawalDeclined w -> "withdraw " + w.transferId();
            case CashDeposited d -> "deposit " + d.transferId();
            case CashDepositDeclined d -> "deposit " + d.transferId();
            case CashRefunded r -> "refund " + r.transferId();
            case PortfolioEvent.OrderPlaced placed -> "order " + placed.order().orderId();
            case OrderFilled f -> "result " + f.orderId();
            case PortfolioEvent.OrderEnded ended -> "result " + ended.orderId();
            default -> null;
          };
          assertThat(effect == null || effects.add(effect)).as("%s takes effect once", effect).isTrue();
          if (event instanceof CashWithdrawn w) {
            withdrawals.put(w.transferId(), w.amount());
          }
          String cashStep = switch (event) {
            case CashWithdrawn w -> "withdraw " + w.transferId();
            case CashWithdrawalDeclined w -> "withdraw " + w.transferId();
            case CashDeposited d -> "deposit " + d.transferId();
            case CashDepositDeclined d -> "deposit " + d.transferId();
            default -> null;
          };
          if (cashStep != null) {
            assertThat(declinedSteps).as("a declined step is decided for good").doesNotContain(cashStep);
          }
          if (event instanceof CashWithdrawalDeclined || event instanceof CashDepositDeclined) {
            declinedSteps.add(cashStep);
          }
          moneyIn = moneyIn.add(cashEffect(event));
          state = type.evolve(state, event);
          tally.merge(event instanceof OrderFilled f ? "filled " + f.side() : event.getClass().getSimpleName(), 1,
            Integer::sum);
        }
      } else {
        tally.merge("rejected " + command.getClass().getSimpleName(), 1, Integer::sum);
      }
      checkInvariants((Opened) state, moneyIn);
    }
    assertThat(tally.get("repeat")).as("redeliveries of commands that took effect").isGreaterThan(100);
    // the walk went everywhere: fills both ways, refunds, declined withdrawals and refusals of orders and fills
    assertThat(tally).allSatisfy((what, count) -> assertThat(count).as(what).isGreaterThan(20))
      .containsKeys("filled BUY", "filled SELL", "CashRefunded", "OrderEnded", "CashWithdrawalDeclined",
        "rejected RecordFill", "rejected PlaceOrder");
    assertThat(declinedSteps).isNotEmpty();
  }

  private PortfolioCommand randomCommand(Random random, Opened portfolio, int step) {
    String symbol = SYMBOLS[random.nextInt(SYMBOLS.length)];
    BigDecimal price = BigDecimal.valueOf(1 + random.nextInt(20_000), 2);
    List<Order> open = new ArrayList<>(portfolio.openOrders().values());
    return switch (random.nextInt(8)) {
      case 0 -> new DepositCash("t" + step, BigDecimal.valueOf(random.nextInt(100_000), 2));
      case 1 -> new WithdrawCash("t" + step, BigDecimal.valueOf(1 + random.nextInt(50_000), 2));
      case 2 -> withdrawals.isEmpty() ? new DepositCash("t" + step, price) : refundOfSomeWithdrawal(random);
      case 3 -> buyLimit("o" + step, symbol, 1 + random.nextInt(20), price.toPlainString());
      case 4 -> buyMarket("o" + step, symbol, 1 + random.nextInt(20), price.toPlainString());
      case 5 -> sellMarket("o" + step, symbol, 1 + random.nextInt(20));
      case 6 -> open.isEmpty() ? new DepositCash("t" + step, price)
        : fillOf(random, open.get(random.nextInt(open.size())));
      default -> open.isEmpty() ? new DepositCash("t" + step, price)
        : new RecordOrderEnd(open.get(random.nextInt(open.size())).orderId(), OrderOutcome.CANCELLED, "Cancelled");
    };
  }

  private PortfolioCommand refundOfSomeWithdrawal(Random random) {
    var all = new ArrayList<>(withdrawals.entrySet());
    var withdrawal = all.get(random.nextInt(all.size()));
    return new RefundCash(withdrawal.getKey(), withdrawal.getValue());
  }

  /** A fill at a price around the order's reservation: sometimes above it, which must be refused. */
  private static RecordFill fillOf(Random random, Order order) {
    BigDecimal price = order.side() == Side.BUY
      ? order.reservedCash().divide(BigDecimal.valueOf(order.quantity()), 2, RoundingMode.DOWN)
        .add(BigDecimal.valueOf(random.nextInt(200) - 150, 2)).max(new BigDecimal("0.01"))
      : BigDecimal.valueOf(1 + random.nextInt(20_000), 2);
    return new RecordFill(order.orderId(), price, order.quantity(), FILLED_AT);
  }

  /** What {@code event} adds to (or takes from) the cash. */
  private static BigDecimal cashEffect(PortfolioEvent event) {
    return switch (event) {
      case CashDeposited d -> d.amount();
      case CashWithdrawn w -> w.amount().negate();
      case CashRefunded r -> r.amount();
      case OrderFilled f -> f.side() == Side.BUY ? f.total().negate() : f.total();
      default -> BigDecimal.ZERO;
    };
  }

  private static void checkInvariants(Opened portfolio, BigDecimal moneyIn) {
    assertThat(portfolio.cashSteps()).isEqualTo(TransferSteps.NONE); // nothing remembered since step ids
    assertThat(portfolio.cash()).isEqualTo(moneyIn.setScale(2));
    assertThat(portfolio.reservedCash().signum()).isGreaterThanOrEqualTo(0);
    assertThat(portfolio.reservedCash()).isLessThanOrEqualTo(portfolio.cash());
    assertThat(portfolio.reservedCash()).isEqualTo(portfolio.openOrders().values().stream()
      .map(Order::reservedCash).reduce(new BigDecimal("0.00"), BigDecimal::add));
    portfolio.holdings().forEach((symbol, holding) -> {
      assertThat(holding.shares()).isPositive();
      assertThat(holding.reservedShares()).isBetween(0L, holding.shares());
      assertThat(holding.reservedShares()).isEqualTo(portfolio.openOrders().values().stream()
        .filter(o -> o.symbol().equals(symbol)).mapToLong(Order::reservedShares).sum());
      assertThat(holding.costBasis().signum()).isGreaterThanOrEqualTo(0);
      assertThat(holding.costBasis().scale()).isEqualTo(2);
    });
    assertThat(portfolio.cash().scale()).isEqualTo(2);
  }

  private PortfolioState apply(PortfolioState state, PortfolioCommand command) {
    var accept = (Decision.Accept<PortfolioEvent>) type.decide(state, command);
    for (PortfolioEvent event : accept.events()) {
      state = type.evolve(state, event);
    }
    return state;
  }
}
