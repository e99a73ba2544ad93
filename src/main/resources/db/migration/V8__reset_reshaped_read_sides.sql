-- Three read sides changed shape: portfolio_views keeps rows per holding and per open order instead of a whole state,
-- portfolio_orders records cancel requests, broker_orders the journal position of each row's last change. Their
-- versions are dropped here; their runners build them again from the journal at the next start (a new projection
-- version 1, as on a new installation). Until they have caught up, their reads show less than the journal holds.
do $$
declare s record;
begin
  for s in select nspname from pg_namespace
           where nspname ~ '^(portfolio_views|portfolio_orders|broker_orders)_v[0-9]+$' loop
    execute format('drop schema %I cascade', s.nspname);
  end loop;
end $$;
delete from projection_rebuilds where name in ('portfolio_views', 'portfolio_orders', 'broker_orders');
delete from projection_offsets where name in ('portfolio_views', 'portfolio_orders', 'broker_orders');
delete from projection_versions where name in ('portfolio_views', 'portfolio_orders', 'broker_orders');
