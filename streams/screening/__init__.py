"""The pure screening core: sanctions lists, normalisation, the name index and matching.

Nothing under this package imports Kafka, Faust or Prometheus code.
"""
