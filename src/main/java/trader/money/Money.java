package trader.money;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The rules every bounded context applies to amounts of money and to prices: exact decimals in whole cents, never
 * floating point. This is the one piece of domain the contexts share (a shared kernel); it has no state.
 *
 * <p>Values are checked by value, not by the scale they were written with: {@code 1.500} is a valid amount, because
 * it is 1.50; {@code 1.005} is not. Accepted values are brought to scale 2 with {@link #cents}, so the states and
 * events of every context hold money as {@code 12.30}, never {@code 12.3} or {@code 12.300}.
 */
public final class Money {

  /** Money and prices are whole cents. */
  public static final int DECIMALS = 2;

  private Money() {
  }

  /**
   * Why {@code value} is not a valid positive amount (more than zero, whole cents), as a sentence naming it
   * {@code what} (e.g. "Amount", "Limit price"); {@code null} when it is valid.
   */
  public static String positiveProblem(String what, BigDecimal value) {
    if (value == null) {
      return what + " is required";
    }
    if (value.signum() <= 0) {
      return what + " must be greater than zero, not " + value.toPlainString();
    }
    return centsProblem(what, value);
  }

  /** Like {@link #positiveProblem} but zero is valid too. */
  public static String nonNegativeProblem(String what, BigDecimal value) {
    if (value == null) {
      return what + " is required";
    }
    if (value.signum() < 0) {
      return what + " must not be negative, not " + value.toPlainString();
    }
    return centsProblem(what, value);
  }

  private static String centsProblem(String what, BigDecimal value) {
    return isWholeCents(value) ? null
      : what + " " + value.toPlainString() + " has more than " + DECIMALS + " decimal places";
  }

  /** Whether {@code value} is a whole number of cents. */
  public static boolean isWholeCents(BigDecimal value) {
    return value.stripTrailingZeros().scale() <= DECIMALS;
  }

  /** {@code value} at scale 2, exactly; fails if it is not whole cents (check it first). */
  public static BigDecimal cents(BigDecimal value) {
    return value.setScale(DECIMALS, RoundingMode.UNNECESSARY);
  }

  /** {@code value} for a message: {@code 1234.50}; more decimals are shown as they are. */
  public static String format(BigDecimal value) {
    return (isWholeCents(value) ? cents(value) : value).toPlainString();
  }
}
