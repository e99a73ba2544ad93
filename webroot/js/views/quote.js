// A symbol's quote page: one-minute candles of the last hours from the API, then every live tick folded into the
// current minute's candle; beside it, every symbol's quote, live.

import { api } from '../api.js';
import { quotes, symbols, account } from '../store.js';
import { subscribe, onResync } from '../push.js';

const HOURS = 3;

function epochSeconds(iso) {
  return Math.floor(Date.parse(iso) / 1000);
}

export default {
  props: { symbol: String },
  data() {
    return { candles: 0, error: null };
  },
  computed: {
    quote() {
      return quotes[this.symbol] || null;
    },
    symbols: () => symbols,
    quotes: () => quotes,
    portfolios: () => account.portfolios.filter(p => p.status === 'OPEN'),
  },
  mounted() {
    const chartOptions = {
      autoSize: true,
      // the logo is added with an inline <style>, which the Content-Security-Policy forbids: credited below instead
      layout: { background: { color: 'transparent' }, textColor: '#4a5568', attributionLogo: false,
        fontFamily: getComputedStyle(document.body).fontFamily },
      grid: { vertLines: { color: '#eef1f6' }, horzLines: { color: '#eef1f6' } },
      rightPriceScale: { borderVisible: false },
      timeScale: { borderVisible: false, timeVisible: true, secondsVisible: false, barSpacing: 9, rightOffset: 3,
        tickMarkFormatter: t => new Date(t * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit',
          hour12: false }) },
      localization: { timeFormatter: t => new Date(t * 1000).toLocaleString() },
    };
    this.chart = LightweightCharts.createChart(this.$refs.chart, chartOptions);
    this.series = this.chart.addCandlestickSeries({ upColor: '#15803d', downColor: '#c62828', borderVisible: false,
      wickUpColor: '#15803d', wickDownColor: '#c62828' });
    this.stopResync = onResync(() => this.loadCandles());
    this.follow();
  },
  beforeUnmount() {
    this.unfollow();
    this.stopResync();
    this.chart.remove();
  },
  watch: {
    symbol() {
      this.unfollow();
      this.follow();
    },
  },
  methods: {
    follow() {
      this.last = null;
      this.series.setData([]);
      this.stopTicks = subscribe('quotes.' + this.symbol, tick => this.tick(tick));
      this.loadCandles();
    },
    unfollow() {
      if (this.stopTicks) {
        this.stopTicks();
      }
    },
    async loadCandles() {
      const symbol = this.symbol;
      const from = new Date(Date.now() - HOURS * 3600_000).toISOString();
      try {
        const answer = await api('GET', '/quotes/' + encodeURIComponent(symbol) + '/candles?from=' + from);
        if (symbol !== this.symbol) {
          return;
        }
        const bars = answer.candles.map(c => ({ time: epochSeconds(c.minute), open: Number(c.open),
          high: Number(c.high), low: Number(c.low), close: Number(c.close) }));
        this.series.setData(bars);
        this.last = bars.length ? { ...bars[bars.length - 1] } : null;
        this.candles = bars.length;
        this.error = null;
        this.chart.timeScale().scrollToRealTime();
      } catch (e) {
        this.error = e.message;
      }
    },
    /** Prices on the chart are numbers for drawing only; every amount shown as text stays an exact decimal. */
    tick(quote) {
      const price = Number(quote.last);
      const minute = Math.floor(epochSeconds(quote.time) / 60) * 60;
      if (this.last && this.last.time === minute) {
        Object.assign(this.last, { high: Math.max(this.last.high, price), low: Math.min(this.last.low, price),
          close: price });
      } else if (!this.last || minute > this.last.time) {
        this.last = { time: minute, open: this.last ? this.last.close : price, high: price, low: price, close: price };
        this.candles++;
      } else {
        return;
      }
      this.series.update({ ...this.last });
    },
  },
  template: `
  <section class="quote-page">
    <header class="page-head">
      <div>
        <p class="crumbs"><a href="#/quotes">Markets</a> /</p>
        <h1>{{ symbol }} <span v-if="quote" class="price num" :class="quote.move" data-testid="quote-last">{{ $f.money(quote.last) }}</span>
          <span v-if="quote && quote.stale" class="badge badge-warn">stale</span></h1>
        <p class="muted" v-if="quote">Bid <strong class="num">{{ $f.money(quote.bid) }}</strong> ·
          Ask <strong class="num">{{ $f.money(quote.ask) }}</strong> · at {{ $f.time(quote.time) }}</p>
      </div>
      <div class="row" v-if="portfolios.length">
        <a v-for="p in portfolios.slice(0, 3)" :key="p.portfolioId" class="button"
          :href="'#/portfolios/' + p.portfolioId + '?symbol=' + symbol">Trade in {{ p.name }}</a>
      </div>
    </header>
    <div class="columns">
      <div class="main-column">
        <section class="card">
          <h2>Price, one-minute candles</h2>
          <div ref="chart" class="chart" data-testid="chart" :data-candles="candles"></div>
          <p v-if="error" class="form-error">{{ error }}</p>
          <p class="muted small">The last {{ ${HOURS} }} hours from the server, then every tick as it arrives. Simulated prices.
            Chart: <a href="https://www.tradingview.com/lightweight-charts/" rel="noopener noreferrer">TradingView Lightweight Charts</a>.</p>
        </section>
      </div>
      <aside class="side-column">
        <section class="card">
          <h2>All symbols</h2>
          <table class="compact" data-testid="market-table">
            <thead><tr><th>Symbol</th><th class="r">Bid</th><th class="r">Ask</th><th class="r">Last</th></tr></thead>
            <tbody>
              <tr v-for="s in symbols" :key="s" :class="{current: s === symbol}">
                <td><a :href="'#/quotes/' + s">{{ s }}</a></td>
                <td class="r num">{{ quotes[s] ? $f.money(quotes[s].bid) : '—' }}</td>
                <td class="r num">{{ quotes[s] ? $f.money(quotes[s].ask) : '—' }}</td>
                <td class="r num" :class="quotes[s] && quotes[s].move">{{ quotes[s] ? $f.money(quotes[s].last) : '—' }}</td>
              </tr>
            </tbody>
          </table>
        </section>
      </aside>
    </div>
  </section>`,
};
