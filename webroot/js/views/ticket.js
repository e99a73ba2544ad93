// The order ticket: buy or sell, the four order types, day or good-till-cancelled, the live bid and ask, and a
// preview of what placing the order will set aside. The server decides; its refusals appear under the field.

import { api, formErrors } from '../api.js';
import { quotes, symbols, account } from '../store.js';
import { dec, times, fixed } from '../money.js';
import { FieldError } from './common.js';

const FIELDS = ['symbol', 'side', 'quantity', 'type', 'limitPrice', 'stopPrice', 'timeInForce'];
const KEYWORDS = { quantity: ['funds', 'shares', 'cash'], symbol: ['quote', 'symbol'], limitPrice: ['limit'],
  stopPrice: ['stop'] };

export default {
  components: { FieldError },
  props: { portfolio: Object, initialSymbol: String },
  emits: ['placed'],
  data() {
    return {
      symbol: this.initialSymbol || '', side: 'BUY', quantity: 1, type: 'MARKET', prices: { limitPrice: '', stopPrice: '' },
      timeInForce: 'DAY', busy: false, placed: null, ...formErrors(FIELDS, KEYWORDS),
    };
  },
  computed: {
    symbols: () => symbols,
    quote() {
      return quotes[this.symbol] || null;
    },
    needsLimit() {
      return this.type === 'LIMIT' || this.type === 'STOP_LIMIT';
    },
    needsStop() {
      return this.type === 'STOP' || this.type === 'STOP_LIMIT';
    },
    priceFields() {
      return [this.needsStop && { name: 'stopPrice', label: 'Stop price' },
        this.needsLimit && { name: 'limitPrice', label: 'Limit price' }].filter(Boolean);
    },
    held() {
      const h = (this.portfolio.holdings || []).find(x => x.symbol === this.symbol);
      return h ? { shares: h.shares, free: h.shares - h.reservedShares } : { shares: 0, free: 0 };
    },
    /** What placing sets aside: {cash} for a buy (null when it cannot be told yet), {shares} for a sell. */
    reservation() {
      const quantity = Number.isInteger(this.quantity) && this.quantity > 0 ? BigInt(this.quantity) : null;
      if (this.side === 'SELL') {
        return { shares: quantity === null ? null : Number(quantity) };
      }
      if (quantity === null) {
        return { cash: null };
      }
      if (this.needsLimit) {
        const limit = dec(this.prices.limitPrice);
        return { cash: limit === null ? null : fixed(limit * quantity) };
      }
      const ask = this.quote ? dec(this.quote.ask) : null;
      const stop = this.needsStop ? dec(this.prices.stopPrice) : null;
      const base = ask === null ? stop : stop === null || ask > stop ? ask : stop;
      if (base === null || account.collarPercent === null) {
        return { cash: null };
      }
      const perShare = dec(fixed(times(base, dec('1') + dec(account.collarPercent) / 100n), 2, 'ceiling'));
      return { cash: fixed(perShare * quantity), collar: account.collarPercent };
    },
    overdrawn() {
      if (this.side === 'SELL') {
        return this.reservation.shares !== null && this.reservation.shares > this.held.free;
      }
      return this.reservation.cash !== null && dec(this.reservation.cash) > dec(this.portfolio.availableCash);
    },
  },
  watch: {
    symbols: {
      immediate: true,
      handler(list) {
        if (!this.symbol && list.length) {
          this.symbol = list[0];
        }
      },
    },
    initialSymbol(s) {
      if (s) {
        this.symbol = s;
      }
    },
  },
  methods: {
    async submit() {
      this.clear();
      this.placed = null;
      const order = { symbol: this.symbol, side: this.side, quantity: this.quantity, type: this.type,
        timeInForce: this.timeInForce };
      this.priceFields.forEach(f => {
        order[f.name] = this.prices[f.name];
      });
      this.busy = true;
      try {
        const answer = await api('POST', '/portfolios/' + this.portfolio.portfolioId + '/orders', order);
        this.placed = `${this.side === 'BUY' ? 'Buy' : 'Sell'} order for ${this.quantity} ${this.symbol} placed.`;
        this.$emit('placed', answer.position);
      } catch (e) {
        this.of(e);
      } finally {
        this.busy = false;
      }
    },
  },
  template: `
  <form class="card ticket" @submit.prevent="submit" novalidate aria-labelledby="ticket-title">
    <h2 id="ticket-title">Order ticket</h2>
    <div class="segmented" role="radiogroup" aria-label="Side">
      <label :class="{on: side === 'BUY', buy: true}"><input type="radio" name="side" value="BUY" v-model="side">Buy</label>
      <label :class="{on: side === 'SELL', sell: true}"><input type="radio" name="side" value="SELL" v-model="side">Sell</label>
    </div>
    <FieldError :errors="errors" field="side"/>
    <div class="grid-2">
      <div>
        <label for="t-symbol">Symbol</label>
        <select id="t-symbol" name="symbol" v-model="symbol" :aria-invalid="!!errors.symbol" aria-describedby="err-symbol">
          <option v-for="s in symbols" :key="s" :value="s">{{ s }}</option>
        </select>
        <FieldError :errors="errors" field="symbol"/>
      </div>
      <div>
        <label for="t-quantity">Quantity</label>
        <input id="t-quantity" name="quantity" type="number" min="1" step="1" inputmode="numeric"
          v-model.number="quantity" :aria-invalid="!!errors.quantity" aria-describedby="err-quantity">
        <FieldError :errors="errors" field="quantity"/>
      </div>
    </div>
    <div class="quote-line" aria-live="off" data-testid="ticket-quote">
      <template v-if="quote">
        <span>Bid <strong class="num" data-testid="bid">{{ $f.money(quote.bid) }}</strong></span>
        <span>Ask <strong class="num" data-testid="ask">{{ $f.money(quote.ask) }}</strong></span>
        <span v-if="quote.stale" class="badge badge-warn">stale</span>
      </template>
      <span v-else class="muted">No quote yet</span>
    </div>
    <div class="grid-2">
      <div>
        <label for="t-type">Order type</label>
        <select id="t-type" name="type" v-model="type" :aria-invalid="!!errors.type" aria-describedby="err-type">
          <option value="MARKET">Market</option>
          <option value="LIMIT">Limit</option>
          <option value="STOP">Stop</option>
          <option value="STOP_LIMIT">Stop limit</option>
        </select>
        <FieldError :errors="errors" field="type"/>
      </div>
      <div>
        <span class="label" id="tif-label">Time in force</span>
        <div class="segmented small" role="radiogroup" aria-labelledby="tif-label">
          <label :class="{on: timeInForce === 'DAY'}" title="Expires at the session close"><input type="radio" name="timeInForce" value="DAY" v-model="timeInForce">Day</label>
          <label :class="{on: timeInForce === 'GTC'}" title="Good till cancelled"><input type="radio" name="timeInForce" value="GTC" v-model="timeInForce">GTC</label>
        </div>
        <FieldError :errors="errors" field="timeInForce"/>
      </div>
    </div>
    <div class="grid-2" v-if="priceFields.length">
      <div v-for="f in priceFields" :key="f.name">
        <label :for="'t-' + f.name">{{ f.label }}</label>
        <input :id="'t-' + f.name" :name="f.name" inputmode="decimal" placeholder="0.00" v-model.trim="prices[f.name]"
          :aria-invalid="!!errors[f.name]" :aria-describedby="'err-' + f.name">
        <FieldError :errors="errors" :field="f.name"/>
      </div>
    </div>
    <div class="preview" :class="{warn: overdrawn}" data-testid="reservation-preview">
      <template v-if="side === 'BUY'">
        <span>Reserves</span>
        <strong class="num">{{ reservation.cash === null ? '—' : $f.money(reservation.cash) }}</strong>
        <span class="muted small" v-if="reservation.collar">ask + {{ reservation.collar }}% collar, per share rounded up</span>
        <span class="muted small">of {{ $f.money(portfolio.availableCash) }} available</span>
      </template>
      <template v-else>
        <span>Reserves</span>
        <strong class="num">{{ $f.sharesWord(reservation.shares) }}</strong>
        <span class="muted small">of {{ $f.shares(held.free) }} free ({{ $f.shares(held.shares) }} held)</span>
      </template>
    </div>
    <p v-if="errors.form" class="form-error" role="alert">{{ errors.form }}</p>
    <p v-if="placed" class="success" role="status">{{ placed }}</p>
    <button type="submit" class="wide" :class="side === 'BUY' ? 'buy' : 'sell'" :disabled="busy || portfolio.status !== 'OPEN'">
      {{ side === 'BUY' ? 'Place buy order' : 'Place sell order' }}</button>
  </form>`,
};
