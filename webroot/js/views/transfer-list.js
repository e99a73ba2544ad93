// A list of transfers with their live status; endpoints are named after the user's savings and portfolios.

import { account } from '../store.js';
import { StatusBadge } from './common.js';

export default {
  components: { StatusBadge },
  props: { transfers: Array, empty: String },
  methods: {
    endpoint(e) {
      if (e.kind === 'savings') {
        return 'Savings';
      }
      const p = account.portfolios.find(x => x.portfolioId === e.id);
      return p ? p.name : 'Portfolio ' + e.id.slice(0, 8);
    },
  },
  template: `
  <p v-if="transfers.length === 0" class="muted">{{ empty }}</p>
  <div class="table-wrap" v-else>
    <table data-testid="transfers">
      <thead><tr><th class="wide-only">Requested</th><th>From</th><th>To</th><th class="r">Amount</th><th>Status</th></tr></thead>
      <tbody>
        <tr v-for="t in transfers" :key="t.transferId" :data-transfer="t.transferId">
          <td class="num wide-only">{{ $f.dateTime(t.requestedAt) }}</td>
          <td>{{ endpoint(t.from) }}</td>
          <td>{{ endpoint(t.to) }}</td>
          <td class="r num">{{ $f.money(t.amount) }}</td>
          <td><StatusBadge :status="t.status"/><small v-if="t.reason" class="muted block">{{ t.reason }}</small></td>
        </tr>
      </tbody>
    </table>
  </div>`,
};
