-- Signed checkpoints (issue 11): every N events or T seconds the service signs (position, head hash) with an
-- Ed25519 key kept outside the database and writes the checkpoint here and to an append-only file outside the
-- database. This table is a convenience copy for queries; the file is what someone with full database access
-- cannot rewrite, and verify checks both against the public key.
create table checkpoints (
    position   bigint      primary key check (position > 0),
    head_hash  text        not null check (head_hash ~ '^[0-9a-f]{64}$'),
    signed_at  timestamptz not null,
    key_id     text        not null,
    -- base64 of the Ed25519 signature over Checkpoint.signedText()
    signature  text        not null
);

create trigger checkpoints_append_only
    before update or delete on checkpoints
    for each row execute function events_refuse_change();

-- How far the chain was last verified, so a boot walks only the events after the newest signed checkpoint at
-- or below it (one row). Trusting it costs nothing: the walk starts from a checkpoint whose signature is
-- checked against the file, never from this row alone.
create table chain_verified (
    id          integer     primary key check (id = 1),
    position    bigint      not null,
    verified_at timestamptz not null
);
