-- Meta's own MM API metrics (docs/meta/mm-metrics.md): `GET /{WABA}/template_analytics` per
-- marketing template and UTC day, MM API traffic only (`product_type`), fetched on a
-- schedule. `conversions`: every other numeric key of Meta's data point (the conversion
-- metrics, whose names Meta does not document), as a JSON object. One fetch state per WABA:
-- when template analytics were confirmed (`is_enabled_for_insights`, once), the last fetch
-- and its error.
CREATE TABLE template_metrics_daily (
    waba_id          BIGINT  NOT NULL REFERENCES wabas(id),
    meta_template_id TEXT    NOT NULL,
    day              TEXT    NOT NULL,
    sent             BIGINT  NOT NULL,
    delivered        BIGINT  NOT NULL,
    read             BIGINT  NOT NULL,
    clicked          BIGINT  NOT NULL,
    conversions      TEXT    NOT NULL,
    amount_spent     TEXT,
    fetched_at       BIGINT  NOT NULL,
    PRIMARY KEY (waba_id, meta_template_id, day)
);
CREATE TABLE template_metrics_fetches (
    waba_id             BIGINT PRIMARY KEY REFERENCES wabas(id),
    insights_enabled_at BIGINT,
    fetched_at          BIGINT,
    error               TEXT,
    updated_at          BIGINT  NOT NULL
);
CREATE INDEX template_metrics_fetches_due ON template_metrics_fetches (fetched_at);
