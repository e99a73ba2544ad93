-- The event journal: the source of truth, one row per event. Rows are only ever inserted.
create table journal (
  -- Global sequence: unique and increasing in the order rows are inserted, but NOT in the order they become
  -- visible (a transaction can take a number and commit after a later one). Readers of the tail therefore order
  -- by (transaction_id, position), see journal_tail below.
  position        bigint      generated always as identity,
  -- The writing transaction, 64-bit so it never wraps. A tailer only reads rows whose transaction id is below the
  -- xmin of its snapshot: those transactions have all ended, so nothing can still appear before them.
  transaction_id  xid8        not null default pg_current_xact_id(),
  stream_id       text        not null,
  version         bigint      not null check (version >= 1),
  event_id        uuid        not null,
  event_type      text        not null,
  schema_version  int         not null check (schema_version >= 1),
  payload         jsonb       not null,
  -- correlation_id, causation_id, user_id: stored for people and tools, never interpreted by the journal
  metadata        jsonb       not null default '{}',
  tags            text[]      not null default '{}',
  created_at      timestamptz not null default now(),
  -- The optimistic-concurrency guard: two writers that both think a stream is at version n both insert n + 1,
  -- and the second one fails instead of overwriting.
  constraint journal_pkey primary key (stream_id, version),
  -- An event stored twice (a retried append whose acknowledgement was lost) is refused, never silently doubled.
  constraint journal_event_id_key unique (event_id)
);

-- The tail: "events after (tx, position)" is a range scan of this index.
create index journal_tail on journal (transaction_id, position);

-- Wakes tailers (LISTEN journal) when a transaction that wrote events commits; notifications are delivered on
-- commit only, and identical ones of one transaction are folded into one. Once per statement, not per row: a
-- group-commit batch of hundreds of events sends one notification.
create function journal_notify() returns trigger language plpgsql as $$
begin
  perform pg_notify('journal', '');
  return null;
end
$$;

create trigger journal_notify after insert on journal
  for each statement execute function journal_notify();

-- The latest snapshot of each stream; an older one never replaces a newer one (see PgJournal.saveSnapshot).
-- A snapshot is a cache: deleting rows here only makes recovery replay more events.
create table snapshots (
  stream_id       text        primary key,
  version         bigint      not null check (version >= 1),
  schema_version  int         not null,
  state           jsonb       not null,
  taken_at        timestamptz not null default now()
);
