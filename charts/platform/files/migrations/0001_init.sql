CREATE TABLE IF NOT EXISTS novels (
  id          BIGSERIAL PRIMARY KEY,
  tenant_id   TEXT NOT NULL,
  title       TEXT NOT NULL,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
