// The single-page app: hash routes, the header (navigation, connection state, savings, log out), the ticker of
// every symbol, and starting or stopping live data with the session.

import { session, endSession } from './api.js';
import { connect, disconnect, connection } from './push.js';
import { account, quotes, symbols, startSessionData, stopSessionData } from './store.js';
import { formatting } from './views/common.js';
import LoginView from './views/login.js';
import PortfoliosView from './views/portfolios.js';
import DashboardView from './views/dashboard.js';
import TransfersView from './views/transfers.js';
import QuoteView from './views/quote.js';

const { createApp, reactive, computed, watch } = Vue;

/** The current route from location.hash: '#/portfolios/ID?symbol=AAPL' -> {parts: ['portfolios', ID], query}. */
const route = reactive(parse());
window.addEventListener('hashchange', () => Object.assign(route, parse()));

function parse() {
  const [path, search] = location.hash.replace(/^#\/?/, '').split('?');
  return { parts: path.split('/').filter(Boolean).map(decodeURIComponent),
    query: Object.fromEntries(new URLSearchParams(search || '')) };
}

const CONNECTION_LABELS = { live: 'Live', connecting: 'Connecting…', reconnecting: 'Reconnecting…', offline: 'Offline' };

const App = {
  setup() {
    const page = computed(() => {
      const [first, second] = route.parts;
      if (!session.token) {
        return { component: LoginView, props: { mode: first === 'signup' ? 'signup' : 'login' } };
      }
      switch (first) {
        case 'portfolios':
          return second ? { component: DashboardView, props: { id: second, symbol: route.query.symbol } }
            : { component: PortfoliosView, props: {} };
        case 'transfers':
          return { component: TransfersView, props: { query: route.query }, key: location.hash };
        case 'quotes':
          return { component: QuoteView, props: { symbol: second || symbols[0] || 'AAPL' } };
        default:
          return { component: PortfoliosView, props: {} };
      }
    });
    const section = computed(() => route.parts[0] || 'portfolios');

    watch(() => session.token, token => {
      if (token) {
        connect(token);
        startSessionData();
        if (['login', 'signup', undefined].includes(route.parts[0])) {
          location.hash = '#/portfolios';
        }
      } else {
        disconnect();
        stopSessionData();
        if (!['login', 'signup'].includes(route.parts[0])) {
          location.hash = '#/login';
        }
      }
    }, { immediate: true });

    function logout() {
      endSession(false);
    }

    return { page, section, session, connection, account, quotes, symbols, logout,
      connectionLabel: computed(() => CONNECTION_LABELS[connection.state]) };
  },
  template: `
  <a class="skip" href="#main" @click.prevent="$refs.main.focus()">Skip to content</a>
  <header class="topbar">
    <div class="topbar-inner">
      <a class="brand" href="#/portfolios" aria-label="Reactive Stock Trader, home"><span class="logo" aria-hidden="true">▲</span> Stock Trader</a>
      <nav v-if="session.token" aria-label="Main">
        <a href="#/portfolios" :aria-current="section === 'portfolios' ? 'page' : null">Portfolios</a>
        <a href="#/transfers" :aria-current="section === 'transfers' ? 'page' : null">Transfers</a>
        <a href="#/quotes" :aria-current="section === 'quotes' ? 'page' : null">Markets</a>
      </nav>
      <div class="account" v-if="session.token">
        <span class="connection" :class="'conn-' + connection.state" role="status" aria-live="polite"
          data-testid="connection" :data-state="connection.state"><span class="dot" aria-hidden="true"></span>{{ connectionLabel }}</span>
        <span class="savings">Savings <strong class="num" data-testid="header-savings">{{ $f.money(account.savings) }}</strong></span>
        <span class="user" data-testid="username">{{ session.username }}</span>
        <button type="button" class="ghost small on-dark" @click="logout">Log out</button>
      </div>
    </div>
    <div v-if="session.token && connection.state === 'reconnecting'" class="banner" role="alert" data-testid="reconnecting">
      Connection lost. Reconnecting… Prices and statuses resume when it is back.
    </div>
    <nav v-if="session.token && symbols.length" class="ticker" :class="{dimmed: connection.state !== 'live'}" aria-label="Ticker">
      <a v-for="s in symbols" :key="s" :href="'#/quotes/' + s" class="tick" :class="quotes[s] && quotes[s].move" :data-symbol="s">
        <span class="sym">{{ s }}</span>
        <span class="num">{{ quotes[s] ? $f.money(quotes[s].last) : '—' }}</span>
        <span class="arrow" aria-hidden="true">{{ quotes[s] && quotes[s].move === 'down' ? '▼' : quotes[s] && quotes[s].move === 'up' ? '▲' : '' }}</span>
      </a>
    </nav>
  </header>
  <main id="main" ref="main" tabindex="-1">
    <component :is="page.component" v-bind="page.props" :key="page.key"/>
  </main>
  <footer class="foot muted small">Reactive Stock Trader · simulated market, not investment advice</footer>`,
};

const app = createApp(App);
app.config.globalProperties.$f = formatting;
app.mount('#app');
