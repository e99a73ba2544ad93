// One portfolio: cash and reservations, holdings valued at the latest quote with cost basis and profit or loss,
// the order ticket, open orders (cancel), order history, activity and transfers. Everything refetches when the
// server announces a change to this portfolio, its orders or its transfers.

import { api } from '../api.js';
import { quotes, liveRefetch } from '../store.js';
import { dec, fixed } from '../money.js';
import { StatusBadge } from './common.js';
import OrderTicket from './ticket.js';
import TransferList from './transfer-list.js';

const TYPE_NAMES = { MARKET: 'Market', LIMIT: 'Limit', STOP: 'Stop', STOP_LIMIT: 'Stop limit' };

/** "Buy 5 AAPL · Limit", the side coloured. */
const OrderLabel = {
  props: { order: Object },
  computed: {
    type() {
      return TYPE_NAMES[this.order.type] || this.order.type;
    },
  },
  template: `<span :class="order.side === 'BUY' ? 'side-buy' : 'side-sell'">{{ order.side === 'BUY' ? 'Buy' : 'Sell' }}</span>
    {{ $f.shares(order.quantity) }} {{ order.symbol }} · {{ type }}`,
};

export default {
  components: { StatusBadge, OrderTicket, TransferList, OrderLabel },
  props: { id: String, symbol: String },
  data() {
    return { view: null, orders: [], transfers: [], missing: null, cancelling: {}, cancelErrors: {},
      closeError: null, tab: 'open' };
  },
  created() {
    this.load();
    liveRefetch(['portfolios', 'orders', 'transfers'], () => this.load(), 
      // order and transfer notices name no portfolio: any of them may concern this one
      body => !body.portfolioId || body.portfolioId === this.id);
  },
  watch: {
    id() {
      this.view = null;
      this.load();
    },
  },
  computed: {
    holdings() {
      return (this.view ? this.view.holdings : []).map(h => {
        const quote = quotes[h.symbol];
        const price = quote ? dec(quote.last) : null;
        const cost = dec(h.costBasis);
        const value = price === null ? null : price * BigInt(h.shares);
        return { ...h, quote, price, cost, value, gain: value === null ? null : value - cost,
          average: h.shares ? cost / BigInt(h.shares) : null };
      });
    },
    totals() {
      const cash = this.view ? dec(this.view.cash) : 0n;
      const priced = this.holdings.every(h => h.value !== null);
      const value = this.holdings.reduce((sum, h) => sum + (h.value || 0n), 0n);
      const cost = this.holdings.reduce((sum, h) => sum + h.cost, 0n);
      return { value: priced ? value : null, cost, gain: priced ? value - cost : null,
        total: priced ? cash + value : null };
    },
    openOrders() {
      return this.orders.filter(o => o.status === 'OPEN');
    },
    pastOrders() {
      return this.orders.filter(o => o.status !== 'OPEN');
    },
  },
  methods: {
    orderTotal(order) {
      return fixed(BigInt(order.quantity) * dec(order.fillPrice));
    },
    async load(position) {
      try {
        const [view, orders, transfers] = await Promise.all([
          api('GET', '/portfolios/' + this.id, undefined, { position }),
          api('GET', '/portfolios/' + this.id + '/orders', undefined, { position }),
          api('GET', '/transfers?portfolioId=' + this.id, undefined, { position })]);
        this.view = view;
        this.orders = orders.orders;
        this.transfers = transfers.transfers;
        this.missing = null;
      } catch (e) {
        if (e.status === 404) {
          this.missing = e.message;
        }
      }
    },
    async cancel(order) {
      this.cancelling = { ...this.cancelling, [order.orderId]: true };
      this.cancelErrors = { ...this.cancelErrors, [order.orderId]: null };
      try {
        await api('DELETE', '/orders/' + order.orderId);
      } catch (e) {
        this.cancelling = { ...this.cancelling, [order.orderId]: false };
        this.cancelErrors = { ...this.cancelErrors, [order.orderId]: e.message };
      }
    },
    async closePortfolio() {
      this.closeError = null;
      try {
        const answer = await api('DELETE', '/portfolios/' + this.id);
        await this.load(answer.position);
      } catch (e) {
        this.closeError = e.message;
      }
    },
    priceOf(order) {
      const parts = [];
      if (order.stopPrice) {
        parts.push('stop ' + this.$f.money(order.stopPrice));
      }
      if (order.limitPrice) {
        parts.push('limit ' + this.$f.money(order.limitPrice));
      }
      return parts.join(', ') || 'market';
    },
  },
  template: `
  <section v-if="missing" class="card empty">
    <h1>Portfolio not found</h1>
    <p>{{ missing }}</p>
    <a class="button" href="#/portfolios">Back to portfolios</a>
  </section>
  <section v-else-if="!view" class="loading" aria-busy="true">Loading portfolio…</section>
  <section v-else class="dashboard">
    <header class="page-head">
      <div>
        <p class="crumbs"><a href="#/portfolios">Portfolios</a> /</p>
        <h1>{{ view.name }} <StatusBadge :status="view.status"/></h1>
      </div>
      <div class="row" v-if="view.status === 'OPEN'">
        <a class="button" :href="'#/transfers?to=' + id">Add funds</a>
        <a class="button ghost" :href="'#/transfers?from=' + id">Withdraw</a>
        <button type="button" class="ghost" @click="closePortfolio">Close portfolio</button>
      </div>
    </header>
    <p v-if="closeError" class="form-error" role="alert">{{ closeError }}</p>

    <div class="summary" data-testid="summary">
      <div class="card stat"><span>Total value</span><strong class="num" data-testid="total">{{ $f.money(totals.total) }}</strong></div>
      <div class="card stat"><span>Cash</span><strong class="num" data-testid="cash">{{ $f.money(view.cash) }}</strong>
        <small class="muted">available <span class="num" data-testid="available-cash">{{ $f.money(view.availableCash) }}</span></small></div>
      <div class="card stat"><span>Reserved for orders</span><strong class="num" data-testid="reserved-cash">{{ $f.money(view.reservedCash) }}</strong></div>
      <div class="card stat"><span>Holdings value</span><strong class="num" data-testid="holdings-value">{{ $f.money(totals.value) }}</strong>
        <small class="muted">cost <span class="num">{{ $f.money(totals.cost) }}</span></small></div>
      <div class="card stat"><span>Unrealised P/L</span>
        <strong class="num" :class="$f.trend(totals.gain)" data-testid="total-gain">{{ $f.signedMoney(totals.gain) }}</strong>
        <small :class="$f.trend(totals.gain)">{{ $f.percentOf(totals.gain, totals.cost) }}</small></div>
    </div>

    <div class="columns">
      <div class="main-column">
        <section class="card">
          <h2>Holdings</h2>
          <p v-if="holdings.length === 0" class="muted">No shares yet.
            <template v-if="view.cash === '0.00'"><a :href="'#/transfers?to=' + id">Add funds</a>, then buy</template>
            <template v-else>Buy some</template> with the order ticket.</p>
          <div class="table-wrap" v-else>
            <table data-testid="holdings">
              <thead><tr><th>Symbol</th><th class="r">Shares</th><th class="r">Last</th><th class="r">Market value</th>
                <th class="r">Cost basis</th><th class="r">Avg cost</th><th class="r">P/L</th></tr></thead>
              <tbody>
                <tr v-for="h in holdings" :key="h.symbol" :data-symbol="h.symbol">
                  <td><a :href="'#/quotes/' + h.symbol"><strong>{{ h.symbol }}</strong></a></td>
                  <td class="r num" data-col="shares">{{ $f.shares(h.shares) }}<small v-if="h.reservedShares" class="muted block">{{ $f.shares(h.reservedShares) }} reserved</small></td>
                  <td class="r num" :class="h.quote && h.quote.move">{{ h.quote ? $f.money(h.quote.last) : '—' }}</td>
                  <td class="r num">{{ $f.money(h.value) }}</td>
                  <td class="r num">{{ $f.money(h.costBasis) }}</td>
                  <td class="r num">{{ $f.money(h.average) }}</td>
                  <td class="r num" :class="$f.trend(h.gain)">{{ $f.signedMoney(h.gain) }}<small class="block">{{ $f.percentOf(h.gain, h.cost) }}</small></td>
                </tr>
              </tbody>
            </table>
          </div>
          <p class="muted small">Valued at each symbol's last price, live.</p>
        </section>

        <section class="card">
          <div class="tabs" role="tablist">
            <button type="button" role="tab" :aria-selected="tab === 'open'" :class="{active: tab === 'open'}" @click="tab = 'open'">Open orders <span class="count">{{ openOrders.length }}</span></button>
            <button type="button" role="tab" :aria-selected="tab === 'history'" :class="{active: tab === 'history'}" @click="tab = 'history'">Order history</button>
            <button type="button" role="tab" :aria-selected="tab === 'transfers'" :class="{active: tab === 'transfers'}" @click="tab = 'transfers'">Transfers</button>
          </div>
          <div v-if="tab === 'open'">
            <p v-if="openOrders.length === 0" class="muted">No open orders.</p>
            <div class="table-wrap" v-else>
              <table data-testid="open-orders">
                <thead><tr><th>Placed</th><th>Order</th><th>Price</th><th>Time in force</th><th class="r">Reserved</th><th></th></tr></thead>
                <tbody>
                  <tr v-for="o in openOrders" :key="o.orderId" :data-order="o.orderId">
                    <td class="num">{{ $f.time(o.placedAt) }}</td>
                    <td><OrderLabel :order="o"/></td>
                    <td class="num">{{ priceOf(o) }}</td>
                    <td>{{ o.timeInForce === 'GTC' ? 'Good till cancelled' : 'Day' }}</td>
                    <td class="r num">{{ o.side === 'BUY' ? $f.money(o.reservedCash) : $f.sharesWord(o.quantity) }}</td>
                    <td class="r">
                      <button type="button" class="small ghost" @click="cancel(o)" :disabled="cancelling[o.orderId]">
                        {{ cancelling[o.orderId] ? 'Cancelling…' : 'Cancel' }}</button>
                      <small v-if="cancelErrors[o.orderId]" class="form-error block" role="alert">{{ cancelErrors[o.orderId] }}</small>
                    </td>
                  </tr>
                </tbody>
              </table>
            </div>
          </div>
          <div v-if="tab === 'history'">
            <p v-if="pastOrders.length === 0" class="muted">No finished orders yet.</p>
            <div class="table-wrap" v-else>
              <table data-testid="order-history">
                <thead><tr><th>Updated</th><th>Order</th><th>Price</th><th>Status</th><th class="r">Fill price</th><th class="r">Total</th></tr></thead>
                <tbody>
                  <tr v-for="o in pastOrders" :key="o.orderId" :data-order="o.orderId">
                    <td class="num">{{ $f.dateTime(o.updatedAt) }}</td>
                    <td><OrderLabel :order="o"/></td>
                    <td class="num">{{ priceOf(o) }}</td>
                    <td><StatusBadge :status="o.status"/><small v-if="o.reason" class="muted block">{{ o.reason }}</small></td>
                    <td class="r num">{{ o.fillPrice ? $f.money(o.fillPrice) : '—' }}</td>
                    <td class="r num">{{ o.fillPrice ? $f.money(orderTotal(o)) : '—' }}</td>
                  </tr>
                </tbody>
              </table>
            </div>
          </div>
          <div v-if="tab === 'transfers'">
            <TransferList :transfers="transfers" empty="No transfers for this portfolio yet."/>
          </div>
        </section>
      </div>
      <aside class="side-column">
        <OrderTicket :portfolio="view" :initial-symbol="symbol" @placed="load"/>
      </aside>
    </div>
  </section>`,
};
