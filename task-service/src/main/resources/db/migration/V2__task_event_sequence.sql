-- Each recorded device result takes the next number of its task's event sequence, under the task row's lock, so the
-- numbers follow commit order. They are the ids of the task's SSE events: a client that reconnects with Last-Event-ID n
-- is sent, from here, every result numbered above n.
ALTER TABLE task ADD COLUMN event_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE task_device ADD COLUMN event_seq BIGINT;
CREATE INDEX task_device_event_idx ON task_device (task_id, event_seq) WHERE event_seq IS NOT NULL;
