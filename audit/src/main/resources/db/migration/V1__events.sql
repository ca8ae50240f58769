-- The event store: one append-only table. Every column that goes into an event's hash is stored exactly as it
-- was hashed, so verify() can recompute the chain from this table alone.
create table events (
    -- Assigned by the store under a table lock, not by a sequence: a sequence value is taken before commit, so
    -- under concurrent appends position 7 could commit before 6 and a reader tailing by position would skip 6.
    position          bigint      primary key,
    stream_id         text        not null,
    version           bigint      not null check (version >= 0),
    type              text        not null,
    -- json (not jsonb) keeps the text byte for byte as it was hashed; jsonb would reorder and reformat it.
    payload           json        not null,
    actor_kind        text        not null check (actor_kind in ('SOCKET', 'TLS', 'SYSTEM')),
    actor_uid         integer     not null,
    actor_pid         integer     not null,
    actor_user_name   text        not null,
    actor_tls_subject text        not null,
    correlation_id    uuid        not null,
    -- microsecond precision; the store truncates its clock to micros before hashing so the stored value matches
    occurred_at       timestamptz not null,
    previous_hash     text        not null check (previous_hash ~ '^[0-9a-f]{64}$'),
    hash              text        not null check (hash ~ '^[0-9a-f]{64}$'),
    constraint events_stream_version unique (stream_id, version)
);

create index events_occurred_at on events (occurred_at);

-- Appends are the only writes. The owner can still disable this trigger; the hash chain is what catches that.
create function events_refuse_change() returns trigger language plpgsql as $$
begin
    if tg_op = 'TRUNCATE' then
        raise exception 'events are append-only: truncate refused' using errcode = 'P0001';
    end if;
    raise exception 'events are append-only: % of event % refused', lower(tg_op), old.position
        using errcode = 'P0001';
end
$$;

create trigger events_append_only
    before update or delete on events
    for each row execute function events_refuse_change();

create trigger events_no_truncate
    before truncate on events
    for each statement execute function events_refuse_change();
