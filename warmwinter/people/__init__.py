"""Person files (一人一档一画像): identity, profile, timeline, record linkage, family tracing."""
