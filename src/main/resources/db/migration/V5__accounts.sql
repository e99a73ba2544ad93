-- Failed logins per username, to slow down password guessing: after auth.login-max-failures failures within the
-- window, the username is refused until locked_until (whoever tries). A successful login clears the row.
create table login_failures (
  username          text        primary key,
  failures          int         not null,
  first_failure_at  timestamptz not null,
  locked_until      timestamptz
);
