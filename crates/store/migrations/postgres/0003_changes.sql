-- The change feed: every entity version in commit order, so replicas
-- follow writes (`seq > last seen`, woken by NOTIFY on
-- tansiq_entity_changes) instead of reloading. Writers assign
-- seq = MAX + 1 under an advisory lock held to commit, so positions are
-- contiguous and a reader never sees a later position before an earlier
-- one commits.
CREATE TABLE entity_changes (
    seq     BIGINT PRIMARY KEY CHECK (seq >= 1),
    id      TEXT   NOT NULL,
    version BIGINT NOT NULL,
    FOREIGN KEY (id, version) REFERENCES entity_versions (id, version)
);

-- Stores created before the feed start it with their history, oldest first.
INSERT INTO entity_changes (seq, id, version)
SELECT ROW_NUMBER() OVER (ORDER BY recorded_at, id, version), id, version
FROM entity_versions;
