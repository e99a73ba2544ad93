-- Messages a topic subscriber could not handle (dead), and the later messages of the same key that wait behind them
-- (waiting): a saga's steps never run out of order. Operators list them, and ask (requested) for a re-drive or a
-- discard, per message or per key; the subscriber that consumes the key's partition carries the request out. Rows
-- stay, settled (done, discarded), as the record of what happened.
create table dead_letters (
  id               bigint generated always as identity primary key,
  subscriber       text        not null,
  topic            text        not null,
  kafka_partition  int         not null,
  kafka_offset     bigint      not null,
  message_key      text        not null,
  value            bytea       not null,
  status           text        not null check (status in ('dead', 'waiting', 'done', 'discarded')),
  reason           text,
  attempts         int         not null default 0,
  first_failure_at timestamptz not null default now(),
  last_failure_at  timestamptz not null default now(),
  requested        text check (requested in ('redrive', 'discard')),
  settled_at       timestamptz,
  unique (subscriber, topic, kafka_partition, kafka_offset)
);
create index dead_letters_open on dead_letters (subscriber, message_key, id) where status in ('dead', 'waiting');
