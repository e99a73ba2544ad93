-- Idempotency keys (the IETF draft "The Idempotency-Key HTTP Header Field"): a key names one command of one user on
-- one target. The first request with a key records what it asked (operation, target, a fingerprint of its body) and
-- the id its command got; a retry with the same key and the same request gets that command id again, and once the
-- first answer is known, that answer; the same key with another operation, target or body is refused (422). The
-- gateway deletes rows older than idempotency.retention-hours.
create table idempotency_keys (
  user_id      text        not null,
  key          text        not null,
  operation    text        not null,
  target       text        not null,
  fingerprint  text        not null,
  command_id   text        not null,
  -- the first answer, once known: its HTTP status, Location header and body
  status       int,
  location     text,
  response     jsonb,
  created_at   timestamptz not null default now(),
  primary key (user_id, key)
);
create index idempotency_keys_created on idempotency_keys (created_at);
