package trader.wiretransfer.contract;

import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;

/**
 * A step of a wire transfer, as the wiretransfer context sends it on {@link #TOPIC} to the context that holds the
 * endpoint: withdraw from the source, deposit to the destination, or refund the source. The transfer id makes it
 * idempotent: a step delivered twice moves money once.
 *
 * <pre>{"step": "withdraw", "transferId": "...", "endpoint": {"kind": "savings", "id": "<userId>"}, "amount": "12.34"}</pre>
 *
 * @param kind       {@code savings} (id = user id) or {@code portfolio} (id = portfolio id)
 * @param endpointId the user id or portfolio id
 */
public record TransferStep(Step step, String transferId, String kind, String endpointId, BigDecimal amount) {

  public static final String TOPIC = "wiretransfer.commands";
  public static final String SAVINGS = "savings";
  public static final String PORTFOLIO = "portfolio";

  public enum Step {
    WITHDRAW, DEPOSIT, REFUND;

    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Step parse(String text) {
      return Step.valueOf(text.toUpperCase(java.util.Locale.ROOT));
    }
  }

  public JsonObject toJson() {
    return new JsonObject().put("step", step.wire()).put("transferId", transferId)
      .put("endpoint", new JsonObject().put("kind", kind).put("id", endpointId)).put("amount", amount.toPlainString());
  }

  /** Parses a step; throws {@link IllegalArgumentException} for anything else (it then goes to the DLQ). */
  public static TransferStep fromJson(JsonObject json) {
    try {
      JsonObject endpoint = json.getJsonObject("endpoint");
      TransferStep step = new TransferStep(Step.parse(json.getString("step")), json.getString("transferId"),
        endpoint.getString("kind"), endpoint.getString("id"), new BigDecimal(json.getString("amount")));
      if (step.transferId() == null || step.endpointId() == null
        || !(SAVINGS.equals(step.kind()) || PORTFOLIO.equals(step.kind()))) {
        throw new IllegalArgumentException("incomplete");
      }
      return step;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("Not a transfer step: " + json.encode(), e);
    }
  }
}
