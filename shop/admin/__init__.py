"""Staff screens for the shop; importing the package registers them."""

from .orders import ReadOnlyInline

__all__ = ["ReadOnlyInline"]
