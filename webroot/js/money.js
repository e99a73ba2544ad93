// Exact decimal arithmetic for what the UI computes from the server's amounts (market value, profit and loss,
// reservation previews): amounts are BigInt micro-units, never floating point; formatting goes through
// Intl.NumberFormat with decimal strings, which it formats exactly.

const DIGITS = 6;
const ONE = 10n ** BigInt(DIGITS);

/** Parses a decimal string ("189.71", "-3", 12) into micro-units; null or blank gives null. */
export function dec(value) {
  if (value === null || value === undefined || String(value).trim() === '') {
    return null;
  }
  let text = String(value).trim();
  const negative = text.startsWith('-');
  if (negative) {
    text = text.slice(1);
  }
  if (!/^\d*(\.\d*)?$/.test(text) || text === '.') {
    return null;
  }
  const [whole, fraction = ''] = text.split('.');
  const micros = BigInt(whole || '0') * ONE + BigInt((fraction + '0'.repeat(DIGITS)).slice(0, DIGITS));
  return negative ? -micros : micros;
}

/** a × b for two decimals, truncated to micro-units (both sides here have at most 2 decimals, so it is exact). */
export function times(a, b) {
  return a * b / ONE;
}

/** The decimal string of micro-units at {@code digits} decimals; mode 'ceiling' rounds up, else half away from 0. */
export function fixed(micros, digits = 2, mode = 'half-up') {
  const unit = 10n ** BigInt(DIGITS - digits);
  const negative = micros < 0n;
  const abs = negative ? -micros : micros;
  let units = abs / unit;
  const rest = abs % unit;
  if (mode === 'ceiling' ? rest > 0n && !negative : rest * 2n >= unit) {
    units += 1n;
  }
  const text = units.toString().padStart(digits + 1, '0');
  const body = digits === 0 ? text : text.slice(0, -digits) + '.' + text.slice(-digits);
  return (negative && units !== 0n ? '-' : '') + body;
}

const currency = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const signedCurrency = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', signDisplay: 'exceptZero' });
const signedPercent = new Intl.NumberFormat('en-US', { style: 'percent', minimumFractionDigits: 2, signDisplay: 'exceptZero' });
const integer = new Intl.NumberFormat('en-US');

function asText(value) {
  return typeof value === 'bigint' ? fixed(value) : String(value);
}

/** "$1,234.56" from a decimal string or micro-units; an em dash for nothing. */
export function money(value) {
  return value === null || value === undefined ? '—' : currency.format(asText(value));
}

/** "+$12.30" / "-$4.00" / "$0.00". */
export function signedMoney(value) {
  return value === null || value === undefined ? '—' : signedCurrency.format(asText(value));
}

/** part / whole as a signed percentage, "+1.25%"; an em dash when whole is zero or unknown. */
export function percentOf(part, whole) {
  if (part === null || whole === null || whole === undefined || whole === 0n) {
    return '—';
  }
  const basisPoints = part * 1_000_000n / whole;  // ratio in micro-units
  return signedPercent.format(fixed(basisPoints, 4));
}

/** Share counts with thousands separators. */
export function shares(count) {
  return count === null || count === undefined ? '—' : integer.format(count);
}

/** "1 share", "5 shares". */
export function sharesWord(count) {
  return count === null || count === undefined ? '—' : shares(count) + (count === 1 ? ' share' : ' shares');
}

/** 'gain', 'loss' or '' for colouring a signed amount. */
export function trend(micros) {
  return micros === null || micros === undefined || micros === 0n ? '' : micros > 0n ? 'gain' : 'loss';
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A local time of day ("15:40:53") from an ISO instant. */
export function time(iso) {
  return iso ? timeFormat.format(new Date(iso)) : '—';
}

/** A local date and time ("Nov 22, 2026, 3:40 PM") from an ISO instant. */
export function dateTime(iso) {
  return iso ? dateTimeFormat.format(new Date(iso)) : '—';
}
