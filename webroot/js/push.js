// Live updates over the SockJS event-bus bridge: one connection per logged-in tab, handlers per address
// (registered again after every reconnect), and a "resync" signal so views refetch what they may have missed.

import { endSession, sessionExpired } from './api.js';

const { reactive } = Vue;

/** 'offline' (logged out), 'connecting', 'live' or 'reconnecting'. */
export const connection = reactive({ state: 'offline' });

let bus = null;
let everOpen = false;
const handlers = new Map();       // address -> Set of functions(body)
const resyncListeners = new Set();

/** Opens the connection for a token; the bridge checks it and lets this user register only their own addresses. */
export function connect(token) {
  disconnect();
  connection.state = 'connecting';
  everOpen = false;
  const current = new EventBus('/eventbus?token=' + encodeURIComponent(token), {
    vertxbus_reconnect_delay_min: 500,
    vertxbus_reconnect_delay_max: 4000,
  });
  current.enableReconnect(true);
  current.onopen = () => {
    if (bus !== current) {
      return;
    }
    connection.state = 'live';
    handlers.forEach((set, address) => register(address));
    if (everOpen) {
      resyncListeners.forEach(fn => fn());
    }
    everOpen = true;
  };
  current.onclose = () => {
    if (bus !== current) {
      return;
    }
    if (sessionExpired()) {
      endSession(true);   // the bridge closed the socket because the token ran out: log in again
    } else {
      connection.state = 'reconnecting';
    }
  };
  current.onerror = error => console.warn('event bus', error);
  bus = current;
}

/** Closes the connection (logout) and stops reconnecting. */
export function disconnect() {
  if (bus) {
    const old = bus;
    bus = null;
    try {
      old.close();
    } catch (e) {
      // already closed
    }
  }
  connection.state = 'offline';
}

function register(address) {
  bus.registerHandler(address, (error, message) => {
    if (error) {
      console.warn('refused or failed: ' + address, error);
      return;
    }
    (handlers.get(address) || []).forEach(fn => fn(message.body));
  });
}

/** Calls {@code fn(body)} for each message on {@code address}; returns the function that stops it. */
export function subscribe(address, fn) {
  let set = handlers.get(address);
  if (!set) {
    set = new Set();
    handlers.set(address, set);
    if (bus && bus.state === EventBus.OPEN) {
      register(address);
    }
  }
  set.add(fn);
  return () => {
    set.delete(fn);
    if (set.size === 0) {
      handlers.delete(address);
      if (bus && bus.state === EventBus.OPEN) {
        bus.unregisterHandler(address, bus.handlers[address] && bus.handlers[address][0]);
      }
    }
  };
}

/** Calls {@code fn} after each reconnect: pushes sent while the connection was down are lost, so refetch. */
export function onResync(fn) {
  resyncListeners.add(fn);
  return () => resyncListeners.delete(fn);
}
