-- Rebuild requests: an operator (command line or admin API) inserts one; the node running the projection's
-- shard 0 picks it up, rebuilds, and records its progress here for the requester to show.
create table projection_rebuilds (
  id            bigint generated always as identity primary key,
  name          text        not null,
  requested_at  timestamptz not null default now(),
  started_at    timestamptz,
  finished_at   timestamptz,
  done          bigint      not null default 0,
  total         bigint      not null default 0,
  new_version   int,
  error         text
);
-- at most one open request per projection
create unique index projection_rebuilds_open on projection_rebuilds (name) where finished_at is null;
