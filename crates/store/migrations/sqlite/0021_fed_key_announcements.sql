-- Rotated identity keys reach partners (see crates/federation,
-- Payload::KeyAnnouncement): the ids of this node's keys as last announced
-- to each partner (JSON array, newest first). NULL until the partner is
-- registered through the server, which records the keys its invitation
-- carried; when the node's keys differ from it, an announcement is queued.
ALTER TABLE fed_partners ADD COLUMN announced_keys TEXT;
