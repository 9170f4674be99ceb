-- A message the partner numbered but did not take (its incoming agreement
-- refused the content): the partner's reason and when it was told. The
-- sender still forgets the message (resending cannot change the answer),
-- but the refusal stays visible in status, metrics and logs (issue 16,
-- finding 7).
ALTER TABLE fed_outbox ADD COLUMN refused TEXT;
ALTER TABLE fed_outbox ADD COLUMN refused_at TIMESTAMPTZ;
