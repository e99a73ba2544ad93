package trader.accounts;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The steps of wire transfers an account has applied, by transfer id, so that a redelivered step changes nothing:
 * the amounts withdrawn (a refund gives back exactly that), and the ids deposited and refunded.
 */
public record TransferSteps(Map<String, BigDecimal> withdrawals, Set<String> deposits, Set<String> refunds) {

  public static final TransferSteps NONE = new TransferSteps(Map.of(), Set.of(), Set.of());

  public TransferSteps {
    // sorted copies: immutable, and snapshots list them in the same order every time
    withdrawals = Collections.unmodifiableMap(new TreeMap<>(withdrawals));
    deposits = Collections.unmodifiableSet(new TreeSet<>(deposits));
    refunds = Collections.unmodifiableSet(new TreeSet<>(refunds));
  }

  public boolean withdrew(String transferId) {
    return withdrawals.containsKey(transferId);
  }

  public boolean deposited(String transferId) {
    return deposits.contains(transferId);
  }

  public boolean refunded(String transferId) {
    return refunds.contains(transferId);
  }

  TransferSteps withWithdrawal(String transferId, BigDecimal amount) {
    Map<String, BigDecimal> more = new TreeMap<>(withdrawals);
    more.put(transferId, amount);
    return new TransferSteps(more, deposits, refunds);
  }

  TransferSteps withDeposit(String transferId) {
    Set<String> more = new TreeSet<>(deposits);
    more.add(transferId);
    return new TransferSteps(withdrawals, more, refunds);
  }

  TransferSteps withRefund(String transferId) {
    Set<String> more = new TreeSet<>(refunds);
    more.add(transferId);
    return new TransferSteps(withdrawals, deposits, more);
  }
}
