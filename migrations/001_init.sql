-- Subjects, their versions, and the global compatibility settings.

CREATE TABLE registry_settings (
    singleton            boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    compatibility_mode   text NOT NULL,
    compatibility_policy text NOT NULL,
    updated_at           timestamptz NOT NULL DEFAULT now()
);

INSERT INTO registry_settings (compatibility_mode, compatibility_policy)
VALUES ('BACKWARD', 'STRICT');

CREATE TABLE subjects (
    id                   bigserial PRIMARY KEY,
    name                 text NOT NULL UNIQUE CHECK (char_length(name) BETWEEN 1 AND 255),
    -- Display parts, split at the last dot like registry.domain.subjects.split_subject.
    namespace            text NOT NULL GENERATED ALWAYS AS
                             (coalesce(substring(name FROM '^(.+)\.[^.]+$'), 'default')) STORED,
    short_name           text NOT NULL GENERATED ALWAYS AS
                             (coalesce(substring(name FROM '^.+\.([^.]+)$'), name)) STORED,
    -- NULL: the subject follows the global setting.
    compatibility_mode   text,
    compatibility_policy text,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE schema_versions (
    id                   uuid PRIMARY KEY,
    -- Registration order: keyset pagination stays correct while versions arrive.
    seq                  bigserial NOT NULL UNIQUE,
    subject_id           bigint NOT NULL REFERENCES subjects (id),
    version_major        integer NOT NULL CHECK (version_major >= 0),
    version_minor        integer NOT NULL CHECK (version_minor >= 0),
    version_patch        integer NOT NULL CHECK (version_patch >= 0),
    format               text NOT NULL CHECK (format IN ('JSON', 'AVRO', 'PROTOBUF')),
    content              text NOT NULL,
    -- sha256 of the normalised content: duplicate detection within a subject.
    content_hash         text NOT NULL,
    state                text NOT NULL
        CHECK (state IN ('DRAFT', 'ACTIVE', 'DEPRECATED', 'ARCHIVED', 'DELETED')),
    compatibility_mode   text NOT NULL,
    compatibility_policy text NOT NULL,
    description          text,
    tags                 jsonb NOT NULL DEFAULT '[]'::jsonb,
    metadata             jsonb NOT NULL DEFAULT '{}'::jsonb,
    -- Bumped by every change of the mutable fields; caches keep the highest they saw.
    revision             integer NOT NULL DEFAULT 1,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (subject_id, version_major, version_minor, version_patch)
);

-- Shared-cache entries to drop after a change: written in the change's transaction and
-- removed once Redis confirmed, so a change made while Redis was down is not forgotten.
CREATE TABLE cache_invalidations (
    id         bigserial PRIMARY KEY,
    cache_key  text NOT NULL,
    -- The revision the change produced: older cached copies are replaced by a tombstone.
    revision   integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
