CREATE TABLE IF NOT EXISTS generation_jobs (
  id          UUID PRIMARY KEY,
  chapter_id  BIGINT REFERENCES chapters(id),
  state       TEXT NOT NULL DEFAULT 'queued',
  updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS generation_jobs_state_idx ON generation_jobs (state);
