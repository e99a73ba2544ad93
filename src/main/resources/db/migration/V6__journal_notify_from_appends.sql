-- Tailers LISTEN on channel 'journal'. Until now a statement trigger notified it; now the appender (PgJournal)
-- calls pg_notify('journal', '') inside the very statement that inserts a batch, once and only if it inserted
-- rows. The notification is still part of the writing transaction, delivered when it commits and never for a
-- rolled-back batch, but without a PL/pgSQL call per statement: the trigger added about 20 us (8%) to a
-- single-event append (docs/BENCHMARKS.md). Anything else that inserts events must notify the same way, or its
-- events are only found by the tailers' polling.
--
-- (V2 is left as it was applied; versions 3 to 5 belong to other parts of the product.)
drop trigger journal_notify on journal;
drop function journal_notify();

-- PgJournal reads the last position of a single append with currval('journal_position_seq'): the identity's
-- sequence has that name by PostgreSQL's default; this fails the migration if it ever had another.
select 'journal_position_seq'::regclass;
