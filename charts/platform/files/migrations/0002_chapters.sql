CREATE TABLE IF NOT EXISTS chapters (
  id          BIGSERIAL PRIMARY KEY,
  novel_id    BIGINT NOT NULL REFERENCES novels(id) ON DELETE CASCADE,
  seq         INT NOT NULL,
  body        TEXT NOT NULL,
  UNIQUE (novel_id, seq)
);
