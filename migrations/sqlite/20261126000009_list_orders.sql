-- The staff list's other orders and the country filter, each served by an index read in
-- order so a page is a short range scan at 100,000 WABAs (sqlite dialect; kept in step with the
-- postgres file).
CREATE INDEX wabas_updated_idx ON wabas (updated_at, id);
CREATE INDEX wabas_name_idx ON wabas (name, id);
CREATE INDEX wabas_country_idx ON wabas (country, id);
