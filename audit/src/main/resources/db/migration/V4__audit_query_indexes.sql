-- The audit query API (issue 11) filters the record by who did it, by request and by event type, and pages by
-- position. Without these, each such question scans the whole table (a million rows: seconds, not milliseconds).
-- A stream's history needs none: the unique (stream_id, version) constraint's index already finds it.
create index events_correlation_id on events (correlation_id);
create index events_actor_uid on events (actor_uid, position);
create index events_type on events (type, position);
