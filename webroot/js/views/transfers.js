// Moving money between savings and portfolios (or between portfolios), and every transfer's live status.

import { api, formErrors } from '../api.js';
import { account, liveRefetch, refreshAccount } from '../store.js';
import { FieldError } from './common.js';
import TransferList from './transfer-list.js';

const SAVINGS = 'savings';

export default {
  components: { FieldError, TransferList },
  props: { query: Object },
  data() {
    return { from: this.query.from || SAVINGS, to: this.query.to || '', amount: '', busy: false, sent: null,
      transfers: [], ...formErrors(['from', 'to', 'amount'], { amount: ['funds', 'balance', 'money'] }) };
  },
  created() {
    this.load();
    liveRefetch(['transfers'], () => this.load());
  },
  computed: {
    account: () => account,
    places() {
      const open = account.portfolios.filter(p => p.status === 'OPEN');
      return [{ value: SAVINGS, label: 'Savings', balance: account.savings }]
        .concat(open.map(p => ({ value: p.portfolioId, label: p.name,
          balance: p.cash !== undefined ? p.cash : null })));
    },
    destinations() {
      return this.places.filter(p => p.value !== this.from);
    },
  },
  watch: {
    destinations: {
      immediate: true,
      handler(list) {
        if (!list.some(p => p.value === this.to)) {
          this.to = list.length ? list[0].value : '';
        }
      },
    },
  },
  methods: {
    endpoint(value) {
      return value === SAVINGS ? { kind: SAVINGS } : { kind: 'portfolio', id: value };
    },
    async load(position) {
      const answer = await api('GET', '/transfers', undefined, { position });
      this.transfers = answer.transfers;
    },
    async submit() {
      this.clear();
      this.sent = null;
      if (!this.to) {
        this.errors.to = 'Open a portfolio first: money moves between savings and portfolios.';
        return;
      }
      this.busy = true;
      try {
        const answer = await api('POST', '/transfers', { from: this.endpoint(this.from), to: this.endpoint(this.to),
          amount: this.amount });
        this.sent = 'Transfer requested. Its status updates in the history.';
        this.amount = '';
        await Promise.all([this.load(answer.position), refreshAccount()]);
      } catch (e) {
        this.of(e);
      } finally {
        this.busy = false;
      }
    },
  },
  template: `
  <section>
    <header class="page-head"><div><h1>Transfers</h1>
      <p class="muted">Money moves between your savings account and your portfolios; each transfer withdraws, then
        deposits, and refunds the source if the deposit cannot be made.</p></div></header>
    <div class="columns form-first">
      <div class="main-column">
        <section class="card">
          <h2>History</h2>
          <TransferList :transfers="transfers" empty="No transfers yet."/>
        </section>
      </div>
      <aside class="side-column">
        <form class="card" @submit.prevent="submit" novalidate aria-labelledby="transfer-title">
          <h2 id="transfer-title">New transfer</h2>
          <label for="tr-from">From</label>
          <select id="tr-from" name="from" v-model="from" aria-describedby="err-from">
            <option v-for="p in places" :key="p.value" :value="p.value">{{ p.label }}{{ p.balance != null ? ' · ' + $f.money(p.balance) : '' }}</option>
          </select>
          <FieldError :errors="errors" field="from"/>
          <label for="tr-to">To</label>
          <select id="tr-to" name="to" v-model="to" aria-describedby="err-to">
            <option v-for="p in destinations" :key="p.value" :value="p.value">{{ p.label }}</option>
          </select>
          <FieldError :errors="errors" field="to"/>
          <label for="tr-amount">Amount (USD)</label>
          <input id="tr-amount" name="amount" inputmode="decimal" placeholder="0.00" v-model.trim="amount"
            :aria-invalid="!!errors.amount" aria-describedby="err-amount hint-amount">
          <p class="hint" id="hint-amount">More than 0, at most 2 decimals.</p>
          <FieldError :errors="errors" field="amount"/>
          <p v-if="errors.form" class="form-error" role="alert">{{ errors.form }}</p>
          <p v-if="sent" class="success" role="status">{{ sent }}</p>
          <button class="primary wide" type="submit" :disabled="busy">Transfer</button>
        </form>
      </aside>
    </div>
  </section>`,
};
