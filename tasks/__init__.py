"""The pipeline's tasks and the pure logic under them: analysis, research, verification,
scoring, enrichment, dedupe, persistence and delivery."""
