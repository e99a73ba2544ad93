// State shared by the pages: the latest quote of every symbol (live), the user's savings and portfolios (refetched
// when the server announces a change), and a helper that ties a page's refetching to pushes and reconnects.

import { api, session } from './api.js';
import { subscribe, onResync } from './push.js';

const { reactive, onUnmounted } = Vue;

/** symbol -> {symbol, bid, ask, last, time, stale, move: 'up'|'down'|''} */
export const quotes = reactive({});
/** The symbols in the market's order. */
export const symbols = reactive([]);
/** The user's savings balance and portfolios; the node's order collar. */
export const account = reactive({ savings: null, portfolios: [], collarPercent: null, loaded: false });

function applyQuote(quote) {
  const before = quotes[quote.symbol];
  const move = !before || before.last === quote.last ? (before ? before.move : '')
    : Number(quote.last) > Number(before.last) ? 'up' : 'down';
  quotes[quote.symbol] = { ...quote, move };
}

let stopQuotes = [];

/** Loads every symbol's quote and follows each one live. */
export async function startQuotes() {
  const answer = await api('GET', '/quotes');
  answer.quotes.forEach(applyQuote);
  if (symbols.length === 0) {
    symbols.push(...answer.quotes.map(q => q.symbol));
    stopQuotes = symbols.map(symbol => subscribe('quotes.' + symbol, applyQuote));
  }
}

/** Refetches the savings balance and the portfolio list. */
export async function refreshAccount(position) {
  const [me, list] = await Promise.all([api('GET', '/me', undefined, { position }),
    api('GET', '/portfolios', undefined, { position })]);
  account.savings = me.savings.balance;
  account.portfolios = list.portfolios;
  account.loaded = true;
}

let stopAccount = [];

/** After login: quotes, account, the node's settings the UI needs, and their live updates. */
export function startSessionData() {
  stopSessionData();
  const user = 'user.' + session.userId;
  const refresh = debounced(() => refreshAccount().catch(e => console.warn(e)));
  stopAccount = [
    subscribe(user + '.savings', refresh),
    subscribe(user + '.portfolios', refresh),
    onResync(refresh),
    onResync(() => startQuotes().catch(e => console.warn(e))),
  ];
  refresh();
  startQuotes().catch(e => console.warn(e));
  fetch('/api/info').then(r => r.json()).then(info => { account.collarPercent = info.orderCollarPercent; });
}

/** At logout: stops following everything. */
export function stopSessionData() {
  stopAccount.forEach(stop => stop());
  stopQuotes.forEach(stop => stop());
  stopAccount = [];
  stopQuotes = [];
  symbols.splice(0);
  Object.keys(quotes).forEach(k => delete quotes[k]);
  Object.assign(account, { savings: null, portfolios: [], loaded: false });
}

/** {@code fn} at most once per {@code ms}, trailing: a burst of pushes makes one refetch. */
export function debounced(fn, ms = 120) {
  let timer = null;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}

/**
 * For a page: calls {@code refetch} when a message on one of the user's {@code topics} ('orders', 'portfolios',
 * 'transfers', 'savings') passes {@code accept}, and after a reconnect; stops when the page goes away.
 */
export function liveRefetch(topics, refetch, accept = () => true) {
  const later = debounced(refetch);
  const stops = topics.map(topic => subscribe('user.' + session.userId + '.' + topic, body => {
    if (accept(body, topic)) {
      later();
    }
  }));
  stops.push(onResync(later));
  onUnmounted(() => stops.forEach(stop => stop()));
}
