-- Read sides (projections). Each projection's tables live in a schema of their own per version
-- (<name>_v<version>), so that a rebuild fills a new version while the old one keeps serving; readers query
-- views in public that point at the active version's tables, and the swap replaces those views in one transaction.
create table projection_versions (
  name            text primary key,
  active_version  int  not null,
  -- the version a rebuild is filling, if one runs
  building_version int,
  shards          int  not null check (shards >= 1)
);

-- How far each shard of each version has read the journal, written in the same transaction as the projection's
-- own tables: a crash can neither apply an event twice nor skip one.
create table projection_offsets (
  name            text   not null,
  version         int    not null,
  shard           int    not null,
  transaction_id  bigint not null default 0,
  sequence        bigint not null default 0,
  events_applied  bigint not null default 0,
  last_event_at   timestamptz,
  -- set when a handler kept failing on one event; the shard waits until someone clears it (projections resume)
  stopped_reason  text,
  updated_at      timestamptz not null default now(),
  primary key (name, version, shard)
);
