CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE IF NOT EXISTS memo_embedding (
  memo_id INTEGER PRIMARY KEY REFERENCES memo(id) ON DELETE CASCADE,
  embedding vector(1536) NOT NULL
);
CREATE INDEX IF NOT EXISTS memo_embedding_hnsw ON memo_embedding USING hnsw (embedding vector_cosine_ops);
