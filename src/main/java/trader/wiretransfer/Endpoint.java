package trader.wiretransfer;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Where a wire transfer takes money from or delivers it to. Stored as JSON with a stable {@code "kind"}
 * ({@code savings} or {@code portfolio}), never a class name.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
  @JsonSubTypes.Type(value = Endpoint.Savings.class, name = "savings"),
  @JsonSubTypes.Type(value = Endpoint.PortfolioAccount.class, name = "portfolio")
})
public sealed interface Endpoint {

  /** The savings account of user {@code userId}. */
  record Savings(String userId) implements Endpoint {
  }

  /** The cash of portfolio {@code portfolioId}. */
  record PortfolioAccount(String portfolioId) implements Endpoint {
  }
}
