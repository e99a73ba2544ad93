package trader.portfolio;

import trader.wiretransfer.contract.TransferSteps;
import org.junit.jupiter.api.Test;
import trader.eventsourcing.entity.EntityFixture;
import trader.portfolio.PortfolioCommand.ClosePortfolio;
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
import trader.portfolio.PortfolioEvent.OrderEnded;
import trader.portfolio.PortfolioEvent.OrderPlaced;
import trader.portfolio.PortfolioEvent.PortfolioClosed;
import trader.portfolio.PortfolioEvent.PortfolioOpened;
import trader.eventsourcing.entity.RecordCodec;
import trader.portfolio.PortfolioState.Opened;
import trader.portfolio.PortfolioState.Unopened;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static trader.portfolio.PortfolioFixtures.FILLED_AT;
import static trader.portfolio.PortfolioFixtures.OPENED;
import static trader.portfolio.PortfolioFixtures.OWNER;
import static trader.portfolio.PortfolioFixtures.PORTFOLIO_ID;
import static trader.portfolio.PortfolioFixtures.bought;
import static trader.portfolio.PortfolioFixtures.buyLimit;
import static trader.portfolio.PortfolioFixtures.deposited;
import static trader.portfolio.PortfolioFixtures.events;
import static trader.portfolio.PortfolioFixtures.history;
import static trader.portfolio.PortfolioFixtures.limitBuyOrder;
import static trader.portfolio.PortfolioFixtures.money;

/**
 * A portfolio's life (open, close) and its cash (deposit, withdraw, refund), with repeats, the transfer steps it
 * declines (for good) and every rejection.
 */
class PortfolioTest {

  private static final String NOT_OPEN = "The portfolio is not open";
  private static final String CLOSED = "The portfolio is closed";

  private final EntityFixture<PortfolioCommand, PortfolioEvent, PortfolioState> portfolio =
    PortfolioFixtures.portfolio();

  private static Opened withCash(String cash, TransferSteps steps) {
    return Opened.of(PORTFOLIO_ID, OWNER, "Retirement").withCash(money(cash), steps);
  }

  @Test
  void opensEmptyWithTheTrimmedName() {
    portfolio.given()
      .when(new OpenPortfolio(PORTFOLIO_ID, OWNER, "  Retirement "))
      .thenEvents(OPENED)
      .thenState(Opened.of(PORTFOLIO_ID, OWNER, "Retirement"));
    portfolio.given().when(new OpenPortfolio(PORTFOLIO_ID, OWNER, "x".repeat(60)))
      .thenEvents(new PortfolioOpened(PORTFOLIO_ID, OWNER, "x".repeat(60)));
  }

  @Test
  void openingAgainChangesNothing() {
    portfolio.given(OPENED).when(new OpenPortfolio(PORTFOLIO_ID, OWNER, "Other name")).thenNoEvents()
      .thenState(Opened.of(PORTFOLIO_ID, OWNER, "Retirement"));
    portfolio.given(OPENED, new PortfolioClosed()).when(new OpenPortfolio(PORTFOLIO_ID, OWNER, "Retirement"))
      .thenNoEvents();
    portfolio.given(OPENED).when(new OpenPortfolio("portfolio-2", OWNER, "Retirement"))
      .thenRejected("A portfolio with this id already exists");
  }

  @Test
  void rejectsABadOpening() {
    portfolio.given().when(new OpenPortfolio(" ", OWNER, "Retirement")).thenRejected("A portfolio id is required");
    portfolio.given().when(new OpenPortfolio(PORTFOLIO_ID, null, "Retirement")).thenRejected("An owner is required");
    String nameRule = "A portfolio name must be 1 to 60 characters";
    portfolio.given().when(new OpenPortfolio(PORTFOLIO_ID, OWNER, "   ")).thenRejected(nameRule);
    portfolio.given().when(new OpenPortfolio(PORTFOLIO_ID, OWNER, null)).thenRejected(nameRule);
    portfolio.given().when(new OpenPortfolio(PORTFOLIO_ID, OWNER, "x".repeat(61))).thenRejected(nameRule);
  }

  /** Steps that declined {@code withdrawals} and {@code deposits}, and did nothing else. */
  private static TransferSteps declined(Set<String> withdrawals, Set<String> deposits) {
    return new TransferSteps(Map.of(), Set.of(), Set.of(), withdrawals, deposits);
  }

  @Test
  void rejectsEverythingButTransferStepsBeforeOpening() {
    var unopened = portfolio.given();
    unopened.when(new ClosePortfolio()).thenRejected(NOT_OPEN);
    unopened.when(new RefundCash("t1", money("1"))).thenRejected(NOT_OPEN);
    unopened.when(buyLimit("o1", "AAPL", 1, "1")).thenRejected(NOT_OPEN);
    unopened.when(new RecordFill("o1", money("1"), 1, FILLED_AT)).thenRejected(NOT_OPEN);
    unopened.when(new RecordOrderEnd("o1", OrderOutcome.CANCELLED, "Cancelled")).thenRejected(NOT_OPEN);
  }

  @Test
  void declinesDepositsAndWithdrawalsBeforeOpening() {
    portfolio.given().when(new DepositCash("t1", money("1")))
      .thenEvents(new CashDepositDeclined("t1", money("1.00"), NOT_OPEN))
      .thenState(new Unopened(TransferSteps.NONE));
    portfolio.given().when(new WithdrawCash("t1", money("1.5")))
      .thenEvents(new CashWithdrawalDeclined("t1", money("1.50"), NOT_OPEN))
      .thenState(new Unopened(TransferSteps.NONE));
    var unopened = portfolio.given();
    unopened.when(new DepositCash(" ", money("1"))).thenRejected("A transfer id is required");
    unopened.when(new WithdrawCash("t1", money("-1"))).thenRejected("Amount must be greater than zero, not -1");
  }
  @Test
  void stepsDeclinedBeforeOpeningStayDeclinedOnceItIsOpen() {
    var open = portfolio.after(new DepositCash("t1", money("5.00")), new WithdrawCash("t2", money("5.00")),
      new OpenPortfolio(PORTFOLIO_ID, OWNER, "Retirement"), new DepositCash("t3", money("100.00")));
    Opened expected = withCash("100.00", TransferSteps.NONE);
    open.when(new DepositCash("t1", money("5.00"))).thenNoEvents().thenState(expected);
    open.when(new WithdrawCash("t2", money("5.00"))).thenNoEvents().thenState(expected);
  }

  @Test
  void stepsDeclinedBeforeStepIdsStayDeclinedByTheState() {
    var open = portfolio.given(new CashDepositDeclined("t1", money("5.00"), NOT_OPEN, true),
      new CashWithdrawalDeclined("t2", money("5.00"), NOT_OPEN, true), OPENED, deposited("t3", "100.00"));
    Opened expected = withCash("100.00", new TransferSteps(Map.of(), Set.of(), Set.of(), Set.of("t2"),
      Set.of("t1")));
    open.when(new DepositCash("t1", money("5.00"))).thenNoEvents().thenState(expected);
    open.when(new WithdrawCash("t2", money("5.00"))).thenNoEvents().thenState(expected);
  }
  @Test
  void depositsAddUpExactly() {
    portfolio.given(OPENED, deposited("t1", "0.10"))
      .when(new DepositCash("t2", money("0.2")))
      .thenEvents(deposited("t2", "0.20"))
      .thenState(withCash("0.30", TransferSteps.NONE));
  }
  @Test
  void aRepeatedDepositChangesNothing() {
    portfolio.after(new OpenPortfolio(PORTFOLIO_ID, OWNER, "Retirement"), new DepositCash("t1", money("5.00"))).when(new DepositCash("t1", money("5.00")))
      .thenNoEvents().thenState(withCash("5.00", TransferSteps.NONE));
  }

  @Test
  void eachStepOfATransferIsACommandOfItsOwn() {
    Portfolio type = new Portfolio();
    Set<String> ids = Set.of(type.commandId(new DepositCash("t1", money("1"))),
      type.commandId(new WithdrawCash("t1", money("1"))), type.commandId(new RefundCash("t1", money("1"))),
      type.commandId(new DepositCash("t2", money("1"))));
    assertThat(ids).hasSize(4);
    assertThat(type.commandId(new DepositCash("t1", money("2")))).isEqualTo(type.commandId(new DepositCash("t1",
      money("1"))));
  }

  @Test
  void stepsOfSchemaVersion1AreLegacyAndRemembered() {
    RecordCodec<PortfolioEvent> codec = new Portfolio().events();
    io.vertx.core.json.JsonObject v1 = new io.vertx.core.json.JsonObject().put("transferId", "t1").put("amount", "5.00");
    assertThat(codec.decode("portfolio.cash-deposited", 1, v1)).isEqualTo(new CashDeposited("t1", money("5.00"), true));
    assertThat(codec.decode("portfolio.cash-deposited", 2, v1)).isEqualTo(deposited("t1", "5.00"));
    assertThat(codec.encode(deposited("t1", "5.00")).containsKey("legacy")).isFalse();
    portfolio.given(OPENED, new CashDeposited("t1", money("5.00"), true)).when(new DepositCash("t1", money("5.00")))
      .thenNoEvents().thenState(withCash("5.00", new TransferSteps(Map.of(), Set.of("t1"), Set.of())));
  }
  @Test
  void rejectsBadDeposits() {
    var open = portfolio.given(OPENED);
    open.when(new DepositCash(null, money("1"))).thenRejected("A transfer id is required");
    open.when(new DepositCash("t1", money("0"))).thenRejected("Amount must be greater than zero, not 0");
    open.when(new DepositCash("t1", money("0.015"))).thenRejected("Amount 0.015 has more than 2 decimal places");
    open.when(new DepositCash("t1", null)).thenRejected("Amount is required");
  }

  @Test
  void withdrawsOnlyCashThatNoOrderReserved() {
    PortfolioEvent[] reserved = events(OPENED, deposited("t1", "1000.00"),
      new OrderPlaced(limitBuyOrder("o1", "AAPL", 5, "150.00", "750.00")));
    Opened after = (Opened) portfolio.given(reserved)
      .when(new WithdrawCash("t2", money("250")))
      .thenEvents(new CashWithdrawn("t2", money("250.00")))
      .state();
    assertThat(after.cash()).isEqualTo(money("750.00"));
    assertThat(after.availableCash()).isEqualTo(money("0.00"));
    Opened declined = (Opened) portfolio.given(reserved)
      .when(new WithdrawCash("t2", money("250.01")))
      .thenEvents(new CashWithdrawalDeclined("t2", money("250.01"), "Insufficient funds: available 250.00, needed "
        + "250.01"))
      .state();
    assertThat(declined.cash()).isEqualTo(money("1000.00"));
    assertThat(declined.availableCash()).isEqualTo(money("250.00"));
    assertThat(declined.cashSteps()).isEqualTo(TransferSteps.NONE);
  }
  @Test
  void aRepeatedWithdrawalChangesNothing() {
    portfolio.after(new OpenPortfolio(PORTFOLIO_ID, OWNER, "Retirement"), new DepositCash("t1", money("100.00")), new WithdrawCash("t2", money("100.00")))
      .when(new WithdrawCash("t2", money("100.00"))).thenNoEvents()
      .thenState(withCash("0.00", TransferSteps.NONE));
  }
  @Test
  void aDeclinedWithdrawalStaysDeclinedWhenTheCashIsThereLater() {
    // more cash came in, then the step was redelivered: the transfer already failed, the cash stays
    portfolio.after(new OpenPortfolio(PORTFOLIO_ID, OWNER, "Retirement"), new DepositCash("t1", money("100.00")), new WithdrawCash("t2", money("100.01")),
        new DepositCash("t3", money("500.00")))
      .when(new WithdrawCash("t2", money("100.01")))
      .thenNoEvents()
      .thenState(withCash("600.00", TransferSteps.NONE));
    // the same once an order released the cash it had reserved
    portfolio.after(new OpenPortfolio(PORTFOLIO_ID, OWNER, "Retirement"), new DepositCash("t1", money("100.00")), buyLimit("o1", "IBM", 1, "100.00"),
        new WithdrawCash("t2", money("50.00")), new RecordOrderEnd("o1", OrderOutcome.CANCELLED, "Cancelled by the user"))
      .when(new WithdrawCash("t2", money("50.00")))
      .thenNoEvents();
    // a legacy one, by the state
    String reason = "Insufficient funds: available 100.00, needed 100.01";
    portfolio.given(OPENED, deposited("t1", "100.00"), new CashWithdrawalDeclined("t2", money("100.01"), reason, true),
        deposited("t3", "500.00"))
      .when(new WithdrawCash("t2", money("100.01")))
      .thenNoEvents();
  }
  @Test
  void aDeclinedWithdrawalOfSchemaVersion1HasNothingToRefund() {
    portfolio.given(OPENED, new CashWithdrawalDeclined("t2", money("5.00"), "Insufficient funds: available 0.00, "
        + "needed 5.00", true))
      .when(new RefundCash("t2", money("5.00")))
      .thenRejected("Transfer t2 withdrew nothing here to refund: its withdrawal was declined");
  }
  @Test
  void rejectsBadWithdrawals() {
    var open = portfolio.given(OPENED, deposited("t1", "100.00"));
    open.when(new WithdrawCash("", money("1"))).thenRejected("A transfer id is required");
    open.when(new WithdrawCash("t2", money("-1"))).thenRejected("Amount must be greater than zero, not -1");
    open.when(new WithdrawCash("t2", money("1.234"))).thenRejected("Amount 1.234 has more than 2 decimal places");
  }

  @Test
  void refundsAWithdrawalOnce() {
    var refunded = portfolio.after(new OpenPortfolio(PORTFOLIO_ID, OWNER, "Retirement"), new DepositCash("t1", money("100.00")), new WithdrawCash("t2", money("40")),
      new RefundCash("t2", money("40")));
    assertThat(((Opened) refunded.state()).cash()).isEqualTo(money("100.00"));
    refunded.when(new RefundCash("t2", money("40.00"))).thenNoEvents();
    refunded.when(new WithdrawCash("t2", money("40.00"))).thenNoEvents();
    // legacy: remembered by the state
    var legacy = portfolio.given(OPENED, deposited("t1", "100.00"), new CashWithdrawn("t2", money("40.00"), true))
      .when(new RefundCash("t2", money("40")))
      .thenEvents(new CashRefunded("t2", money("40.00")))
      .thenState(withCash("100.00", new TransferSteps(Map.of("t2", money("40.00")), Set.of(), Set.of())))
      .state();
    assertThat(((Opened) legacy).cash()).isEqualTo(money("100.00"));
    portfolio.given(OPENED, new CashWithdrawn("t2", money("40.00"), true), new CashRefunded("t2", money("40.00"), true))
      .when(new RefundCash("t2", money("40"))).thenNoEvents();
  }
  @Test
  void refundsWhatTheSagaSaysAndChecksWithdrawalsOfSchemaVersion1() {
    // the saga refunds only after a withdrawal it recorded, with its amount: the portfolio takes it as told
    portfolio.given(OPENED, deposited("t1", "100.00")).when(new RefundCash("t9", money("60.00")))
      .thenEvents(new CashRefunded("t9", money("60.00")));
    var withdrawn = portfolio.given(OPENED, deposited("t1", "100.00"), new CashWithdrawn("t2", money("40.00"), true));
    withdrawn.when(new RefundCash("t2", money("40.01")))
      .thenRejected("The refund of transfer t2 must be the 40.00 it withdrew, not 40.01");
    withdrawn.when(new RefundCash("t2", null)).thenRejected("Amount is required");
    withdrawn.when(new RefundCash(" ", money("40.00"))).thenRejected("A transfer id is required");
    withdrawn.when(new RefundCash("t2", money("0"))).thenRejected("Amount must be greater than zero, not 0");
  }
  @Test
  void closesWhenEmpty() {
    portfolio.given(OPENED).when(new ClosePortfolio()).thenEvents(new PortfolioClosed())
      .thenState(Opened.of(PORTFOLIO_ID, OWNER, "Retirement").closing());
    portfolio.given(OPENED, deposited("t1", "10.00"), new CashWithdrawn("t2", money("10.00")))
      .when(new ClosePortfolio()).thenEvents(new PortfolioClosed());
    portfolio.given(OPENED, new PortfolioClosed()).when(new ClosePortfolio()).thenNoEvents();
  }

  @Test
  void refusesToCloseWhileAnythingIsLeft() {
    portfolio.given(OPENED, deposited("t1", "0.01")).when(new ClosePortfolio())
      .thenRejected("The portfolio can't be closed while it still has cash 0.01");
    portfolio.given(history(events(OPENED, deposited("t1", "100.00")), bought("o1", "AAPL", 2, "50.00")))
      .when(new ClosePortfolio())
      .thenRejected("The portfolio can't be closed while it still has 2 shares of AAPL");
    portfolio.given(OPENED, deposited("t1", "100.00"),
        new OrderPlaced(limitBuyOrder("o1", "IBM", 1, "100.00", "100.00")))
      .when(new ClosePortfolio())
      .thenRejected("The portfolio can't be closed while it still has cash 100.00 and 1 open order");
    PortfolioEvent[] everything = history(
      events(OPENED, deposited("t1", "1000.00")),
      bought("o1", "MSFT", 1, "400.00"),
      bought("o2", "AAPL", 3, "100.00"),
      events(new OrderPlaced(limitBuyOrder("o3", "IBM", 1, "100.00", "100.00")),
        new OrderPlaced(limitBuyOrder("o4", "IBM", 1, "100.00", "100.00"))));
    portfolio.given(everything)
      .when(new ClosePortfolio())
      .thenRejected("The portfolio can't be closed while it still has cash 300.00, 3 shares of AAPL, "
        + "1 share of MSFT and 2 open orders");
  }

  @Test
  void aClosedPortfolioDeclinesNewDepositsAndWithdrawalsAndRefusesOrders() {
    var closed = portfolio.after(new OpenPortfolio(PORTFOLIO_ID, OWNER, "Retirement"), new DepositCash("t1", money("10.00")), new WithdrawCash("t2", money("10.00")),
      new ClosePortfolio());
    Opened afterDeposit = (Opened) closed.when(new DepositCash("t3", money("1")))
      .thenEvents(new CashDepositDeclined("t3", money("1.00"), CLOSED)).state();
    assertThat(afterDeposit.cash()).isEqualTo(money("0.00"));
    portfolio.after(new OpenPortfolio(PORTFOLIO_ID, OWNER, "Retirement"), new DepositCash("t1", money("10.00")), new WithdrawCash("t2", money("10.00")),
      new ClosePortfolio(), new DepositCash("t3", money("1"))).when(new DepositCash("t3", money("1"))).thenNoEvents();
    closed.when(new WithdrawCash("t3", money("1"))).thenEvents(new CashWithdrawalDeclined("t3", money("1.00"),
      CLOSED));
    // malformed steps are rejected, closed or not
    closed.when(new DepositCash("t3", money("0.001"))).thenRejected("Amount 0.001 has more than 2 decimal places");
    closed.when(new WithdrawCash(null, money("1"))).thenRejected("A transfer id is required");
    closed.when(buyLimit("o1", "AAPL", 1, "1.00")).thenRejected(CLOSED);
    // a result for an order that is not open is one recorded already: it changes nothing
    closed.when(new RecordFill("o1", money("1"), 1, FILLED_AT)).thenNoEvents();
  }
  @Test
  void everyCashStepEventCarriesItsTransferAmountAndReason() {
    RecordCodec<PortfolioEvent> codec = new Portfolio().events();
    List<PortfolioEvent> carriedOut = List.of(new CashWithdrawn("t1", money("1.00")),
      new CashDeposited("t1", money("1.00")), new CashRefunded("t1", money("1.00")));
    List<PortfolioEvent> declined = List.of(new CashWithdrawalDeclined("t1", money("1.00"), CLOSED),
      new CashDepositDeclined("t1", money("1.00"), CLOSED));
    for (PortfolioEvent event : carriedOut) {
      assertThat(codec.encode(event).getMap()).as(codec.typeName(event))
        .containsEntry("transferId", "t1").containsEntry("amount", "1.00");
    }
    for (PortfolioEvent event : declined) {
      assertThat(codec.encode(event).getMap()).as(codec.typeName(event))
        .containsEntry("transferId", "t1").containsEntry("amount", "1.00").containsEntry("reason", CLOSED);
    }
    assertThat(declined.stream().map(codec::typeName))
      .containsExactly("portfolio.cash-withdrawal-declined", "portfolio.cash-deposit-declined");
  }

  @Test
  void aClosedPortfolioStillAcceptsRepeatsAndTheRefundOfAnEarlierWithdrawal() {
    var closed = portfolio.after(new OpenPortfolio(PORTFOLIO_ID, OWNER, "Retirement"), new DepositCash("t1", money("10.00")), new WithdrawCash("t2", money("10.00")),
      new ClosePortfolio());
    closed.when(new DepositCash("t1", money("10.00"))).thenNoEvents();
    closed.when(new WithdrawCash("t2", money("10.00"))).thenNoEvents();
    // the transfer that took the money out could not deliver it: it must come back, not vanish
    Opened refunded = (Opened) closed.when(new RefundCash("t2", money("10.00")))
      .thenEvents(new CashRefunded("t2", money("10.00"))).state();
    assertThat(refunded.closed()).isTrue();
    assertThat(refunded.cash()).isEqualTo(money("10.00"));
  }
  @Test
  void ordersEndedWithoutAFillLeaveNothingBehind() {
    portfolio.given(OPENED, deposited("t1", "100.00"), new OrderPlaced(limitBuyOrder("o1", "IBM", 1, "100.00",
        "100.00")), new OrderEnded("o1", OrderOutcome.CANCELLED, "Cancelled by the user"),
        new CashWithdrawn("t2", money("100.00")))
      .when(new ClosePortfolio())
      .thenEvents(new PortfolioClosed());
  }

  @Test
  void aStateKeepsNoMapItsCallerCanChangeAndListsThemSorted() {
    Map<String, Order> mine = new java.util.HashMap<>(Map.of("o2", limitBuyOrder("o2", "IBM", 1, "1.00", "1.00"),
      "o1", limitBuyOrder("o1", "IBM", 1, "1.00", "1.00")));
    Opened state = new Opened(PORTFOLIO_ID, OWNER, "Retirement", false, money("2.00"), money("2.00"), Map.of(),
      mine, TransferSteps.NONE);
    mine.put("o3", limitBuyOrder("o3", "IBM", 1, "1.00", "1.00"));
    assertThat(state.openOrders().keySet()).containsExactly("o1", "o2");
    assertThatThrownBy(() -> state.openOrders().put("o4", mine.get("o3")))
      .isInstanceOf(UnsupportedOperationException.class);
    // an evolved state shares nothing mutable with the one before it
    Opened ended = state.placing(limitBuyOrder("o0", "IBM", 1, "1.00", "0.00")).ending("o1");
    assertThat(ended.openOrders().keySet()).containsExactly("o0", "o2");
    assertThat(state.openOrders()).hasSize(2);
    assertThatThrownBy(() -> ended.openOrders().clear()).isInstanceOf(UnsupportedOperationException.class);
  }
}
