-- How many of a task's devices have finished, per final state, kept on the task row, so recording a batch of results reads
-- three numbers under the task's lock instead of counting the task's devices. A statement-level trigger keeps them, so
-- every path that finishes devices (results, cancel, the failure threshold, and a replica of an earlier version during a
-- rolling update) moves them in the same transaction. Claims and lease renewals change no final state and leave the task
-- row alone.
ALTER TABLE task
    ADD COLUMN succeeded_count INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN failed_count    INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN cancelled_count INTEGER NOT NULL DEFAULT 0;

UPDATE task t SET succeeded_count = c.succeeded, failed_count = c.failed, cancelled_count = c.cancelled
FROM (SELECT task_id,
             count(*) FILTER (WHERE state = 'SUCCEEDED') AS succeeded,
             count(*) FILTER (WHERE state = 'FAILED')    AS failed,
             count(*) FILTER (WHERE state = 'CANCELLED') AS cancelled
      FROM task_device GROUP BY task_id) c
WHERE t.id = c.task_id;

-- schema-qualified: the function runs with the services' search_path, not the migration's
CREATE FUNCTION task.count_finished_devices() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE task.task t
    SET succeeded_count = t.succeeded_count + d.succeeded,
        failed_count    = t.failed_count + d.failed,
        cancelled_count = t.cancelled_count + d.cancelled
    FROM (SELECT n.task_id,
                 count(*) FILTER (WHERE n.state = 'SUCCEEDED') - count(*) FILTER (WHERE o.state = 'SUCCEEDED') AS succeeded,
                 count(*) FILTER (WHERE n.state = 'FAILED')    - count(*) FILTER (WHERE o.state = 'FAILED')    AS failed,
                 count(*) FILTER (WHERE n.state = 'CANCELLED') - count(*) FILTER (WHERE o.state = 'CANCELLED') AS cancelled
          FROM finished_new n JOIN finished_old o ON o.task_id = n.task_id AND o.device_id = n.device_id
          WHERE n.state <> o.state
          GROUP BY n.task_id) d
    WHERE t.id = d.task_id AND (d.succeeded <> 0 OR d.failed <> 0 OR d.cancelled <> 0);
    RETURN NULL;
END
$$;

CREATE TRIGGER task_device_finished_counts AFTER UPDATE ON task_device
    REFERENCING OLD TABLE AS finished_old NEW TABLE AS finished_new
    FOR EACH STATEMENT EXECUTE FUNCTION task.count_finished_devices();
