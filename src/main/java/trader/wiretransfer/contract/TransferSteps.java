package trader.wiretransfer.contract;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The steps of wire transfers a participant (a savings account, a portfolio) decided before step commands had ids
 * (its events of schema version 1, marked {@code legacy}), by transfer id, so that such a step delivered again
 * changes nothing: the amounts withdrawn (a refund gives back exactly that), the ids deposited and refunded, and the
 * ids of the withdrawals and deposits it declined. Steps decided since are kept from taking effect twice by their
 * ids ({@link TransferParticipant}), so this never grows. Part of the saga's contract.
 */
public record TransferSteps(Map<String, BigDecimal> withdrawals, Set<String> deposits, Set<String> refunds,
                            Set<String> declinedWithdrawals, Set<String> declinedDeposits) {

  public static final TransferSteps NONE = new TransferSteps(Map.of(), Set.of(), Set.of(), Set.of(), Set.of());

  public TransferSteps {
    // sorted copies: immutable, and snapshots list them in the same order every time; a snapshot taken before a
    // set existed has no value for it
    withdrawals = Collections.unmodifiableMap(new TreeMap<>(withdrawals == null ? Map.of() : withdrawals));
    deposits = sorted(deposits);
    refunds = sorted(refunds);
    declinedWithdrawals = sorted(declinedWithdrawals);
    declinedDeposits = sorted(declinedDeposits);
  }

  /** Steps that were all carried out: none declined. */
  public TransferSteps(Map<String, BigDecimal> withdrawals, Set<String> deposits, Set<String> refunds) {
    this(withdrawals, deposits, refunds, Set.of(), Set.of());
  }

  private static Set<String> sorted(Set<String> ids) {
    return Collections.unmodifiableSet(new TreeSet<>(ids == null ? Set.of() : ids));
  }

  /** Whether transfer {@code transferId} took money out of the participant. */
  public boolean withdrew(String transferId) {
    return withdrawals.containsKey(transferId);
  }

  public boolean deposited(String transferId) {
    return deposits.contains(transferId);
  }

  public boolean refunded(String transferId) {
    return refunds.contains(transferId);
  }

  /** Whether the withdrawal of transfer {@code transferId} was decided: carried out or declined. */
  public boolean decidedWithdrawal(String transferId) {
    return withdrew(transferId) || declinedWithdrawals.contains(transferId);
  }

  /** Whether the deposit of transfer {@code transferId} was decided: carried out or declined. */
  public boolean decidedDeposit(String transferId) {
    return deposited(transferId) || declinedDeposits.contains(transferId);
  }

  public TransferSteps withWithdrawal(String transferId, BigDecimal amount) {
    Map<String, BigDecimal> more = new TreeMap<>(withdrawals);
    more.put(transferId, amount);
    return new TransferSteps(more, deposits, refunds, declinedWithdrawals, declinedDeposits);
  }

  public TransferSteps withDeposit(String transferId) {
    return new TransferSteps(withdrawals, plus(deposits, transferId), refunds, declinedWithdrawals,
      declinedDeposits);
  }

  public TransferSteps withRefund(String transferId) {
    return new TransferSteps(withdrawals, deposits, plus(refunds, transferId), declinedWithdrawals,
      declinedDeposits);
  }

  public TransferSteps withDeclinedWithdrawal(String transferId) {
    return new TransferSteps(withdrawals, deposits, refunds, plus(declinedWithdrawals, transferId),
      declinedDeposits);
  }

  public TransferSteps withDeclinedDeposit(String transferId) {
    return new TransferSteps(withdrawals, deposits, refunds, declinedWithdrawals,
      plus(declinedDeposits, transferId));
  }

  private static Set<String> plus(Set<String> ids, String id) {
    Set<String> more = new TreeSet<>(ids);
    more.add(id);
    return more;
  }
}
