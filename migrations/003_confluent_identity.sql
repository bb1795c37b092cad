-- The Confluent Schema Registry API's identities over the same versions: global
-- content-addressed schema ids, integer versions per subject, schema references, and
-- the READWRITE / READONLY / IMPORT modes.

CREATE TABLE schema_ids (
    id            integer PRIMARY KEY CHECK (id > 0),
    format        text NOT NULL CHECK (format IN ('JSON', 'AVRO', 'PROTOBUF')),
    -- sha256 over the normalised content and the references (registry.domain.identity):
    -- equal schemas share an id in every subject.
    identity_hash text NOT NULL,
    -- The text of the first registration with this identity.
    content       text NOT NULL,
    -- [{"name", "subject", "version"}, ...] in the order the schema lists them.
    refs          jsonb NOT NULL DEFAULT '[]'::jsonb,
    created_at    timestamptz NOT NULL DEFAULT now()
);
-- Not unique: IMPORT may bring one schema under two ids from another registry.
CREATE INDEX schema_ids_identity ON schema_ids (format, identity_hash, id);
-- Which schemas reference a subject's version (deletion checks, referencedby).
CREATE INDEX schema_ids_refs ON schema_ids USING gin (refs jsonb_path_ops);

-- Ids are drawn from here; imported ids may already hold some values, which are skipped.
CREATE SEQUENCE schema_ids_allocator AS integer OWNED BY schema_ids.id;

ALTER TABLE schema_versions
    ADD COLUMN global_id integer REFERENCES schema_ids (id),
    ADD COLUMN version_number integer CHECK (version_number > 0);

-- Versions registered before this migration: one id per distinct content, in registration
-- order, and versions numbered in semantic-version order within each subject.
INSERT INTO schema_ids (id, format, identity_hash, content)
SELECT row_number() OVER (ORDER BY first.seq), first.format, first.content_hash, first.content
FROM (
    SELECT DISTINCT ON (format, content_hash) format, content_hash, content, seq
    FROM schema_versions ORDER BY format, content_hash, seq
) first;

UPDATE schema_versions v SET global_id = i.id
FROM schema_ids i WHERE i.format = v.format AND i.identity_hash = v.content_hash;

UPDATE schema_versions v SET version_number = numbered.n
FROM (
    SELECT id, row_number() OVER (
        PARTITION BY subject_id ORDER BY version_major, version_minor, version_patch) AS n
    FROM schema_versions
) numbered
WHERE numbered.id = v.id;

SELECT setval('schema_ids_allocator', coalesce((SELECT max(id) FROM schema_ids), 0) + 1, false);

ALTER TABLE schema_versions
    ALTER COLUMN global_id SET NOT NULL,
    ALTER COLUMN version_number SET NOT NULL,
    ADD CONSTRAINT schema_versions_subject_number UNIQUE (subject_id, version_number);
CREATE INDEX schema_versions_global_id ON schema_versions (global_id);

-- NULL on a subject: it follows the registry's mode.
ALTER TABLE registry_settings
    ADD COLUMN mode text NOT NULL DEFAULT 'READWRITE' CHECK (mode IN ('READWRITE', 'READONLY', 'IMPORT'));
ALTER TABLE subjects
    ADD COLUMN mode text CHECK (mode IN ('READWRITE', 'READONLY', 'IMPORT'));
