// Sign up and log in: one form, two modes; the server's validation messages appear under the field they concern.

import { api, session, startSession, formErrors } from '../api.js';
import { FieldError } from './common.js';

export default {
  components: { FieldError },
  props: { mode: String },
  data() {
    return { username: '', password: '', busy: false, ...formErrors(['username', 'password']) };
  },
  computed: {
    signup() {
      return this.mode === 'signup';
    },
    expired() {
      return session.expired;
    },
  },
  mounted() {
    this.$refs.username.focus();
  },
  watch: {
    mode() {
      this.clear();
    },
  },
  methods: {
    async submit() {
      this.clear();
      this.busy = true;
      try {
        const answer = await api('POST', this.signup ? '/auth/signup' : '/auth/login',
          { username: this.username, password: this.password });
        startSession(answer);
        location.hash = '#/portfolios';
      } catch (e) {
        this.of(e);
      } finally {
        this.busy = false;
      }
    },
  },
  template: `
  <section class="auth">
    <div class="auth-intro">
      <h1>Trade with live prices, see every fill as it happens.</h1>
      <p>Open portfolios, move money in from your savings account, and buy or sell with market, limit and stop
        orders. Prices come from the simulated market, so nothing here is real money.</p>
    </div>
    <form class="card auth-card" @submit.prevent="submit" novalidate>
      <div class="tabs" role="tablist">
        <a href="#/login" role="tab" :aria-selected="!signup" :class="{active: !signup}">Log in</a>
        <a href="#/signup" role="tab" :aria-selected="signup" :class="{active: signup}">Sign up</a>
      </div>
      <p v-if="expired && !signup" class="notice">Your session has ended. Please log in again.</p>
      <label for="username">Username</label>
      <input id="username" name="username" v-model.trim="username" autocomplete="username" ref="username"
        :aria-invalid="!!errors.username" aria-describedby="err-username hint-username">
      <p v-if="signup" class="hint" id="hint-username">3–30 letters, digits, dots, dashes or underscores.</p>
      <FieldError :errors="errors" field="username"/>
      <label for="password">Password</label>
      <input id="password" name="password" type="password" v-model="password"
        :autocomplete="signup ? 'new-password' : 'current-password'"
        :aria-invalid="!!errors.password" aria-describedby="err-password hint-password">
      <p v-if="signup" class="hint" id="hint-password">At least 10 characters.</p>
      <FieldError :errors="errors" field="password"/>
      <p v-if="errors.form" class="form-error" role="alert">{{ errors.form }}</p>
      <button class="primary wide" type="submit" :disabled="busy">{{ signup ? 'Create account' : 'Log in' }}</button>
      <p class="muted small" v-if="signup">A new account starts with a savings balance to trade with.</p>
    </form>
  </section>`,
};
