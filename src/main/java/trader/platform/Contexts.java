package trader.platform;

import trader.accounts.AccountsContext;
import trader.broker.BrokerContext;
import trader.gateway.GatewayContext;
import trader.portfolio.PortfolioContext;
import trader.quotes.QuotesContext;
import trader.wiretransfer.WiretransferContext;

import java.util.List;

/** The bounded contexts a node of this product runs, in start order. */
public final class Contexts {

  private Contexts() {
  }

  public static List<BoundedContext> all() {
    return List.of(new AccountsContext(), new PortfolioContext(), new WiretransferContext(), new QuotesContext(),
      new BrokerContext(), new GatewayContext());
  }
}
