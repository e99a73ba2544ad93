// The user's portfolios: open a new one, see each one's cash at a glance, open or close it.

import { api, formErrors } from '../api.js';
import { account, refreshAccount } from '../store.js';
import { StatusBadge, FieldError } from './common.js';

export default {
  components: { StatusBadge, FieldError },
  data() {
    return { name: '', busy: false, closing: null, closeErrors: {}, showClosed: false, ...formErrors(['name']) };
  },
  computed: {
    account: () => account,
    shown() {
      return account.portfolios.filter(p => this.showClosed || p.status === 'OPEN');
    },
    closedCount() {
      return account.portfolios.filter(p => p.status !== 'OPEN').length;
    },
  },
  methods: {
    async open() {
      this.clear();
      this.busy = true;
      try {
        const answer = await api('POST', '/portfolios', { name: this.name });
        this.name = '';
        await refreshAccount(answer.position);
        location.hash = '#/portfolios/' + answer.portfolioId;
      } catch (e) {
        this.of(e);
      } finally {
        this.busy = false;
      }
    },
    async close(p) {
      this.closing = p.portfolioId;
      this.closeErrors = {};
      try {
        const answer = await api('DELETE', '/portfolios/' + p.portfolioId);
        await refreshAccount(answer.position);
      } catch (e) {
        this.closeErrors = { [p.portfolioId]: e.message };
      } finally {
        this.closing = null;
      }
    },
  },
  template: `
  <section>
    <header class="page-head">
      <div>
        <h1>Portfolios</h1>
        <p class="muted">Savings available to invest: <strong class="num" data-testid="savings">{{ $f.money(account.savings) }}</strong></p>
      </div>
      <form class="inline-form" @submit.prevent="open" novalidate>
        <label for="portfolio-name" class="sr-only">Name of the new portfolio</label>
        <input id="portfolio-name" v-model="name" placeholder="Name, e.g. Growth" maxlength="60"
          :aria-invalid="!!errors.name" aria-describedby="err-name">
        <button class="primary" type="submit" :disabled="busy">Open portfolio</button>
        <FieldError :errors="errors" field="name"/>
        <p v-if="errors.form" class="form-error" role="alert">{{ errors.form }}</p>
      </form>
    </header>
    <div v-if="account.loaded && shown.length === 0" class="card empty">
      <h2>No portfolio yet</h2>
      <p>Open one above, then move money into it from your savings on the Transfers page.</p>
    </div>
    <ul class="portfolio-grid">
      <li v-for="p in shown" :key="p.portfolioId" class="card portfolio-card" :data-portfolio="p.name">
        <div class="row spread">
          <h2><a :href="'#/portfolios/' + p.portfolioId">{{ p.name }}</a></h2>
          <StatusBadge :status="p.status"/>
        </div>
        <dl class="figures">
          <div><dt>Cash</dt><dd class="num">{{ $f.money(p.cash) }}</dd></div>
          <div><dt>Reserved</dt><dd class="num">{{ $f.money(p.reservedCash) }}</dd></div>
        </dl>
        <p class="muted small">Opened {{ $f.dateTime(p.openedAt) }}</p>
        <div class="row" v-if="p.status === 'OPEN'">
          <a class="button" :href="'#/portfolios/' + p.portfolioId">Open dashboard</a>
          <button type="button" class="ghost" @click="close(p)" :disabled="closing === p.portfolioId">Close</button>
        </div>
        <p v-if="closeErrors[p.portfolioId]" class="form-error" role="alert">{{ closeErrors[p.portfolioId] }}</p>
      </li>
    </ul>
    <p v-if="closedCount"><button type="button" class="link" @click="showClosed = !showClosed">
      {{ showClosed ? 'Hide' : 'Show' }} {{ closedCount }} closed portfolio{{ closedCount > 1 ? 's' : '' }}</button></p>
  </section>`,
};
