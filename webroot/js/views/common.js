// Small pieces every page uses: formatting helpers for templates, status badges, field errors.

import * as fmt from '../money.js';

/** Formatting functions a template can call ($f.money(x) ...). */
export const formatting = { ...fmt };

/** A coloured badge for an order or transfer status. */
export const StatusBadge = {
  props: { status: String },
  computed: {
    tone() {
      return {
        OPEN: 'info', REQUESTED: 'info', WITHDRAWN: 'info', FILLED: 'good', COMPLETED: 'good',
        CANCELLED: 'muted', EXPIRED: 'muted', CLOSED: 'muted', REJECTED: 'bad', FAILED: 'bad',
        DEPOSIT_FAILED: 'warn', REFUNDED: 'warn',
      }[this.status] || 'muted';
    },
    label() {
      return (this.status || '').replace('_', ' ').toLowerCase();
    },
  },
  template: `<span class="badge" :class="'badge-' + tone" :data-status="status">{{ label }}</span>`,
};

/** The server's message about one field, announced to screen readers. */
export const FieldError = {
  props: { errors: Object, field: String },
  template: `<p v-if="errors[field]" class="field-error" :id="'err-' + field" role="alert"
    :data-error-for="field">{{ errors[field] }}</p>`,
};
