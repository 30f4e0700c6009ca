-- Invalidation rows must be read in commit order: a process that read seq 8 never looks
-- at seq 7 again. PostgreSQL hands out identity values before commit, so two transactions
-- could commit 8 before 7. Each writer of a row first takes the advisory lock that every
-- write transaction holds (db::begin_write, key 118143635256421, "ksuite"): a row's seq is
-- then drawn and committed while no other writer can draw one. Holes (rolled-back rows)
-- remain possible; the follower tells them from trimmed rows (see invalidations.rs).
CREATE OR REPLACE FUNCTION invalidate_topic() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(118143635256421);
    INSERT INTO invalidations (topic, created_at)
        VALUES (TG_ARGV[0], CAST(extract(epoch FROM now()) AS BIGINT));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION invalidate_link() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(118143635256421);
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO invalidations (topic, name, created_at)
            VALUES ('link', OLD.slug, CAST(extract(epoch FROM now()) AS BIGINT));
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.slug <> OLD.slug) THEN
        INSERT INTO invalidations (topic, name, created_at)
            VALUES ('link', NEW.slug, CAST(extract(epoch FROM now()) AS BIGINT));
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION invalidate_collection() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(118143635256421);
    IF TG_OP = 'DELETE' THEN
        INSERT INTO invalidations (topic, item, generation, version, created_at)
            VALUES (TG_ARGV[0], OLD.id, OLD.generation, 9223372036854775807,
                    CAST(extract(epoch FROM now()) AS BIGINT));
    ELSE
        INSERT INTO invalidations (topic, item, generation, version, created_at)
            VALUES (TG_ARGV[0], NEW.id, NEW.generation, NEW.ctag,
                    CAST(extract(epoch FROM now()) AS BIGINT));
    END IF;
    RETURN NULL;
END $$;
