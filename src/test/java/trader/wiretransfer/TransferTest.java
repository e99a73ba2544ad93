package trader.wiretransfer;

import org.junit.jupiter.api.Test;
import trader.eventsourcing.entity.EntityFixture;
import trader.wiretransfer.Endpoint.PortfolioAccount;
import trader.wiretransfer.Endpoint.Savings;
import trader.wiretransfer.TransferCommand.RecordDeposit;
import trader.wiretransfer.TransferCommand.RecordRefund;
import trader.wiretransfer.TransferCommand.RecordWithdrawal;
import trader.wiretransfer.TransferCommand.RequestTransfer;
import trader.wiretransfer.TransferEvent.DepositFailed;
import trader.wiretransfer.TransferEvent.TransferCompleted;
import trader.wiretransfer.TransferEvent.TransferFailed;
import trader.wiretransfer.TransferEvent.TransferRefunded;
import trader.wiretransfer.TransferEvent.TransferRequested;
import trader.wiretransfer.TransferEvent.WithdrawalSucceeded;
import trader.wiretransfer.TransferState.Requested;

import java.math.BigDecimal;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

import static trader.wiretransfer.TransferStatus.COMPLETED;
import static trader.wiretransfer.TransferStatus.DEPOSIT_FAILED;
import static trader.wiretransfer.TransferStatus.FAILED;
import static trader.wiretransfer.TransferStatus.REFUNDED;
import static trader.wiretransfer.TransferStatus.REQUESTED;
import static trader.wiretransfer.TransferStatus.WITHDRAWN;

/** The transfer saga's state: the happy path, both failures, redelivered steps and steps out of order. */
class TransferTest {

  private static final String ID = "transfer-1";
  private static final String ALICE = "alice-id";
  private static final Endpoint SAVINGS = new Savings(ALICE);
  private static final Endpoint PORTFOLIO = new PortfolioAccount("portfolio-1");
  private static final Endpoint OTHER_PORTFOLIO = new PortfolioAccount("portfolio-2");
  private static final BigDecimal AMOUNT = new BigDecimal("250.00");

  private static final TransferRequested REQUESTED_EVENT = new TransferRequested(ID, ALICE, SAVINGS, PORTFOLIO, AMOUNT);
  private static final WithdrawalSucceeded WITHDRAWAL_SUCCEEDED = new WithdrawalSucceeded();
  private static final TransferFailed WITHDRAWAL_FAILED = new TransferFailed("Insufficient funds: available 100.00, "
    + "needed 250.00");
  private static final DepositFailed DEPOSIT_FAILED_EVENT = new DepositFailed("The portfolio is closed");

  private final EntityFixture<TransferCommand, TransferEvent, TransferState> transfer =
    EntityFixture.of(new Transfer());

  private static Requested requested(TransferStatus status, String reason) {
    return new Requested(ID, ALICE, SAVINGS, PORTFOLIO, AMOUNT, status, reason);
  }

  private static RequestTransfer request(Endpoint from, Endpoint to, String amount) {
    return new RequestTransfer(ID, ALICE, from, to, amount == null ? null : new BigDecimal(amount));
  }

  @Test
  void isRequestedWithTheAmountInCents() {
    transfer.given()
      .when(request(SAVINGS, PORTFOLIO, "250"))
      .thenEvents(REQUESTED_EVENT)
      .thenState(requested(REQUESTED, null));
    transfer.given()
      .when(request(PORTFOLIO, OTHER_PORTFOLIO, "0.1"))
      .thenEvents(new TransferRequested(ID, ALICE, PORTFOLIO, OTHER_PORTFOLIO, new BigDecimal("0.10")));
  }

  @Test
  void storesEndpointsUnderStableKinds() {
    var json = new Transfer().events().encode(REQUESTED_EVENT);
    assertThat(json.getJsonObject("from").getMap()).isEqualTo(Map.of("kind", "savings", "userId", ALICE));
    assertThat(json.getJsonObject("to").getMap()).isEqualTo(Map.of("kind", "portfolio", "portfolioId", "portfolio-1"));
    assertThat(json.getString("amount")).isEqualTo("250.00");
  }

  @Test
  void aRepeatedRequestChangesNothing() {
    transfer.given(REQUESTED_EVENT, WITHDRAWAL_SUCCEEDED)
      .when(request(SAVINGS, PORTFOLIO, "250.00"))
      .thenNoEvents()
      .thenState(requested(WITHDRAWN, null));
  }

  @Test
  void rejectsABadRequest() {
    transfer.given().when(new RequestTransfer("", ALICE, SAVINGS, PORTFOLIO, AMOUNT))
      .thenRejected("A transfer id is required");
    transfer.given().when(new RequestTransfer(ID, null, SAVINGS, PORTFOLIO, AMOUNT))
      .thenRejected("A user id is required");
    transfer.given().when(request(null, PORTFOLIO, "1")).thenRejected("A source is required");
    transfer.given().when(request(SAVINGS, null, "1")).thenRejected("A target is required");
    transfer.given().when(request(new Savings(" "), PORTFOLIO, "1"))
      .thenRejected("The source savings account needs a user id");
    transfer.given().when(request(SAVINGS, new PortfolioAccount(""), "1"))
      .thenRejected("The target portfolio needs a portfolio id");
    transfer.given().when(request(new Savings("bob-id"), PORTFOLIO, "1"))
      .thenRejected("A transfer can only use the savings account of the user who asks for it");
    transfer.given().when(request(PORTFOLIO, new Savings("bob-id"), "1"))
      .thenRejected("A transfer can only use the savings account of the user who asks for it");
    transfer.given().when(request(PORTFOLIO, new PortfolioAccount("portfolio-1"), "1"))
      .thenRejected("The source and the target of a transfer must differ");
    transfer.given().when(request(SAVINGS, PORTFOLIO, "0")).thenRejected("Amount must be greater than zero, not 0");
    transfer.given().when(request(SAVINGS, PORTFOLIO, "10.555"))
      .thenRejected("Amount 10.555 has more than 2 decimal places");
    transfer.given().when(request(SAVINGS, PORTFOLIO, null)).thenRejected("Amount is required");
  }

  @Test
  void rejectsStepsOfATransferNobodyRequested() {
    transfer.given().when(new RecordWithdrawal(true, null)).thenRejected("This transfer has not been requested");
    transfer.given().when(new RecordDeposit(true, null)).thenRejected("This transfer has not been requested");
    transfer.given().when(new RecordRefund()).thenRejected("This transfer has not been requested");
  }

  @Test
  void completesAfterWithdrawalAndDeposit() {
    transfer.given(REQUESTED_EVENT)
      .when(new RecordWithdrawal(true, null))
      .thenEvents(WITHDRAWAL_SUCCEEDED)
      .thenState(requested(WITHDRAWN, null));
    transfer.given(REQUESTED_EVENT, WITHDRAWAL_SUCCEEDED)
      .when(new RecordDeposit(true, null))
      .thenEvents(new TransferCompleted())
      .thenState(requested(COMPLETED, null));
  }

  @Test
  void failsWhenTheSourceDoesNotGiveTheMoney() {
    transfer.given(REQUESTED_EVENT)
      .when(new RecordWithdrawal(false, WITHDRAWAL_FAILED.reason()))
      .thenEvents(WITHDRAWAL_FAILED)
      .thenState(requested(FAILED, WITHDRAWAL_FAILED.reason()));
  }

  @Test
  void isRefundedWhenTheTargetRefusesTheMoney() {
    transfer.given(REQUESTED_EVENT, WITHDRAWAL_SUCCEEDED)
      .when(new RecordDeposit(false, "The portfolio is closed"))
      .thenEvents(DEPOSIT_FAILED_EVENT)
      .thenState(requested(DEPOSIT_FAILED, "The portfolio is closed"));
    transfer.given(REQUESTED_EVENT, WITHDRAWAL_SUCCEEDED, DEPOSIT_FAILED_EVENT)
      .when(new RecordRefund())
      .thenEvents(new TransferRefunded())
      .thenState(requested(REFUNDED, "The portfolio is closed"));
  }

  @Test
  void aFailedStepNeedsAReason() {
    transfer.given(REQUESTED_EVENT).when(new RecordWithdrawal(false, " ")).thenRejected("A failed step needs a reason");
    transfer.given(REQUESTED_EVENT, WITHDRAWAL_SUCCEEDED).when(new RecordDeposit(false, null))
      .thenRejected("A failed step needs a reason");
  }

  @Test
  void redeliveredStepsChangeNothingInAnyLaterState() {
    transfer.given(REQUESTED_EVENT, WITHDRAWAL_FAILED).when(new RecordWithdrawal(false, "again")).thenNoEvents();
    transfer.given(REQUESTED_EVENT, WITHDRAWAL_SUCCEEDED).when(new RecordWithdrawal(true, null)).thenNoEvents();
    transfer.given(REQUESTED_EVENT, WITHDRAWAL_SUCCEEDED, new TransferCompleted())
      .when(new RecordWithdrawal(true, null)).thenNoEvents();
    transfer.given(REQUESTED_EVENT, WITHDRAWAL_SUCCEEDED, new TransferCompleted())
      .when(new RecordDeposit(true, null)).thenNoEvents().thenState(requested(COMPLETED, null));
    transfer.given(REQUESTED_EVENT, WITHDRAWAL_SUCCEEDED, DEPOSIT_FAILED_EVENT)
      .when(new RecordWithdrawal(true, null)).thenNoEvents();
    transfer.given(REQUESTED_EVENT, WITHDRAWAL_SUCCEEDED, DEPOSIT_FAILED_EVENT)
      .when(new RecordDeposit(false, "again")).thenNoEvents();
    transfer.given(REQUESTED_EVENT, WITHDRAWAL_SUCCEEDED, DEPOSIT_FAILED_EVENT, new TransferRefunded())
      .when(new RecordWithdrawal(true, null)).thenNoEvents();
    transfer.given(REQUESTED_EVENT, WITHDRAWAL_SUCCEEDED, DEPOSIT_FAILED_EVENT, new TransferRefunded())
      .when(new RecordDeposit(false, "again")).thenNoEvents();
    transfer.given(REQUESTED_EVENT, WITHDRAWAL_SUCCEEDED, DEPOSIT_FAILED_EVENT, new TransferRefunded())
      .when(new RecordRefund()).thenNoEvents().thenState(requested(REFUNDED, "The portfolio is closed"));
  }

  @Test
  void rejectsTheOppositeOutcomeOfARecordedStep() {
    transfer.given(REQUESTED_EVENT, WITHDRAWAL_FAILED).when(new RecordWithdrawal(true, null))
      .thenRejected("The withdrawal of this transfer already failed: " + WITHDRAWAL_FAILED.reason());
    transfer.given(REQUESTED_EVENT, WITHDRAWAL_SUCCEEDED).when(new RecordWithdrawal(false, "no"))
      .thenRejected("The withdrawal of this transfer already succeeded");
    transfer.given(REQUESTED_EVENT, WITHDRAWAL_SUCCEEDED, new TransferCompleted()).when(new RecordDeposit(false, "no"))
      .thenRejected("The deposit of this transfer already succeeded");
    transfer.given(REQUESTED_EVENT, WITHDRAWAL_SUCCEEDED, DEPOSIT_FAILED_EVENT).when(new RecordDeposit(true, null))
      .thenRejected("The deposit of this transfer already failed: The portfolio is closed");
    transfer.given(REQUESTED_EVENT, WITHDRAWAL_SUCCEEDED, DEPOSIT_FAILED_EVENT, new TransferRefunded())
      .when(new RecordDeposit(true, null))
      .thenRejected("The deposit of this transfer already failed: The portfolio is closed");
  }

  @Test
  void rejectsStepsOutOfOrder() {
    transfer.given(REQUESTED_EVENT).when(new RecordDeposit(true, null))
      .thenRejected("The withdrawal of this transfer is not recorded yet");
    transfer.given(REQUESTED_EVENT, WITHDRAWAL_FAILED).when(new RecordDeposit(true, null))
      .thenRejected("This transfer failed before its deposit: " + WITHDRAWAL_FAILED.reason());
    transfer.given(REQUESTED_EVENT).when(new RecordRefund())
      .thenRejected("This transfer has no refund due: it is requested");
    transfer.given(REQUESTED_EVENT, WITHDRAWAL_SUCCEEDED).when(new RecordRefund())
      .thenRejected("This transfer has no refund due: it is withdrawn");
    transfer.given(REQUESTED_EVENT, WITHDRAWAL_SUCCEEDED, new TransferCompleted()).when(new RecordRefund())
      .thenRejected("This transfer has no refund due: it is completed");
    transfer.given(REQUESTED_EVENT, WITHDRAWAL_FAILED).when(new RecordRefund())
      .thenRejected("This transfer has no refund due: it is failed");
  }
}
