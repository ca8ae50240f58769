-- Snapshots of the folded projections (issue 10): a cache beside the record, never part of it. A boot starts
-- from the newest one whose position and head hash match the events table and whose digest matches its
-- snapshot.taken event, then folds the events after it. Rows are replaced and deleted freely.
create table projection_snapshots (
    position    bigint      not null check (position > 0),
    -- the hash of the event at position: which chain the snapshot was folded from
    head_hash   text        not null,
    -- format version and shape of the projections; a boot ignores other formats
    format      text        not null,
    taken_at    timestamptz not null,
    -- gzip of the state as JSON
    state       bytea       not null,
    primary key (position, format)
);
