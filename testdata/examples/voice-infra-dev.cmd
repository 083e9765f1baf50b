# The dev layer: no Elasticsearch or ClickHouse, one Kafka and Nacos node, traces in memory.
voice-infra charts/voice-infra -n voiceassistant-infra -f charts/voice-infra/values.dev.yaml
