-- Every node start against this database, for operators: which nodes ran, which version, when.
create table node_start (
  id          bigint generated always as identity primary key,
  node_name   text        not null,
  version     text        not null,
  started_at  timestamptz not null default now()
);
