package trader.wiretransfer.contract;

import io.vertx.core.json.JsonObject;

/**
 * What became of a {@link TransferStep}, as the context holding the endpoint publishes it (from its journal, at least
 * once) on {@link #ACCOUNTS_TOPIC} or {@link #PORTFOLIO_TOPIC}. A declined step carries the reason.
 *
 * <pre>{"step": "withdraw", "transferId": "...", "succeeded": false, "reason": "Insufficient funds: ..."}</pre>
 */
public record TransferStepResult(TransferStep.Step step, String transferId, boolean succeeded, String reason) {

  public static final String ACCOUNTS_TOPIC = "accounts.transfer-results";
  public static final String PORTFOLIO_TOPIC = "portfolio.transfer-results";

  public JsonObject toJson() {
    return new JsonObject().put("step", step.wire()).put("transferId", transferId).put("succeeded", succeeded)
      .put("reason", reason);
  }

  public static TransferStepResult fromJson(JsonObject json) {
    try {
      TransferStepResult result = new TransferStepResult(TransferStep.Step.parse(json.getString("step")),
        json.getString("transferId"), json.getBoolean("succeeded"), json.getString("reason"));
      if (result.transferId() == null) {
        throw new IllegalArgumentException("no transfer id");
      }
      return result;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("Not a transfer step result: " + json.encode(), e);
    }
  }
}
