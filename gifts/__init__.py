"""Gift orders bound to their recipients. Built by the wish-list issue."""
