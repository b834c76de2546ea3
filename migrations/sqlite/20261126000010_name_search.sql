-- Substring search over WABA and business names without scanning every row (sqlite dialect;
-- the postgres file reaches the same end with pg_trgm indexes). An FTS5 table with the
-- trigram tokenizer answers "names containing this text" (three characters or more, case
-- folded) from an index; triggers keep it in step with wabas and businesses. This table and
-- FTS5's own waba_names_* tables exist only in SQLite (the parity test knows).
CREATE VIRTUAL TABLE waba_names USING fts5(name, business_name, tokenize = 'trigram');

INSERT INTO waba_names (rowid, name, business_name)
SELECT w.id, w.name, b.name FROM wabas w JOIN businesses b ON b.id = w.business_id;

CREATE TRIGGER waba_names_insert AFTER INSERT ON wabas BEGIN
    INSERT INTO waba_names (rowid, name, business_name)
    VALUES (new.id, new.name, (SELECT name FROM businesses WHERE id = new.business_id));
END;

CREATE TRIGGER waba_names_update AFTER UPDATE OF name, business_id ON wabas
WHEN old.name IS NOT new.name OR old.business_id IS NOT new.business_id BEGIN
    DELETE FROM waba_names WHERE rowid = old.id;
    INSERT INTO waba_names (rowid, name, business_name)
    VALUES (new.id, new.name, (SELECT name FROM businesses WHERE id = new.business_id));
END;

CREATE TRIGGER waba_names_delete AFTER DELETE ON wabas BEGIN
    DELETE FROM waba_names WHERE rowid = old.id;
END;

CREATE TRIGGER waba_names_business AFTER UPDATE OF name ON businesses
WHEN old.name IS NOT new.name BEGIN
    UPDATE waba_names SET business_name = new.name
    WHERE rowid IN (SELECT id FROM wabas WHERE business_id = new.id);
END;
