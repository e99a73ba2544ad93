package trader.broker.contract;

/**
 * The broker's event-bus API (request/reply, JSON; failures carry the HTTP status they mean).
 * <ul>
 *   <li>{@link #CANCEL} {@code {orderId}} → {@code {orderId, position}}; 409 when the order is already closed, 404
 *   when the broker has not seen it. Callers check ownership first.</li>
 * </ul>
 */
public final class BrokerAddresses {
  public static final String CANCEL = "broker.cancel";

  private BrokerAddresses() {
  }
}
