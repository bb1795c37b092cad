-- Indexes for the registry's hot queries.

-- The latest version of a subject, and its versions in order.
CREATE INDEX schema_versions_subject_version_desc
    ON schema_versions (subject_id, version_major DESC, version_minor DESC, version_patch DESC);

-- Duplicate detection among a subject's live versions.
CREATE INDEX schema_versions_subject_live_hash
    ON schema_versions (subject_id, content_hash)
    WHERE state <> 'DELETED';

-- Listing by state and by registration time.
CREATE INDEX schema_versions_state ON schema_versions (state);
CREATE INDEX schema_versions_created_at ON schema_versions (created_at);

-- Subject listings by prefix, and schema listings by namespace and name.
CREATE INDEX subjects_name_prefix ON subjects (name text_pattern_ops);
CREATE INDEX subjects_namespace_name ON subjects (namespace, short_name);

-- Schema listings filtered by tag.
CREATE INDEX schema_versions_tags ON schema_versions USING gin (tags);
