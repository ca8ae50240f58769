-- Issue 12: a socket caller's login uid (/proc/<pid>/loginuid, the person behind sudo) beside its uid. Events
-- recorded before this column read back as -1 (unset), which the hash leaves out, so their hashes still hold.
-- A constant default is kept in the catalog: no row is rewritten, and the append-only trigger does not fire.
alter table events add column actor_login_uid integer not null default -1;
