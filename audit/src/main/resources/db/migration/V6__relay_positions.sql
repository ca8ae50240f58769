-- The stream (issue 11): how far each relay of the record (to Kafka, to in-process consumers) has had its
-- events acknowledged. A relay resumes after this position, so an event is published at least once and none is
-- skipped; it is written only after the broker acknowledged every event up to it. A cache beside the record,
-- never part of it: rows are updated in place.
create table relay_positions (
    relay       text        primary key,
    position    bigint      not null check (position >= 0),
    updated_at  timestamptz not null
);
