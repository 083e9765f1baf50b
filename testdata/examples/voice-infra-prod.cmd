# The prod layer, with the generated passwords pinned: three-node Kafka and Nacos, traces in Elasticsearch.
voice-infra charts/voice-infra -n voiceassistant-infra -f charts/voice-infra/values.prod.yaml -f charts/voice-infra/ci/pinned-passwords.yaml
