-- One-minute candles of every symbol's last price, written by the node that runs the market (quotes context).
-- Ticks themselves are not stored: they are not events of record, only the candles are kept for charts.
create table quote_candles (
  symbol text not null,
  minute timestamptz not null,
  open numeric not null,
  high numeric not null,
  low numeric not null,
  close numeric not null,
  primary key (symbol, minute)
);

-- the market's next owner starts from every symbol's latest close
create index quote_candles_latest on quote_candles (symbol, minute desc);
