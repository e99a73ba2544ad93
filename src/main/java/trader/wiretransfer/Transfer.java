package trader.wiretransfer;

import trader.eventsourcing.entity.Decision;
import trader.eventsourcing.entity.EntityType;
import trader.eventsourcing.entity.RecordCodec;
import trader.money.Money;
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
import trader.wiretransfer.TransferState.Unrequested;

import java.util.Locale;

/**
 * A wire transfer (entity id = transfer id): the state of the saga that moves money from one account to another,
 * withdraw → deposit, with a refund of the source when the deposit fails. It records what the steps did, as the
 * accounts' events tell it (a step carried out, or declined with its reason); the messages that carry them may be
 * redelivered, so recording a step again is a no-op, while recording the opposite outcome of a recorded step is
 * rejected.
 */
public final class Transfer implements EntityType<TransferCommand, TransferEvent, TransferState> {

  public static final String NAME = "transfer";

  private static final RecordCodec<TransferCommand> COMMANDS = RecordCodec.of(TransferCommand.class)
    .add("transfer.request", RequestTransfer.class)
    .add("transfer.record-withdrawal", RecordWithdrawal.class)
    .add("transfer.record-deposit", RecordDeposit.class)
    .add("transfer.record-refund", RecordRefund.class)
    .build();

  private static final RecordCodec<TransferEvent> EVENTS = RecordCodec.of(TransferEvent.class)
    .add("transfer.requested", TransferRequested.class)
    .add("transfer.withdrawal-succeeded", WithdrawalSucceeded.class)
    .add("transfer.failed", TransferFailed.class)
    .add("transfer.completed", TransferCompleted.class)
    .add("transfer.deposit-failed", DepositFailed.class)
    .add("transfer.refunded", TransferRefunded.class)
    .sharingDecodings()
    .build();

  private static final RecordCodec<TransferState> STATES = RecordCodec.of(TransferState.class)
    .add("transfer.state.unrequested", Unrequested.class)
    .add("transfer.state.requested", Requested.class)
    .build();

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public TransferState initialState() {
    return new Unrequested();
  }

  @Override
  public Decision<TransferEvent> decide(TransferState state, TransferCommand command) {
    return switch (state) {
      case Unrequested unrequested -> switch (command) {
        case RequestTransfer request -> request(request);
        case RecordWithdrawal w -> notRequested();
        case RecordDeposit d -> notRequested();
        case RecordRefund r -> notRequested();
      };
      case Requested transfer -> switch (command) {
        case RequestTransfer request -> Decision.accept(); // the same request again: the id is the entity's
        case RecordWithdrawal withdrawal -> recordWithdrawal(transfer, withdrawal);
        case RecordDeposit deposit -> recordDeposit(transfer, deposit);
        case RecordRefund refund -> recordRefund(transfer);
      };
    };
  }

  private static Decision<TransferEvent> notRequested() {
    return Decision.reject("This transfer has not been requested");
  }

  private static Decision<TransferEvent> request(RequestTransfer request) {
    if (isBlank(request.transferId())) {
      return Decision.reject("A transfer id is required");
    }
    if (isBlank(request.userId())) {
      return Decision.reject("A user id is required");
    }
    String endpointProblem = endpointProblem("source", request.from(), request.userId());
    if (endpointProblem == null) {
      endpointProblem = endpointProblem("target", request.to(), request.userId());
    }
    if (endpointProblem != null) {
      return Decision.reject(endpointProblem);
    }
    if (request.from().equals(request.to())) {
      return Decision.reject("The source and the target of a transfer must differ");
    }
    String amountProblem = Money.positiveProblem("Amount", request.amount());
    if (amountProblem != null) {
      return Decision.reject(amountProblem);
    }
    return Decision.accept(new TransferRequested(request.transferId(), request.userId(), request.from(),
      request.to(), Money.cents(request.amount())));
  }

  /** Why {@code endpoint} cannot be the {@code role} of a transfer by {@code userId}; null if it can. */
  private static String endpointProblem(String role, Endpoint endpoint, String userId) {
    return switch (endpoint) {
      case null -> "A " + role + " is required";
      case Savings savings when isBlank(savings.userId()) -> "The " + role + " savings account needs a user id";
      // portfolios are checked for ownership by the caller; a savings account names its owner
      case Savings savings when !savings.userId().equals(userId) ->
        "A transfer can only use the savings account of the user who asks for it";
      case Savings savings -> null;
      case PortfolioAccount portfolio when isBlank(portfolio.portfolioId()) ->
        "The " + role + " portfolio needs a portfolio id";
      case PortfolioAccount portfolio -> null;
    };
  }

  private static Decision<TransferEvent> recordWithdrawal(Requested transfer, RecordWithdrawal withdrawal) {
    return switch (transfer.status()) {
      case REQUESTED -> withdrawal.succeeded() ? Decision.accept(new WithdrawalSucceeded())
        : isBlank(withdrawal.reason()) ? Decision.reject("A failed step needs a reason")
        : Decision.accept(new TransferFailed(withdrawal.reason()));
      case FAILED -> withdrawal.succeeded()
        ? Decision.reject("The withdrawal of this transfer already failed: " + transfer.failureReason())
        : Decision.accept();
      case WITHDRAWN, DEPOSIT_FAILED, COMPLETED, REFUNDED -> withdrawal.succeeded() ? Decision.accept()
        : Decision.reject("The withdrawal of this transfer already succeeded");
    };
  }

  private static Decision<TransferEvent> recordDeposit(Requested transfer, RecordDeposit deposit) {
    return switch (transfer.status()) {
      case REQUESTED -> Decision.reject("The withdrawal of this transfer is not recorded yet");
      case FAILED -> Decision.reject("This transfer failed before its deposit: " + transfer.failureReason());
      case WITHDRAWN -> deposit.succeeded() ? Decision.accept(new TransferCompleted())
        : isBlank(deposit.reason()) ? Decision.reject("A failed step needs a reason")
        : Decision.accept(new DepositFailed(deposit.reason()));
      case COMPLETED -> deposit.succeeded() ? Decision.accept()
        : Decision.reject("The deposit of this transfer already succeeded");
      case DEPOSIT_FAILED, REFUNDED -> deposit.succeeded()
        ? Decision.reject("The deposit of this transfer already failed: " + transfer.failureReason())
        : Decision.accept();
    };
  }

  private static Decision<TransferEvent> recordRefund(Requested transfer) {
    return switch (transfer.status()) {
      case DEPOSIT_FAILED -> Decision.accept(new TransferRefunded());
      case REFUNDED -> Decision.accept();
      case REQUESTED, WITHDRAWN, COMPLETED, FAILED -> Decision.reject("This transfer has no refund due: it is "
        + transfer.status().name().toLowerCase(Locale.ROOT).replace('_', ' '));
    };
  }

  private static boolean isBlank(String text) {
    return text == null || text.isBlank();
  }

  @Override
  public TransferState evolve(TransferState state, TransferEvent event) {
    if (event instanceof TransferRequested r) {
      return new Requested(r.transferId(), r.userId(), r.from(), r.to(), r.amount(), TransferStatus.REQUESTED, null);
    }
    if (!(state instanceof Requested transfer)) {
      throw new IllegalStateException(event + " on a transfer that was not requested");
    }
    return switch (event) {
      case TransferRequested r -> throw new IllegalStateException(event + " on a requested transfer");
      case WithdrawalSucceeded w -> transfer.with(TransferStatus.WITHDRAWN, null);
      case TransferFailed failed -> transfer.with(TransferStatus.FAILED, failed.reason());
      case TransferCompleted c -> transfer.with(TransferStatus.COMPLETED, null);
      case DepositFailed failed -> transfer.with(TransferStatus.DEPOSIT_FAILED, failed.reason());
      case TransferRefunded r -> transfer.with(TransferStatus.REFUNDED, transfer.failureReason());
    };
  }

  @Override
  public RecordCodec<TransferCommand> commands() {
    return COMMANDS;
  }

  @Override
  public RecordCodec<TransferEvent> events() {
    return EVENTS;
  }

  @Override
  public RecordCodec<TransferState> states() {
    return STATES;
  }
}
