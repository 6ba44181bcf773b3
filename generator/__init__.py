"""carta: formal advocacy letters from structured content, as localized PDF and HTML."""

from .core.version import __version__

__all__ = ["__version__", "build", "check", "load_project"]


def __getattr__(name: str):
    # The public API is imported on first use, so that `carta --help` stays instant.
    if name == "build":
        from .pipeline.build import build

        return build
    if name == "check":
        from .campaign.assemble import validate

        return validate
    if name == "load_project":
        from .core.project import load_project

        return load_project
    raise AttributeError(f"module 'generator' has no attribute {name!r}")
